// The server's own error in a reply whose HTTP status says success: a whole body `{"error": …}`
// with HTTP 200 (proxies such as LiteLLM and OpenRouter, Ollama-API servers), an `{"error": …}`
// NDJSON line, a `data: {"error": …}` event — the error a string or an object. Every combination,
// on both backends, over real HTTP: the turn fails with the server's words (escaped, capped),
// never as an empty reply, "[object Object]" or a schema dump.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Scenario } from '../../support/scripted-server';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import type { ChatChunk } from '../../../src/agent/backends';
import { backendFor, closeLeavingNothing, KINDS, MODEL, solve } from './support';

/** A server message with a terminal escape, a line break and far more text than a message line holds. */
const LONG = `CUDA error: out of memory\u001b[2J\nwhile allocating ${'x'.repeat(3000)}`;

function scenario(id: string, faults: Scenario['faults'], extra: Partial<Scenario['turns'][number]> = {}): Scenario {
  return { id, match: `${id}?`, turns: [{ text: 'Partial answer so far, then <<<42>>>', ...extra, faults }] };
}

const FORMS = ['string', 'object'] as const;
/** vLLM < 0.10's flat `{"object": "error", "message"}` too, on the OpenAI-compatible API only (no Ollama-API server writes it). */
const FORMS_OF = { ollama: FORMS, openai: [...FORMS, 'flat'] } as const;

const SCENARIOS: Scenario[] = FORMS_OF.openai.flatMap((form) => [
  scenario(`ok-body-${form}`, { okErrorBody: { form, message: LONG } }),
  scenario(`ok-body-nonstream-${form}`, { okErrorBody: { form, message: LONG } }, { nonStream: true }),
  scenario(`line-first-${form}`, { streamError: { afterChunks: 0, form, message: LONG } }),
  scenario(`line-mid-${form}`, { streamError: { afterChunks: 2, form, message: LONG } }),
  // The same body labelled text/plain or not at all, with its length or chunked (proxies).
  ...(['text', 'none'] as const).flatMap((contentType) =>
    [false, true].map((chunked) => scenario(`ok-body-${contentType}-${chunked ? 'chunked' : 'sized'}-${form}`, { okErrorBody: { form, message: LONG, contentType, chunked } })),
  ),
]);
SCENARIOS.push(scenario('plain', undefined), scenario('whole', undefined, { nonStream: true }));

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer({ scenarios: SCENARIOS });
});
afterEach(() => closeLeavingNothing(server));

describe.each(KINDS)('%s backend: the server error in a successful reply', (kind) => {
  describe.each(FORMS_OF[kind])('error as %s', (form) => {
    it.each([
      ['the whole body, HTTP 200 (stream asked)', `ok-body-${form}?`],
      ['the whole body, HTTP 200 (the turn not streamed)', `ok-body-nonstream-${form}?`],
      ['the first line or event of the stream', `line-first-${form}?`],
      ['a line or event in the middle of the stream', `line-mid-${form}?`],
      ['the whole body, HTTP 200, as text/plain with its length', `ok-body-text-sized-${form}?`],
      ['the whole body, HTTP 200, as text/plain, chunked', `ok-body-text-chunked-${form}?`],
      ['the whole body, HTTP 200, no Content-Type, with its length', `ok-body-none-sized-${form}?`],
      ['the whole body, HTTP 200, no Content-Type, chunked', `ok-body-none-chunked-${form}?`],
    ])("%s: the turn fails with the server's own words, escaped and capped", async (_where, question) => {
      const { trajectory, events } = await solve(backendFor(kind, server.url), question);
      expect(trajectory.reason).toBe('error');
      expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'http' });
      const error = trajectory.error ?? '';
      expect(error).toContain('CUDA error: out of memory\\x1b[2J\\nwhile allocating xxx');
      expect(error).not.toMatch(/[\u0000-\u001f]/);
      expect(error).not.toMatch(/object Object|empty|expected|invalid_type|"error"/i);
      expect(error.length).toBeLessThan(800);
      expect(trajectory.answer).toBeNull();
    });
  });
});

