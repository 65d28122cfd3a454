// Byte-level checks of the two wire formats, read with node:http and plain fetch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedServer, type Scenario, type ScriptedServer } from '../../support/scripted-server';
import { MODEL, rawRequest } from './support';

const scenarios: Scenario[] = [
  { id: 'hello', match: 'say hello', turns: [{ chunks: ['Hel', 'lo ', 'wor', 'ld <<<hi>>>'] }] },
  { id: 'unicode', match: 'unicode please', chunkSize: 1, turns: [{ text: 'é🙂z' }] },
];

let server: ScriptedServer;
const KEY = 'sk-test-123';

beforeAll(async () => {
  server = await startScriptedServer({ scenarios, apiKey: KEY });
});
afterAll(async () => {
  await server.close();
});

const ask = (content: string): Array<{ role: string; content: string }> => [{ role: 'user', content }];

describe('Ollama /api/chat NDJSON', () => {
  it('writes one JSON object per line, in Ollama’s key order, ending with the done line', async () => {
    const res = await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, messages: ask('say hello') });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.body.endsWith('}\n')).toBe(true);
    const lines = res.body.slice(0, -1).split('\n');
    expect(lines).toHaveLength(5);
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.slice(0, 4).map((o) => Object.keys(o))).toEqual(Array(4).fill(['model', 'created_at', 'message', 'done']));
    expect(objects.slice(0, 4).map((o) => o['message'])).toEqual(['Hel', 'lo ', 'wor', 'ld <<<hi>>>'].map((content) => ({ role: 'assistant', content })));
    const last = objects[4] ?? {};
    expect(Object.keys(last)).toEqual(['model', 'created_at', 'message', 'done_reason', 'done', 'total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration']);
    expect(last).toMatchObject({ model: MODEL, done: true, done_reason: 'stop', eval_count: 4, message: { role: 'assistant', content: '' } });
    expect(String(last['created_at'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    for (const key of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration']) {
      expect(Number.isInteger(last[key])).toBe(true);
    }
  });

  it('streams by default (no "stream" field) and answers in one JSON object with stream:false', async () => {
    const single = await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, stream: false, messages: ask('say hello') });
    expect(single.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(single.body)).toMatchObject({ done: true, done_reason: 'stop', eval_count: 4, message: { role: 'assistant', content: 'Hello world <<<hi>>>' } });
  });

  it('never splits a character: each chunk is valid UTF-8 text', async () => {
    const res = await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, messages: ask('unicode please') });
    const contents = res.body
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { message: { content: string } }).message.content);
    expect(contents).toEqual(['é', '🙂', 'z', '']);
  });

  it('honours stop sequences and num_predict like a real server', async () => {
    const stopped = await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, stream: false, messages: ask('say hello'), options: { stop: ['wor'] } });
    expect(JSON.parse(stopped.body)).toMatchObject({ done_reason: 'stop', message: { content: 'Hello ' } });
    const limited = await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, stream: false, messages: ask('say hello'), options: { num_predict: 2 } });
    expect(JSON.parse(limited.body)).toMatchObject({ done_reason: 'length', eval_count: 2, message: { content: 'Hello ' } });
  });

  it('reports a deterministic prompt token estimate, capped by num_ctx (silent truncation)', async () => {
    const long = `say hello ${'x'.repeat(40_000)}`;
    const body = (numCtx?: number): unknown => ({ model: MODEL, stream: false, messages: ask(long), ...(numCtx ? { options: { num_ctx: numCtx } } : {}) });
    const a = JSON.parse((await rawRequest(`${server.url}/api/chat`, 'POST', body(32768))).body) as { prompt_eval_count: number };
    const b = JSON.parse((await rawRequest(`${server.url}/api/chat`, 'POST', body(32768))).body) as { prompt_eval_count: number };
    expect(a.prompt_eval_count).toBe(b.prompt_eval_count);
    expect(a.prompt_eval_count).toBe(4 + Math.ceil(long.length / 4));
    const defaulted = JSON.parse((await rawRequest(`${server.url}/api/chat`, 'POST', body())).body) as { prompt_eval_count: number };
    expect(defaulted.prompt_eval_count).toBe(4096);
  });

  it('answers errors with Ollama’s bodies', async () => {
    const missing = await rawRequest(`${server.url}/api/chat`, 'POST', { model: 'x', messages: ask('say hello') });
    expect(missing.status).toBe(404);
    expect(missing.body).toBe('{"error":"model \\"x\\" not found, try pulling it first"}');
    const noModel = await rawRequest(`${server.url}/api/chat`, 'POST', { messages: ask('say hello') });
    expect([noModel.status, noModel.body]).toEqual([400, '{"error":"model is required"}']);
    const root = await rawRequest(`${server.url}/`, 'GET');
    expect([root.status, root.body]).toEqual([200, 'Ollama is running']);
    const unknown = await rawRequest(`${server.url}/api/nothing`, 'GET');
    expect(unknown.status).toBe(404);
  });
});

