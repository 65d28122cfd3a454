// A server still loading its model answers HTTP 503 and says so (llama.cpp "Loading model"; TGI and
// Hugging Face with `estimated_time`; any with Retry-After): the turn waits as the server asks and
// asks again, within the bounds of modelLoading.ts, showing each wait; a cancel ends the wait at
// once. Both backends, over real HTTP. The server asks for short waits (0–1 s, clamped to 1 s).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAgent } from '../../../src/agent/runAgent';
import type { AgentEvent } from '../../../src/agent/events';
import { loadingWaitMs, LOADING_DEFAULT_WAIT_MS, LOADING_MAX_WAIT_MS, LOADING_MIN_WAIT_MS } from '../../../src/agent/backends/modelLoading';
import type { Scenario } from '../../support/scripted-server';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { backendFor, closeLeavingNothing, KINDS, MODEL, solve } from './support';

function scenario(id: string, http500: NonNullable<Scenario['faults']>['http500'], faults: Scenario['faults'] = {}): Scenario {
  return { id, match: `${id}?`, turns: [{ text: 'Loaded at last.\n\n<<<42>>>' }], faults: { ...faults, http500 } };
}

/** Ollama's own 503 when OLLAMA_MAX_QUEUE requests already wait (ErrMaxQueue, ollama/ollama#4144). */
const OLLAMA_BUSY = 'server busy, please try again.  maximum pending requests exceeded';

const SCENARIOS: Scenario[] = [
  // llama.cpp's server while it loads: its error object, no Retry-After (here one of 0 s, clamped to 1 s).
  scenario('llamacpp-loading', { status: 503, times: 2, form: 'object', message: 'Loading model', retryAfterS: 0 }),
  // Hugging Face / TGI: `{"error": "Model … is currently loading", "estimated_time": …}`, no header.
  scenario('hf-loading', { status: 503, times: 2, form: 'string', message: 'Model qwen is currently loading', estimatedTimeS: 1.2 }),
  // A 503 with a Retry-After and no word of loading (maintenance, a gateway): unavailable for that long.
  scenario('unavailable-retry-after', { status: 503, times: 2, form: 'object', message: 'Service Unavailable', retryAfterS: 1 }),
  scenario('loading-forever', { status: 503, form: 'object', message: 'Loading model', retryAfterS: 1 }),
  scenario('loading-long', { status: 503, form: 'object', message: 'Loading model', retryAfterS: 3600 }),
  // A proxy in front of the server answering 502 with a Retry-After: the one retry waits what it asks.
  scenario('proxy-retry-after', { status: 502, times: 1, form: 'html', message: '502 Bad Gateway', retryAfterS: 1 }),
  // Each 503 takes 2 s to come (a server slow to refuse): the waiting cap counts that time too.
  scenario('loading-slowly', { status: 503, form: 'object', message: 'Loading model', retryAfterS: 0 }, { slowFirstTokenMs: 2000 }),
  // Ollama's queue is full: no Retry-After (a backoff), or with one (waited as asked).
  scenario('ollama-busy', { status: 503, times: 2, form: 'string', message: OLLAMA_BUSY }),
  scenario('ollama-busy-retry-after', { status: 503, times: 1, form: 'string', message: OLLAMA_BUSY, retryAfterS: 2 }),
  scenario('ollama-busy-forever', { status: 503, form: 'string', message: OLLAMA_BUSY }),
];

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer({ scenarios: SCENARIOS });
});
afterEach(() => closeLeavingNothing(server));

const retryWarnings = (events: readonly AgentEvent[]): string[] => events.flatMap((e) => (e.type === 'warning' && e.kind === 'retry' ? [e.message] : []));

/** Timers this process has pending (Node's own count; the scripted server's are counted apart). */
const pendingTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('loadingWaitMs', () => {
  it('waits what the server asked, within the bounds; the default when it named nothing', () => {
    expect(loadingWaitMs(0)).toBe(LOADING_MIN_WAIT_MS);
    expect(loadingWaitMs(7000)).toBe(7000);
    expect(loadingWaitMs(2531_000)).toBe(LOADING_MAX_WAIT_MS);
    expect(loadingWaitMs(undefined)).toBe(LOADING_DEFAULT_WAIT_MS);
  });
});

