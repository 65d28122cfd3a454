// Every way a model server fails, against both backends: each ends in a clear message, nothing
// hangs, and nothing is left open (HTTP replies, server timers, Python processes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCodeRunner } from '../../../src/sandbox';
import type { Scenario } from '../../support/scripted-server';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { backendFor, closeLeavingNothing, KINDS, pythonDescendants, solve } from './support';

const ANSWER_TEXT = 'Twenty-one doubled is forty-two.\n\n<<<42>>>';

function scenario(id: string, faults: Scenario['faults'], extra: Partial<Scenario> = {}): Scenario {
  return { id, match: `${id}?`, turns: [{ text: ANSWER_TEXT }], ...(faults ? { faults } : {}), ...extra };
}

const SCENARIOS: Scenario[] = [
  scenario('plain', undefined),
  scenario('http500-always', { http500: true }),
  // Ollama's own 503 when its queue is full (OLLAMA_MAX_QUEUE): a transient failure, not a loading model.
  scenario('http500-once', { http500: { times: 1, status: 503, message: 'server busy, please try again.  maximum pending requests exceeded' } }),
  // A reverse proxy (nginx) in front of the model server, which is down: its HTML page.
  scenario('proxy-502', { http500: { status: 502, message: '502 Bad Gateway', form: 'html' } }),
  // vLLM < 0.10 refusing a prompt longer than --max-model-len (its ErrorResponse had no "error" wrapper).
  scenario('vllm-flat-400', {
    http500: { status: 400, form: 'flatJson', message: "This model's maximum context length is 4096 tokens. However, you requested 5120 tokens (4096 in the messages, 1024 in the completion)." },
  }),
  // A hosted API's rate limit (OpenRouter's free tier, Groq): 429 with Retry-After.
  scenario('rate-limited-once', { http500: { status: 429, times: 1, retryAfterS: 1, message: 'Rate limit exceeded: free-models-per-min' } }),
  scenario('rate-limited-long', { http500: { status: 429, retryAfterS: 3600, message: 'Rate limit exceeded: free-models-per-day' } }),
  // TGI refuses an over-long prompt with HTTP 422 (its validation errors), in its own words.
  // A 500 in vLLM < 0.10's shape, as a proxy or a gateway in front of the server may send it.
  scenario('flat-500', { http500: { status: 500, form: 'flatJson', message: 'engine crashed: CUDA error' } }),
  // Ollama (and its /v1) refusing `think` or `tools` for a model without that capability.
  scenario('no-thinking', { http500: { status: 400, message: '"qwen2.5-coder:7b" does not support thinking' } }),
  scenario('no-tools', { http500: { status: 400, message: 'registry.ollama.ai/library/gemma3:4b does not support tools' } }),
  // vLLM started without a tool-call parser, asked with tools.
  scenario('tools-without-parser', { http500: { status: 400, message: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set' } }),
  // llama.cpp's server started without --jinja (or with --no-jinja), asked with tools: HTTP 500
  // `{"error": {"code": 500, "message": "tools param requires --jinja flag", "type": "server_error"}}`
  // (oaicompat_chat_params_parse in tools/server/utils.hpp throws it as a runtime_error).
  scenario('tools-without-jinja', { http500: { status: 500, form: 'object', message: 'tools param requires --jinja flag' } }),
  scenario('tgi-422', {
    http500: { status: 422, message: 'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 3900 `inputs` tokens and 1024 `max_new_tokens`' },
  }),
  scenario('malformed', { malformedLine: 3 }),
  // Spaced chunks: bytes that arrive together with the reset are discarded by the HTTP client.
  scenario('dropped-mid-stream', { dropAfterChunks: 3 }, { perChunkDelayMs: 20 }),
  scenario('dropped-at-once', { dropAfterChunks: 0 }),
  // The body ends properly, but before the reply's end: no done line, no finish_reason, no [DONE].
  scenario('ended-early', { endAfterChunks: 3 }, { chunkSize: 8 }),
  scenario('slow-first-token', { slowFirstTokenMs: 400 }),
  scenario('never-starts', { slowFirstTokenMs: 60_000 }),
  scenario('stall-mid-stream', { stallAfterChunks: 2 }),
  scenario('stream-error', { streamError: { afterChunks: 2, message: 'CUDA error: out of memory' } }),
  scenario('huge', { huge: 1_048_576 }),
  {
    id: 'slow-stream',
    match: 'slow-stream?',
    perChunkDelayMs: 30,
    turns: [{ chunks: Array.from({ length: 100 }, (_, i) => `word${i} `).concat(['<<<late>>>']) }],
  },
];

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer({ scenarios: SCENARIOS });
});
afterEach(() => closeLeavingNothing(server));

describe.each(KINDS)('%s backend faults', (kind) => {
  const serverName = kind === 'ollama' ? 'Ollama' : 'OpenAI-compatible';

  it('answers normally (the baseline the faults are compared with)', async () => {
    const { trajectory } = await solve(backendFor(kind, server.url), 'plain?');
    expect(trajectory.answer).toBe('42');
    expect(trajectory.turns[0]?.stats?.outputTokens).toBeGreaterThan(0);
  });

  it('server down: says nothing listens there and how to fix it', async () => {
    const down = await startScriptedServer({ scenarios: [] });
    const url = down.url;
    await down.close();
    const started = Date.now();
    const { trajectory, events } = await solve(backendFor(kind, url), 'plain?');
    expect(trajectory.reason).toBe('error');
    expect(trajectory.error).toContain(`No ${serverName} server at`);
    expect(trajectory.error).toMatch(kind === 'ollama' ? /ollama serve|r1ci\.ollama\.host/ : /r1ci\.openai\.baseUrl/);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'server-unreachable' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a kept-alive connection the server closed as it was reused: the request goes again on a new connection, and the user sees nothing', async () => {
    // Servers close idle kept-alive connections (uvicorn, so vLLM: after 5 s); when the close
    // crosses the client's next request on that connection, the request meets a reset.
    const closer = await startScriptedServer({ scenarios: SCENARIOS, resetReusedConnections: 1 });
    try {
      const backend = backendFor(kind, closer.url);
      expect((await solve(backend, 'plain?')).trajectory.answer).toBe('42');
      const { trajectory, events } = await solve(backend, 'plain?');
      expect(trajectory.error).toBeUndefined();
      expect(trajectory.answer).toBe('42');
      expect(events.filter((e) => e.type === 'warning')).toEqual([]);
      expect(closer.requests.filter((r) => r.dropped)).toHaveLength(1);
    } finally {
      await closer.close();
    }
  });

  it('unknown model: says the model is missing', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'plain?', { model: 'no-such-model:1b' });
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'model-missing' });
    expect(trajectory.error).toContain('no-such-model:1b');
    if (kind === 'ollama') expect(trajectory.error).toContain('ollama pull no-such-model:1b');
  });

  it('HTTP 500 every time: retries once, then reports the status and the server message', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'http500-always?');
    expect(trajectory.reason).toBe('error');
    expect(trajectory.error).toContain('HTTP 500');
    expect(trajectory.error).toContain('injected internal server error');
    // And what to do about it (RFC 9110: a 500 is a failure inside the server).
    expect(trajectory.error).toMatch(/HTTP 500: scripted server: injected internal server error — the server failed on its own side: if you run it, its log says why/);
    const retries = events.filter((e) => e.type === 'warning' && e.kind === 'retry');
    expect(retries).toHaveLength(1);
    // Two sentences, not run together: the server's message ends before "Retrying once…".
    expect(retries[0]?.type === 'warning' ? retries[0].message : '').toMatch(/injected internal server error — .*a common cause\)\. Retrying once…$/);
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('HTTP 503 once: the automatic retry succeeds', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'http500-once?');
    expect(trajectory.answer).toBe('42');
    const warning = events.find((e) => e.type === 'warning');
    expect(warning).toMatchObject({ kind: 'retry' });
    expect(warning?.type === 'warning' ? warning.message : '').toContain('maximum pending requests exceeded');
    expect(trajectory.turns[0]?.stats?.retries).toBe(1);
    expect(server.chatRequests()).toHaveLength(2);
  });

  it("a proxy's HTML error page (502) is reported by its title, not as raw markup, and nothing is written to stdout", async () => {
    // The ollama client logs "Getting text from response" with console.log before reading a
    // non-JSON error body: on `r1ci solve --json` or `r1ci mcp` (JSON-RPC on stdout) that line
    // would corrupt the output.
    const logged = vi.spyOn(console, 'log');
    try {
      const { trajectory, events } = await solve(backendFor(kind, server.url), 'proxy-502?');
      expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'http' });
      expect(trajectory.error).toContain('HTTP 502');
      expect(trajectory.error).toContain(
        '502 Bad Gateway — a proxy or gateway in front of the model got no valid answer from it: if you run the model server, check that it is up behind the proxy; otherwise try again later',
      );
      expect(trajectory.error).not.toMatch(/<|nginx/);
      expect(logged).not.toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });

  it("an error body in a shape other than the server's own (a proxy in front of it: vLLM < 0.10, OpenAI wrappers) is read for its message", async () => {
    const { trajectory } = await solve(backendFor(kind, server.url), 'flat-500?');
    expect(trajectory.error).toContain('HTTP 500: engine crashed: CUDA error');
    expect(trajectory.error).not.toContain('Internal Server Error');
  });

  it.each([
    ['no-thinking?', /does not support thinking — set "r1ci\.think" to auto or off/],
    ['no-tools?', /does not support tools — set "r1ci\.protocol" to chat or auto/],
    ['tools-without-parser?', /--tool-call-parser to be set — set "r1ci\.protocol" to chat or auto/],
  ])('a model refused a feature it lacks (%s): the error names the setting that fixes it', async (question, advice) => {
    const { trajectory } = await solve(backendFor(kind, server.url), question);
    expect(trajectory.error).toMatch(advice);
  });

  it('a malformed line ends the reply with a protocol error instead of silently losing text', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'malformed?');
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'protocol' });
    expect(trajectory.error).toContain('malformed');
    expect(trajectory.error).toContain('unterminat');
    expect(trajectory.answer).toBeNull();
  });

  it('the body ends cleanly mid-reply (no done line, no finish_reason, no [DONE]): reported as cut short, the partial text never taken as the answer', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'ended-early?');
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'connection-lost' });
    expect(trajectory.reason).toBe('error');
    expect(trajectory.error).toContain(`The ${serverName} server at`);
    expect(trajectory.error).toContain('closed the connection before the reply was complete');
    expect(trajectory.answer).toBeNull();
  });

  it('connection dropped mid-stream: says the server closed the connection (no retry after tokens were shown)', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'dropped-mid-stream?');
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'connection-lost' });
    expect(trajectory.error).toContain('closed the connection before the reply was complete');
    expect(events.some((e) => e.type === 'warning')).toBe(false);
    expect(server.chatRequests()).toHaveLength(1);
    expect(server.chatRequests()[0]?.dropped).toBe(true);
  });

  it('connection dropped before any token: retried once, then reported', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'dropped-at-once?');
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'connection-lost' });
    expect(events.filter((e) => e.type === 'warning' && e.kind === 'retry')).toHaveLength(1);
    expect(trajectory.error).toContain(serverName);
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('a slow first token within the first-token allowance is waited for', async () => {
    const { trajectory } = await solve(backendFor(kind, server.url), 'slow-first-token?', { stallSeconds: 0.2, firstTokenSeconds: 5 });
    expect(trajectory.answer).toBe('42');
    expect(trajectory.turns[0]?.stats?.firstTokenMs).toBeGreaterThanOrEqual(390);
  });

  it('a server that never starts answering ends as stalled, with its request aborted', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'never-starts?', { stallSeconds: 0.2, firstTokenSeconds: 0.3 });
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'stalled' });
    expect(trajectory.error).toContain('did not start answering within 0.3 s');
    expect(trajectory.error).toContain('r1ci.stallSeconds');
    expect(server.chatRequests()).toHaveLength(2);
    await expect.poll(() => server.chatRequests().every((r) => r.aborted)).toBe(true);
  });

  it('a stall mid-stream ends with a clear error and the request aborted', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'stall-mid-stream?', { stallSeconds: 0.3 });
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'stalled' });
    expect(trajectory.error).toContain('stalled: no token for 0.3 s');
    expect(trajectory.turns[0]?.text.length).toBeGreaterThan(0);
    await expect.poll(() => server.chatRequests()[0]?.aborted).toBe(true);
  });

  it("the server's own mid-stream error is shown", async () => {
    const { trajectory } = await solve(backendFor(kind, server.url), 'stream-error?');
    expect(trajectory.reason).toBe('error');
    expect(trajectory.error).toContain('CUDA error: out of memory');
  });

  it('a 1 MB reply streams completely and the answer at its end is found', async () => {
    const { trajectory } = await solve(backendFor(kind, server.url), 'huge?');
    expect(trajectory.answer).toBe('42');
    expect(trajectory.turns[0]?.text.length).toBeGreaterThanOrEqual(1_000_000);
  });

  it('cancel aborts the HTTP request: the server stops streaming long before the reply ends', async () => {
    const controller = new AbortController();
    let tokens = 0;
    const backend = backendFor(kind, server.url);
    const events: string[] = [];
    const { runAgent } = await import('../../../src/agent/runAgent');
    for await (const e of runAgent('slow-stream?', { backend, model: 'qwen2.5-coder:7b', runner: null, protocol: 'chat', maxCodeCalls: 5, temperature: 0.6, signal: controller.signal })) {
      events.push(e.type);
      if (e.type === 'token' && ++tokens === 3) {
        controller.abort();
      }
    }
    expect(events.at(-1)).toBe('done');
    const [chat] = server.chatRequests();
    await expect.poll(() => chat?.aborted).toBe(true);
    // The reply has 101 chunks, 30 ms apart; an abort that reached the server stops it within a few
    // (how fast is a benchmark's business, not a unit test's).
    expect(chat?.chunksSent).toBeLessThan(20);
  });

  if (kind === 'openai')
    it("vLLM < 0.10's error body (message at the top level) is read: a context overflow, in the server's words", async () => {
      const { trajectory, events } = await solve(backendFor(kind, server.url), 'vllm-flat-400?');
      expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'context-overflow' });
      expect(trajectory.error).toContain("the server said: This model's maximum context length is 4096 tokens.");
      expect(trajectory.error).not.toContain('"object"');
    });

  if (kind === 'openai')
    it("llama.cpp's HTTP 500 for tools without --jinja names the flag and the setting that help, not a failure inside the server", async () => {
      const { trajectory } = await solve(backendFor(kind, server.url), 'tools-without-jinja?', { protocol: 'tools' });
      expect(trajectory.error).toMatch(/HTTP 500: tools param requires --jinja flag — start llama-server with --jinja.*set "r1ci\.protocol" to chat or auto/);
      expect(trajectory.error).not.toMatch(/GPU|on its own side/);
      // A configuration to change is not retried (s40: it was, once, before its advice showed).
      expect(server.chatRequests().filter((r) => r.question?.includes('tools-without-jinja'))).toHaveLength(1);
    });

  if (kind === 'openai')
    it("TGI's 422 for a prompt over its token limit is a context overflow, in the server's words", async () => {
      const { trajectory, events } = await solve(backendFor(kind, server.url), 'tgi-422?');
      expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'context-overflow' });
      expect(trajectory.error).toContain('`inputs` tokens + `max_new_tokens` must be <= 4096');
    });

  {
    // Ollama's cloud models and proxies in front of Ollama (Open WebUI, LiteLLM) rate-limit too.
    it('HTTP 429 with Retry-After: the one retry waits as long as the server asks, then succeeds', async () => {
      const { trajectory, events } = await solve(backendFor(kind, server.url), 'rate-limited-once?');
      expect(trajectory.answer).toBe('42');
      const warning = events.find((e) => e.type === 'warning');
      expect(warning).toMatchObject({ kind: 'retry' });
      expect(warning?.type === 'warning' ? warning.message : '').toMatch(/limiting the rate.*free-models-per-min.*Retrying once in 1 s…$/);
      const [first, second] = server.chatRequests();
      expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
    });

    it('HTTP 429 asking for a wait longer than a retry is worth: no retry, the error says how long', async () => {
      const { trajectory, events } = await solve(backendFor(kind, server.url), 'rate-limited-long?');
      expect(trajectory.reason).toBe('error');
      expect(trajectory.error).toContain('HTTP 429: Rate limit exceeded: free-models-per-day');
      expect(trajectory.error).toContain('wait 3600 s');
      expect(events.some((e) => e.type === 'warning' && e.kind === 'retry')).toBe(false);
      expect(server.chatRequests()).toHaveLength(1);
    });
  }

  it('leaves no Python process behind after a fault in a run that executed code', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'r1ci-backend-faults-'));
    server.setScenarios([...SCENARIOS, { id: 'code-then-drop', match: 'code-then-drop?', turns: [{ text: 'Compute:\n```python\nprint(6 * 7)\n```\n' }, { text: 'So the answer is', faults: { dropAfterChunks: 2 } }] }]);
    const runner = await createCodeRunner({ scratchDir: scratch });
    try {
      const { trajectory, events } = await solve(backendFor(kind, server.url), 'code-then-drop?', { runner, protocol: 'r1ci' });
      expect(trajectory.turns[0]?.cell?.result?.stdout.trim()).toBe('42');
      expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'connection-lost' });
    } finally {
      await runner.dispose();
      rmSync(scratch, { recursive: true, force: true });
    }
    await expect.poll(() => pythonDescendants()).toEqual([]);
  });
});