describe('OpenAI-compatible /v1/chat/completions SSE', () => {
  const auth = { Authorization: `Bearer ${KEY}` };

  it('streams data: events, role first, finish_reason stop, a usage chunk, then [DONE]', async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...auth },
      body: JSON.stringify({ model: MODEL, stream: true, stream_options: { include_usage: true }, messages: ask('say hello') }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await res.text();
    const events = text.split('\n\n');
    expect(events.pop()).toBe('');
    expect(events.every((e) => e.startsWith('data: ') && !e.includes('\n'))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)) as Record<string, unknown>);
    const ids = new Set(chunks.map((c) => c['id']));
    expect(ids.size).toBe(1);
    expect(chunks.every((c) => c['object'] === 'chat.completion.chunk' && c['model'] === MODEL && Number.isInteger(c['created']))).toBe(true);
    const choices = chunks.map((c) => c['choices'] as Array<{ index: number; delta: { role?: string; content?: string }; finish_reason: string | null }>);
    expect(choices[0]?.[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(choices.slice(1, 5).map((c) => c[0]?.delta.content)).toEqual(['Hel', 'lo ', 'wor', 'ld <<<hi>>>']);
    expect(choices.slice(0, 5).every((c) => c[0]?.finish_reason === null)).toBe(true);
    expect(choices[5]?.[0]).toMatchObject({ index: 0, delta: {}, finish_reason: 'stop' });
    expect(chunks[6]).toMatchObject({ choices: [], usage: { completion_tokens: 4, prompt_tokens: 4 + Math.ceil('say hello'.length / 4) } });
    expect(chunks.slice(0, 6).every((c) => c['usage'] === null)).toBe(true);
  });

  it('omits usage fields without include_usage, and answers non-streaming requests', async () => {
    const streamed = await rawRequest(`${server.url}/v1/chat/completions`, 'POST', { model: MODEL, stream: true, messages: ask('say hello') }, auth);
    expect(streamed.body).not.toContain('usage');
    expect(streamed.body.endsWith('data: [DONE]\n\n')).toBe(true);
    const single = await rawRequest(`${server.url}/v1/chat/completions`, 'POST', { model: MODEL, messages: ask('say hello') }, auth);
    expect(JSON.parse(single.body)).toMatchObject({
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello world <<<hi>>>' }, finish_reason: 'stop' }],
      usage: { completion_tokens: 4 },
    });
  });

  it('lists models and checks the bearer key with OpenAI-style errors', async () => {
    const models = await rawRequest(`${server.url}/v1/models`, 'GET', undefined, auth);
    expect(JSON.parse(models.body)).toEqual({
      object: 'list',
      data: [
        { id: 'r1-code-interpreter:7b', object: 'model', created: expect.any(Number), owned_by: 'library' },
        { id: MODEL, object: 'model', created: expect.any(Number), owned_by: 'library' },
      ],
    });
    for (const headers of [{}, { Authorization: 'Bearer wrong' }] as Array<Record<string, string>>) {
      const denied = await rawRequest(`${server.url}/v1/chat/completions`, 'POST', { model: MODEL, messages: ask('say hello') }, headers);
      expect(denied.status).toBe(401);
      expect(JSON.parse(denied.body)).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key', message: expect.any(String) } });
    }
    const unknown = await rawRequest(`${server.url}/v1/chat/completions`, 'POST', { model: 'gpt-x', messages: ask('say hello') }, auth);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ error: { code: 'model_not_found' } });
  });

  it('accepts content given as a list of text parts', async () => {
    const res = await rawRequest(`${server.url}/v1/chat/completions`, 'POST', { model: MODEL, messages: [{ role: 'user', content: [{ type: 'text', text: 'say hello' }] }] }, auth);
    expect(JSON.parse(res.body)).toMatchObject({ choices: [{ message: { content: 'Hello world <<<hi>>>' } }] });
  });
});
