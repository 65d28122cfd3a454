// Injected faults, observed by real clients: the official ollama client and plain fetch.
import { Ollama } from 'ollama';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startScriptedServer, type Scenario, type ScriptedServer } from '../../support/scripted-server';
import { MODEL, rawRequest, readUntil } from './support';

const chunks = ['one ', 'two ', 'three ', 'four ', '<<<done>>>'];
const scenarios: Scenario[] = [
  { id: 'fail-once', match: 'fail once', faults: { http500: { times: 1, message: 'out of memory' } }, turns: [{ text: 'recovered <<<ok>>>' }] },
  { id: 'fail-always', match: 'fail always', faults: { http500: { status: 503 } }, turns: [{ text: 'never' }] },
  { id: 'fail-second-turn', match: 'fail on turn one', turns: [{ text: 'turn zero' }, { text: 'never', faults: { http500: true } }] },
  { id: 'proxy-page', match: 'proxy page', faults: { http500: { status: 502, message: '502 Bad Gateway', form: 'html' } }, turns: [{ text: 'never' }] },
  { id: 'flat-json', match: 'flat json', faults: { http500: { status: 400, message: 'bad things', form: 'flatJson' } }, turns: [{ text: 'never' }] },
  { id: 'rate-limited', match: 'rate limited', faults: { http500: { status: 429, retryAfterS: 7 } }, turns: [{ text: 'never' }] },
  { id: 'malformed', match: 'malformed line', faults: { malformedLine: 2 }, turns: [{ chunks }] },
  { id: 'drop', match: 'drop it', faults: { dropAfterChunks: 2 }, turns: [{ chunks }] },
  { id: 'stall-forever', match: 'stall forever', faults: { stallAfterChunks: 3 }, turns: [{ chunks }] },
  { id: 'stall-briefly', match: 'stall briefly', faults: { stallAfterChunks: 1, stallMs: 30 }, turns: [{ chunks }] },
  { id: 'slow-first', match: 'slow first token', faults: { slowFirstTokenMs: 60_000 }, turns: [{ chunks }] },
  { id: 'huge', match: 'huge reply', faults: { huge: 1_000_000 }, turns: [{ text: 'The end. <<<huge-done>>>' }] },
  { id: 'stream-error', match: 'error mid-stream', faults: { streamError: { afterChunks: 2, message: 'llama runner process has terminated' } }, turns: [{ chunks }] },
  { id: 'truncated', match: 'truncated context', faults: { promptEvalCount: 7 }, turns: [{ chunks }] },
];

let server: ScriptedServer;
let client: Ollama;
beforeEach(async () => {
  server = await startScriptedServer({ scenarios });
  client = new Ollama({ host: server.url });
});
afterEach(async () => {
  await server.close();
  expect(server.activeTimers).toBe(0);
  expect(server.openConnections).toBe(0);
});

const ask = (content: string): Array<{ role: string; content: string }> => [{ role: 'user', content }];
const chatBody = (question: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ model: MODEL, messages: ask(question), ...extra });

describe('http500', () => {
  it('fails the first request only when times is 1, as the client sees it', async () => {
    const error = await client.chat({ model: MODEL, messages: ask('fail once') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status_code: 500, error: 'out of memory' });
    const reply = await client.chat({ model: MODEL, messages: ask('fail once') });
    expect(reply.message.content).toBe('recovered <<<ok>>>');
  });

  it('uses the configured status, with an OpenAI error body on /v1', async () => {
    const res = await rawRequest(`${server.url}/v1/chat/completions`, 'POST', { model: MODEL, stream: true, messages: ask('fail always') });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ error: { type: 'server_error', message: expect.any(String) } });
  });

  it('form html: a proxy’s text/html error page; form flatJson: vLLM < 0.10’s top-level error fields', async () => {
    const page = await rawRequest(`${server.url}/v1/chat/completions`, 'POST', { model: MODEL, stream: true, messages: ask('proxy page') });
    expect(page.status).toBe(502);
    expect(page.headers['content-type']).toBe('text/html');
    expect(page.body).toContain('<title>502 Bad Gateway</title>');
    const flat = await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, messages: ask('flat json') });
    expect(flat.status).toBe(400);
    expect(JSON.parse(flat.body)).toEqual({ object: 'error', message: 'bad things', type: 'BadRequestError', param: null, code: 400 });
  });

  it('retryAfterS sends a Retry-After header', async () => {
    const res = await rawRequest(`${server.url}/v1/chat/completions`, 'POST', { model: MODEL, stream: true, messages: ask('rate limited') });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
  });

  it('can fail one turn only', async () => {
    expect((await client.chat({ model: MODEL, messages: ask('fail on turn one') })).message.content).toBe('turn zero');
    const next = [...ask('fail on turn one'), { role: 'assistant', content: '```python\nprint(1)\n```\nCode Execution Results:\n1\n' }];
    await expect(client.chat({ model: MODEL, messages: next })).rejects.toMatchObject({ status_code: 500 });
  });
});