describe('model listings answered with HTTP 200 and only an error (a proxy in front of the server)', () => {
  it.each(FORMS)("Ollama (error as %s): /api/tags, /api/ps, /api/version, /api/show and /api/pull say the server's words, not a schema report or [object Object]", async (form) => {
    const failing = await startScriptedServer({ scenarios: [], listingError: { form, message: 'upstream model server unavailable' } });
    try {
      const { OllamaBackend } = await import('../../../src/agent/backends/ollama');
      const backend = new OllamaBackend(failing.url);
      for (const call of [() => backend.listModels(), () => backend.listRunning(), () => backend.serverVersion(), () => backend.modelContextLength('qwen2.5-coder:7b')]) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ name: 'BackendError', kind: 'http' });
        expect(error instanceof Error ? error.message : '').toMatch(/answered \/api\/\w+ with an error: upstream model server unavailable$/);
      }
      const pull = await backend
        .pullModel('qwen2.5-coder:7b', () => undefined)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(pull).toMatchObject({ name: 'BackendError', kind: 'http' });
      expect(pull instanceof Error ? pull.message : '').toMatch(/failed: upstream model server unavailable$/);
    } finally {
      await failing.close();
    }
  });

  it.each(FORMS)("OpenAI-compatible (error as %s): /v1/models says the server's words", async (form) => {
    const failing = await startScriptedServer({ scenarios: [], listingError: { form, message: 'upstream model server unavailable' } });
    try {
      const error = await backendFor('openai', failing.url)
        .listModels()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toMatchObject({ name: 'BackendError', kind: 'http' });
      expect(error instanceof Error ? error.message : '').toContain('answered /models with an error: upstream model server unavailable');
    } finally {
      await failing.close();
    }
  });
});

describe('the cap on a server message never splits an escape or a character', () => {
  // Each message puts a character whose escape (or surrogate pair) straddles the 500-character cap.
  const CUT = [
    ['a control character (\\x1b)', `${'x'.repeat(498)}\u001b[2J after`],
    ['a bidi override (\\u202e)', `${'x'.repeat(497)}\u202e after`],
    ['a character outside the BMP', `${'x'.repeat(499)}\u{1F600} after`],
  ] as const;
  let cutting: ScriptedServer;
  beforeEach(async () => {
    cutting = await startScriptedServer({ scenarios: CUT.map(([, message], i) => scenario(`cut-${i}`, { http500: { status: 500, form: 'object', message } })) });
  });
  afterEach(() => closeLeavingNothing(cutting));

  describe.each(KINDS)('%s backend', (kind) => {
    it.each(CUT.map(([what], i) => [what, i] as const))('%s at the cap: the message ends before it, whole', async (_what, i) => {
      const { trajectory } = await solve(backendFor(kind, cutting.url), `cut-${i}?`);
      const error = trajectory.error ?? '';
      const shown = /HTTP 500: (x+[^…]*)…/.exec(error)?.[1] ?? '';
      expect(shown).toMatch(/^x+$/);
      expect(shown.length).toBeLessThanOrEqual(500);
      expect(error).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    });
  });
});

// A server seen to answer `stream: true` with one JSON reply has its later replies waited for whole
// (the `whole-reply` chunk: 30 minutes of silence allowed). Its error document under
// application/json is no reply: it must not buy every later request of the backend (an evaluation
// shares one) that allowance (s40 red team).
describe('an error document under application/json is not a reply that comes whole', () => {
  const ask = async (backend: ReturnType<typeof backendFor>, question: string): Promise<ChatChunk[]> => {
    const chunks: ChatChunk[] = [];
    const request = { model: MODEL, messages: [{ role: 'user' as const, content: question }], options: { temperature: 0 } };
    try {
      for await (const chunk of backend.streamChat(request, new AbortController().signal)) chunks.push(chunk);
    } catch {
      // the error document's turn fails; what matters is the next request
    }
    return chunks;
  };

  it.each(FORMS_OF.openai)('error as %s: the next request is not announced as a whole reply', async (form) => {
    const backend = backendFor('openai', server.url);
    await ask(backend, `ok-body-${form}?`);
    await ask(backend, `ok-body-nonstream-${form}?`);
    expect((await ask(backend, 'plain?')).map((c) => c.type)).not.toContain('whole-reply');
    // A reply that came whole is still remembered.
    await ask(backend, 'whole?');
    expect((await ask(backend, 'plain?'))[0]?.type).toBe('whole-reply');
  });
});
