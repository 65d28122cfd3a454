// A hostile "Ollama" server against the lean HTTP transport (src/agent/backends/leanFetch.ts):
// real HTTP on a local port, each reply crafted to make the host buffer without end (a line that
// never ends, an endless error page or JSON body) or to confuse it (invalid UTF-8, a redirect to
// another host, a header flood, a gzip body nobody asked for). Each ends with a clear error and
// the server sees the connection closed long before it could fill the host's memory.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { leanFetch } from '../../../src/agent/backends/leanFetch';
import { OllamaBackend } from '../../../src/agent/backends/ollama';
import { OpenAiBackend } from '../../../src/agent/backends/openai';
import { BackendError, type ChatChunk } from '../../../src/agent/backends/types';
import { solve } from './support';

const MIB = 1024 * 1024;
/** Far more than any bound the transport may keep (it must give up long before). */
const FLOOD_BYTES = 1024 * MIB;

interface Hostile {
  readonly url: string;
  /** Bytes of body written before the client closed the connection (or the flood ended). */
  sent(): number;
  close(): Promise<void>;
}

/** A server whose every reply starts with `head` and then repeats `chunk` until the client hangs up. */
async function floodServer(head: { status: number; contentType: string }, chunk: Buffer, prefix = ''): Promise<Hostile> {
  let sent = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(head.status, { 'content-type': head.contentType });
    res.write(prefix);
    const pump = (): void => {
      while (sent < FLOOD_BYTES && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  return listen(server, () => sent);
}

async function listen(server: http.Server, sent: () => number): Promise<Hostile> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function chat(url: string, kind: 'ollama' | 'openai' = 'ollama'): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  const backend = kind === 'ollama' ? new OllamaBackend(url) : new OpenAiBackend({ baseUrl: `${url}/v1` });
  for await (const chunk of backend.streamChat({ model: 'm', messages: [{ role: 'user', content: 'hi' }], options: { temperature: 0 }, think: 'off' }, new AbortController().signal)) chunks.push(chunk);
  return chunks;
}

/** What `promise` rejects with; undefined when it resolves. */
function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

let server: Hostile | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a hostile Ollama server', () => {
  it('a streamed line that never ends is abandoned after a bounded size, with a clear error', async () => {
    server = await floodServer({ status: 200, contentType: 'application/x-ndjson' }, Buffer.alloc(MIB, 'a'), '{"message":{"content":"');
    const error = await rejection(chat(server.url));
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).kind).toBe('protocol');
    expect((error as Error).message).toMatch(/MiB/);
    expect(server.sent()).toBeLessThan(128 * MIB);
  });

  it('the client is handed only whole NDJSON lines: none of a line that never ends reaches it', async () => {
    // ollama-js joins what it has read and splits it again at every chunk: handed a long unfinished
    // line a chunk at a time, it spent time quadratic in the line's length (87 s for 16 MiB).
    server = await floodServer({ status: 200, contentType: 'application/x-ndjson' }, Buffer.alloc(MIB, 'a'), '{"done":false}\n{"message":{"content":"');
    const { fetch } = leanFetch(undefined, (line) => new BackendError(`not JSON: ${line.slice(0, 20)}`, 'protocol'));
    const response = await fetch(server.url);
    const reader = response.body?.getReader();
    let handed = 0;
    const failure = await rejection(
      (async () => {
        for (;;) {
          const { done, value } = (await reader?.read()) ?? { done: true, value: undefined };
          if (done) return;
          handed += value.length;
        }
      })(),
    );
    expect(failure).toBeInstanceOf(BackendError);
    expect(handed).toBe('{"done":false}\n'.length);
  });

  it('an endless error page is not read to its end', async () => {
    server = await floodServer({ status: 500, contentType: 'text/plain' }, Buffer.alloc(MIB, 'e'));
    const error = await rejection(chat(server.url));
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message.length).toBeLessThan(4096);
    expect(server.sent()).toBeLessThan(128 * MIB);
  });

  it('an endless JSON body (model list) is not read to its end', async () => {
    server = await floodServer({ status: 200, contentType: 'application/json' }, Buffer.alloc(MIB, ' '), '{"models":[');
    const error = await rejection(new OllamaBackend(server.url).listModels());
    expect(error).toBeInstanceOf(BackendError);
    expect(server.sent()).toBeLessThan(128 * MIB);
  });

  // The OpenAI-compatible backend (global fetch, its own event-stream reader) is held to the same bounds.
  it.each([
    ['an event-stream line that never ends', { status: 200, contentType: 'text/event-stream' }, 'data: {"choices":[{"delta":{"content":"', (u: string) => chat(u, 'openai')],
    ['an endless JSON reply', { status: 200, contentType: 'application/json' }, '{"choices":[', (u: string) => chat(u, 'openai')],
    ['an endless error page', { status: 500, contentType: 'text/plain' }, '', (u: string) => chat(u, 'openai')],
    ['an endless model list', { status: 200, contentType: 'application/json' }, '{"data":[', (u: string) => new OpenAiBackend({ baseUrl: `${u}/v1` }).listModels()],
  ] as const)('OpenAI-compatible: %s is abandoned after a bounded size', async (_name, head, prefix, ask) => {
    server = await floodServer(head, Buffer.alloc(MIB, 'a'), prefix);
    const error = await rejection(ask(server.url));
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message.length).toBeLessThan(4096);
    expect(server.sent()).toBeLessThan(128 * MIB);
  });

  it.each(['content', 'thinking'] as const)('an endless stream of valid %s tokens ends the run with a clear error, the host holding a bounded amount', async (field) => {
    const token = `{"message":{"role":"assistant","${field}":"${'a'.repeat(64 * 1024)}"},"done":false}\n`;
    server = await floodServer({ status: 200, contentType: 'application/x-ndjson' }, Buffer.from(token.repeat(16)));
    const { trajectory } = await solve(new OllamaBackend(server.url), 'hi', { think: 'on' });
    expect(trajectory.reason).toBe('error');
    expect(trajectory.error).toMatch(/larger than \d+ MiB/);
    expect(server.sent()).toBeLessThan(256 * MIB);
  });

  it('an OpenAI-compatible stream of token counts alone, without end (no text, no reasoning, no call), is no sign of life: the run ends as stalled', async () => {
    // The counts so far go to the agent for a reply it may cut (continuous_usage_stats), but only with something of the reply.
    let sent = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    const counting = http.createServer((req, res) => {
      req.resume();
      if (!req.url?.endsWith('/chat/completions')) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n');
      timer = setInterval(() => {
        sent++;
        res.write(`data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":${sent}}}\n\n`);
      }, 50);
      res.on('close', () => clearInterval(timer));
    });
    server = await listen(counting, () => sent);
    const { trajectory, events } = await solve(new OpenAiBackend({ baseUrl: `${server.url}/v1` }), 'hi', { stallSeconds: 1, firstTokenSeconds: 1, retryOnce: false });
    clearInterval(timer);
    expect(trajectory.reason).toBe('error');
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'stalled' });
  });

  it('invalid UTF-8, a redirect to another host, a header flood and an unasked gzip body each end in a clear error', async () => {
    let redirectedTo = 0;
    const elsewhere = http.createServer((req, res) => {
      redirectedTo++;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end('{"message":{"content":"stolen"},"done":true}\n');
    });
    const other = await listen(elsewhere, () => 0);
    const server2 = http.createServer((req, res) => {
      req.resume();
      const path = req.url ?? '';
      if (path === '/utf8/api/chat') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(Buffer.concat([Buffer.from('{"message":{"content":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"},"done":true}\n')]));
      } else if (path === '/redirect/api/chat') {
        res.writeHead(307, { location: `${other.url}/api/chat` }).end();
      } else if (path === '/headers/api/chat') {
        const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
        for (let i = 0; i < 2000; i++) headers[`x-flood-${i}`] = 'y'.repeat(64);
        res.writeHead(200, headers).end('{"done":true}\n');
      } else {
        res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' });
        res.end(gzipSync(Buffer.alloc(64 * MIB, '\n')));
      }
    });
    server = await listen(server2, () => 0);
    try {
      // Invalid bytes become U+FFFD: the text arrives, nothing throws.
      const text = (await chat(`${server.url}/utf8`)).filter((c) => c.type === 'text').map((c) => (c as { text: string }).text);
      expect(text.join('')).toContain('\ufffd');
      for (const path of ['/redirect', '/headers', '/gzip']) {
        const error = await rejection(chat(`${server.url}${path}`));
        expect(error, path).toBeInstanceOf(BackendError);
      }
      expect(redirectedTo).toBe(0);
    } finally {
      await other.close();
    }
  });
});

describe('an OpenAI-compatible server with extras of its own', () => {
  // A choice's `message` or `usage` (ModelScope's, Moonshot's) of another shape than theirs is
  // ignored, as it was before they were read: it must not turn a good stream into "malformed".
  it("a choice's message or usage of an unknown shape is ignored, and the reply is read", async () => {
    const body = [
      { choices: [{ index: 0, delta: { content: 'Hi' }, message: 'not an object', usage: { prompt_tokens: '12' } }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop', message: [1, 2], usage: 'none' }] },
    ]
      .map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`)
      .join('');
    const plain = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`${body}data: [DONE]\n\n`);
    });
    server = await listen(plain, () => 0);
    const chunks = await chat(server.url, 'openai');
    expect(chunks.filter((c) => c.type === 'text').map((c) => (c.type === 'text' ? c.text : ''))).toEqual(['Hi']);
  });
});