describe('stream faults', () => {
  it('malformedLine writes one broken NDJSON line between valid ones', async () => {
    const res = await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, messages: ask('malformed line') });
    const lines = res.body.trim().split('\n');
    const broken = lines.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    expect(broken).toHaveLength(1);
    expect(lines.indexOf(broken[0] ?? '')).toBe(2);
    expect(lines).toHaveLength(chunks.length + 2);
  });

  it('malformedLine writes one broken SSE event', async () => {
    const res = await rawRequest(`${server.url}/v1/chat/completions`, 'POST', { model: MODEL, stream: true, messages: ask('malformed line') });
    const events = res.body.split('\n\n').filter((e) => e !== '' && e !== 'data: [DONE]');
    const broken = events.filter((e) => {
      try {
        JSON.parse(e.replace(/^data: /, ''));
        return false;
      } catch {
        return true;
      }
    });
    expect(broken).toHaveLength(1);
  });

  it('dropAfterChunks destroys the socket mid-stream: the reader fails and the log says dropped', async () => {
    const res = await fetch(`${server.url}/api/chat`, { method: 'POST', body: chatBody('drop it') });
    await expect(res.text()).rejects.toThrow();
    const record = await server.waitForRequest((r) => r.scenarioId === 'drop' && r.dropped);
    expect(record).toMatchObject({ chunksSent: 2, aborted: false, textSent: 'one two ' });
    expect(record.finishedAt).toBeUndefined();
  });

  it('dropAfterChunks also breaks a non-streaming reply', async () => {
    await expect(fetch(`${server.url}/api/chat`, { method: 'POST', body: chatBody('drop it', { stream: false }) }).then((r) => r.text())).rejects.toThrow();
  });

  it('stallAfterChunks without stallMs hangs until the client aborts, which is recorded', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/chat`, { method: 'POST', body: chatBody('stall forever'), signal: controller.signal });
    const seen = await readUntil(res, (text) => text.split('\n').length > 3);
    expect(seen.trim().split('\n')).toHaveLength(3);
    const stalled = await server.waitForRequest((r) => r.scenarioId === 'stall-forever' && r.chunksSent === 3);
    expect(stalled.aborted).toBe(false);
    controller.abort();
    const record = await server.waitForRequest((r) => r.scenarioId === 'stall-forever' && r.aborted);
    expect(record.chunksSent).toBe(3);
    expect(record.abortedAt).toBeGreaterThanOrEqual(record.receivedAt);
  });

  it('stallAfterChunks with stallMs pauses and then completes', async () => {
    const reply = await client.chat({ model: MODEL, messages: ask('stall briefly') });
    expect(reply.message.content).toBe(chunks.join(''));
  });

  it('slowFirstTokenMs holds back even the headers; an abort while waiting is recorded and clears the timer', async () => {
    const controller = new AbortController();
    const pending = fetch(`${server.url}/api/chat`, { method: 'POST', body: chatBody('slow first token'), signal: controller.signal });
    await server.waitForRequest((r) => r.scenarioId === 'slow-first');
    expect(server.activeTimers).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    const record = await server.waitForRequest((r) => r.scenarioId === 'slow-first' && r.aborted);
    expect(record.status).toBeUndefined();
    expect(record.chunksSent).toBe(0);
    expect(server.activeTimers).toBe(0);
  });

  it('huge sends about a megabyte before the scripted ending', async () => {
    let text = '';
    let parts = 0;
    for await (const part of await client.chat({ model: MODEL, stream: true, messages: ask('huge reply') })) {
      text += part.message.content;
      parts++;
    }
    expect(text.length).toBe(1_000_000);
    expect(text.endsWith('The end. <<<huge-done>>>')).toBe(true);
    expect(text.slice(0, -30)).not.toContain('<<<');
    expect(parts).toBeGreaterThan(900);
  });

  it('streamError: the official client throws the server’s mid-stream error; SSE gets an error event and no [DONE]', async () => {
    const seen: string[] = [];
    await expect(async () => {
      for await (const part of await client.chat({ model: MODEL, stream: true, messages: ask('error mid-stream') })) seen.push(part.message.content);
    }).rejects.toThrow('llama runner process has terminated');
    expect(seen).toEqual(['one ', 'two ']);
    const sse = await rawRequest(`${server.url}/v1/chat/completions`, 'POST', { model: MODEL, stream: true, messages: ask('error mid-stream') });
    const events = sse.body.split('\n\n').filter((e) => e !== '');
    expect(JSON.parse(events.at(-1)?.replace(/^data: /, '') ?? '')).toMatchObject({ error: { message: 'llama runner process has terminated', type: 'server_error' } });
    expect(sse.body).not.toContain('[DONE]');
  });

  it('promptEvalCount overrides the reported prompt tokens (simulated truncation)', async () => {
    const reply = await client.chat({ model: MODEL, messages: ask(`truncated context ${'y'.repeat(10_000)}`), options: { num_ctx: 32768 } });
    expect(reply.prompt_eval_count).toBe(7);
    const res = await rawRequest(`${server.url}/v1/chat/completions`, 'POST', { model: MODEL, messages: ask('truncated context') });
    expect(JSON.parse(res.body)).toMatchObject({ usage: { prompt_tokens: 7 } });
  });
});