describe.each(KINDS)('%s backend: a server loading its model', (kind) => {
  it.each([
    ['llama.cpp\'s 503 "Loading model" with Retry-After', 'llamacpp-loading?', 'is still loading the model (HTTP 503: Loading model)', 1000],
    ["Hugging Face's 503 with estimated_time", 'hf-loading?', 'is still loading the model (HTTP 503: Model qwen is currently loading)', 1200],
    ['a 503 with Retry-After only', 'unavailable-retry-after?', 'is temporarily unavailable (HTTP 503: Service Unavailable)', 1000],
  ])('%s: waited for and asked again until it answers, each wait shown', async (_server, question, said, waitMs) => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), question);
    expect(trajectory.error).toBeUndefined();
    expect(trajectory.answer).toBe('42');
    const warnings = retryWarnings(events);
    expect(warnings).toHaveLength(2);
    for (const warning of warnings) {
      expect(warning).toContain(`${said}.`);
      expect(warning).toMatch(new RegExp(`Asking again in ${Math.ceil(waitMs / 1000)} s \\(at most 300 s in all`));
    }
    expect(trajectory.turns[0]?.stats?.retries).toBe(2);
    const chats = server.chatRequests();
    expect(chats).toHaveLength(3);
    // The server's wait was kept (a lower bound: a loaded machine only waits longer).
    for (let i = 1; i < chats.length; i++) expect((chats[i]?.receivedAt ?? 0) - (chats[i - 1]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(waitMs - 50);
  });

  it('still loading when the waiting cap is reached: the run ends with a clear message, not one more retry', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'loading-forever?', { maxLoadingWaitSeconds: 1 });
    expect(trajectory.reason).toBe('error');
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'http' });
    expect(trajectory.error).toMatch(
      /is still loading the model \(HTTP 503: Loading model\) — still loading after \d+ s of waiting \(at most 1 s are waited\); ask again once the server's log says the model is loaded\.$/,
    );
    expect(retryWarnings(events)).toHaveLength(1);
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('the waiting cap counts wall time from the first 503, the requests included, not only the waits', async () => {
    // Cap 3 s, waits of 1 s, each 503 taking 2 s: after one wait and one more slow 503, 3 s have
    // passed, and another wait would go past the cap (counting only the waits, it would not).
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'loading-slowly?', { maxLoadingWaitSeconds: 3 });
    expect(trajectory.reason).toBe('error');
    expect(trajectory.error).toMatch(/still loading after \d+ s of waiting \(at most 3 s are waited\)/);
    expect(retryWarnings(events)).toHaveLength(1);
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('Ollama\'s 503 "server busy" (its queue full): asked again after a backoff of 1 s, then 2 s, each wait shown', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'ollama-busy?');
    expect(trajectory.error).toBeUndefined();
    expect(trajectory.answer).toBe('42');
    const warnings = retryWarnings(events);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(`is busy (HTTP 503: ${OLLAMA_BUSY}). Asking again in 1 s (at most 300 s in all)…`);
    expect(warnings[1]).toMatch(/is busy \(HTTP 503: .*\)\. Asking again in 2 s \(at most 300 s in all, \d+ s waited so far\)…$/);
    const chats = server.chatRequests();
    expect(chats).toHaveLength(3);
    expect((chats[1]?.receivedAt ?? 0) - (chats[0]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
    expect((chats[2]?.receivedAt ?? 0) - (chats[1]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1950);
  });

  it('a busy server that names its wait (Retry-After) is asked again after that wait', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'ollama-busy-retry-after?');
    expect(trajectory.answer).toBe('42');
    expect(retryWarnings(events)).toEqual([expect.stringContaining('Asking again in 2 s')]);
    const [first, second] = server.chatRequests();
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1950);
  });

  it('a server busy beyond the waiting cap: the run ends saying so', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'ollama-busy-forever?', { maxLoadingWaitSeconds: 2 });
    expect(trajectory.reason).toBe('error');
    expect(trajectory.error).toMatch(/is busy \(HTTP 503: server busy.*\) — still busy after \d+ s of waiting \(at most 2 s are waited\); try again later, or raise OLLAMA_MAX_QUEUE on an Ollama server\.$/);
    // Waits of 1 s, then 2 s: the second would pass the cap.
    expect(retryWarnings(events)).toHaveLength(1);
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('a cancel during a long advertised wait ends the wait at once and leaves no timer behind', async () => {
    const controller = new AbortController();
    const before = pendingTimers();
    const events: AgentEvent[] = [];
    for await (const event of runAgent('loading-long?', { backend: backendFor(kind, server.url), model: MODEL, runner: null, protocol: 'chat', maxCodeCalls: 5, temperature: 0.6, signal: controller.signal })) {
      events.push(event);
      // The server asked for an hour: the wait is 30 s (the clamp), cancelled as soon as it is shown.
      if (event.type === 'warning' && event.kind === 'retry') controller.abort();
    }
    expect(retryWarnings(events)[0]).toContain('Asking again in 30 s');
    expect(events.at(-1)).toMatchObject({ type: 'done', reason: 'cancelled' });
    expect(server.chatRequests()).toHaveLength(1);
    await expect.poll(pendingTimers).toBeLessThanOrEqual(before);
  });

  it('a 502 with Retry-After (not loading): the one automatic retry waits as long as the server asks', async () => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), 'proxy-retry-after?');
    expect(trajectory.answer).toBe('42');
    const warnings = retryWarnings(events);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/HTTP 502: 502 Bad Gateway.*Retrying once in 1 s…$/);
    const [first, second] = server.chatRequests();
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
  });
});
