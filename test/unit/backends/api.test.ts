// The vscode-free backend API the UI calls (model list with sizes, /api/ps, pull with progress,
// version), OpenAI-compatible specifics (API key, R1-CI continuation), and context truncation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackendError, createBackend, OllamaBackend, OpenAiBackend, resolveOllamaHost } from '../../../src/agent/backends';
import type { PullProgress } from '../../../src/agent/backends';
import { createCodeRunner } from '../../../src/sandbox';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { expectChatsSettled, MODEL, solve } from './support';
import { symbenchQuestion } from '../../support/sharedTasks';

const root = resolve(__dirname, '..', '..', '..');
const FOUNDATION = join(root, 'test', 'scenarios', 'foundation.json');
const newOperatorQuestion = symbenchQuestion(undefined, 'new_operator_dataset', 0);

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer({ scenarios: FOUNDATION, apiKey: 'sk-test-key', pullable: ['tinyllama:1.1b'], pullStepDelayMs: 5 });
});
afterEach(async () => {
  await expectChatsSettled(server);
  await server.close();
  expect(server.openConnections).toBe(0);
  expect(server.activeTimers).toBe(0);
});

describe('Ollama model management', () => {
  it('lists installed models with their sizes and details', async () => {
    const models = await new OllamaBackend(server.url).listModels();
    expect(models.map((m) => m.name)).toEqual(['r1-code-interpreter:7b', 'qwen2.5-coder:7b']);
    expect(models[0]).toMatchObject({ sizeBytes: 4_683_087_332, parameterSize: '7.6B', quantization: 'Q4_K_M', family: 'qwen2' });
    expect(models[0]?.modifiedAt).toMatch(/^2025-09-01T12:00:00/);
  });

  it('reports the server version and, from /api/ps, whether a model is loaded and on the GPU', async () => {
    const backend = createBackend({ kind: 'ollama', ollamaHost: server.url });
    expect(await backend.serverVersion()).toBe('0.12.0');
    expect(await backend.listRunning()).toEqual([]);
    await solve(backend, 'total score of the string ABBBA?');
    const running = await backend.listRunning();
    expect(running).toHaveLength(1);
    expect(running[0]).toMatchObject({ name: MODEL, processor: 'gpu', gpuPercent: 100, vramBytes: 4_683_087_332, contextLength: 4096 });
    expect(Date.parse(running[0]?.expiresAt ?? '')).toBeGreaterThan(Date.now());
  });

  it("reads /api/tags, /api/ps and /api/show whose optional fields are null (a proxy passing on ollama-python's models, ollama/_types.py: `Optional[…] = None`) as if they were absent", async () => {
    const nully = await startScriptedServer({ scenarios: FOUNDATION, models: [{ name: MODEL, nullFields: true, capabilities: ['completion'] }] });
    try {
      const backend = new OllamaBackend(nully.url);
      const models = await backend.listModels();
      expect(models).toEqual([{ name: MODEL, sizeBytes: undefined, parameterSize: undefined, quantization: undefined, family: undefined, modifiedAt: expect.stringMatching(/^2025-09-01/) as unknown }]);
      expect(await backend.modelCapabilities(MODEL)).toBeNull();
      expect(await backend.modelContextLength(MODEL)).toBeNull();
      const run = await solve(backend, 'total score of the string ABBBA?');
      expect(run.trajectory.answer).toBe('2');
      expect(await backend.listRunning()).toEqual([{ name: MODEL, sizeBytes: 4_683_087_332, vramBytes: 0, gpuPercent: 0, processor: 'cpu', expiresAt: undefined, contextLength: undefined }]);
    } finally {
      await expectChatsSettled(nully);
      await nully.close();
    }
  });

  it('reads a model context length from /api/show', async () => {
    expect(await new OllamaBackend(server.url).modelContextLength(MODEL)).toBe(32768);
  });

  it('pulls a model with progress, after which it is listed', async () => {
    const backend = new OllamaBackend(server.url);
    const steps: PullProgress[] = [];
    await backend.pullModel('tinyllama:1.1b', (p) => steps.push(p));
    expect(steps[0]?.status).toBe('pulling manifest');
    expect(steps.at(-1)?.status).toBe('success');
    const layer = steps.filter((s) => s.fraction !== undefined);
    expect(layer.map((s) => s.fraction)).toContain(0.5);
    expect(layer.at(-1)?.completedBytes).toBe(layer.at(-1)?.totalBytes);
    expect((await backend.listModels()).map((m) => m.name)).toContain('tinyllama:1.1b');
  });

  it('a name the registry does not know fails the pull with a clear message', async () => {
    const error = await new OllamaBackend(server.url).pullModel('no-such-model:1b', () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).kind).toBe('model-missing');
    expect((error as BackendError).message).toContain('could not pull "no-such-model:1b"');
  });

  it('cancelling a pull aborts its HTTP request', async () => {
    const slow = await startScriptedServer({ scenarios: [], pullStepDelayMs: 200 });
    try {
      const controller = new AbortController();
      const steps: string[] = [];
      const pulled = new OllamaBackend(slow.url).pullModel(
        'tinyllama:1.1b',
        (p) => {
          steps.push(p.status);
          if (steps.length === 2) controller.abort();
        },
        controller.signal,
      );
      await expect(pulled).rejects.toThrow(/abort|cancel/i);
      await expect.poll(() => slow.requests.find((r) => r.path === '/api/pull')?.aborted).toBe(true);
      expect(steps).toHaveLength(2);
    } finally {
      await slow.close();
    }
    expect(slow.activeTimers).toBe(0);
  });

  it('a host that is not Ollama is named as such', async () => {
    const error = await new OllamaBackend(`${server.url}/v1`).listModels().catch((e: unknown) => e);
    expect((error as BackendError).kind).toBe('wrong-server');
    expect((error as BackendError).message).toContain('r1ci.ollama.host');
  });

  it('resolves the host setting, then OLLAMA_HOST, then the default', () => {
    expect(resolveOllamaHost('', {})).toBe('http://127.0.0.1:11434');
    expect(resolveOllamaHost(undefined, { OLLAMA_HOST: '0.0.0.0' })).toBe('http://127.0.0.1:11434');
    expect(resolveOllamaHost(undefined, { OLLAMA_HOST: 'gpu-box:8080' })).toBe('http://gpu-box:8080');
    expect(resolveOllamaHost('http://localhost:9999/', { OLLAMA_HOST: 'ignored:1' })).toBe('http://localhost:9999');
  });

  // The forms of OLLAMA_HOST the ollama CLI (envconfig.Host) and the official JS client
  // (formatHost) both read: a value that works for `ollama list` reaches the same server here.
  it('reads OLLAMA_HOST (and the host setting) as the ollama CLI does', () => {
    const host = (value: string) => resolveOllamaHost(undefined, { OLLAMA_HOST: value });
    expect(host(':11500')).toBe('http://127.0.0.1:11500'); // a port alone: this machine
    expect(host('gpu-box')).toBe('http://gpu-box:11434'); // no scheme: Ollama's port
    expect(host('[::1]')).toBe('http://[::1]:11434');
    expect(host('0.0.0.0:8080')).toBe('http://127.0.0.1:8080');
    // A scheme written out without a port means that scheme's port, as in any URL (a reverse proxy).
    expect(host('http://ollama.lan')).toBe('http://ollama.lan');
    expect(host('https://ollama.lan/base/')).toBe('https://ollama.lan/base');
    expect(host('gpu-box:80/base')).toBe('http://gpu-box/base');
    expect(host('http://gpu-box:11434')).toBe('http://gpu-box:11434');
    expect(resolveOllamaHost(':9999', {})).toBe('http://127.0.0.1:9999');
  });
});

describe('OpenAI-compatible backend', () => {
  it('lists /v1/models with the API key as a bearer token', async () => {
    const backend = createBackend({ kind: 'openai', openaiBaseUrl: `${server.url}/v1`, apiKey: 'sk-test-key' });
    expect((await backend.listModels()).map((m) => m.name)).toEqual(['r1-code-interpreter:7b', 'qwen2.5-coder:7b']);
    expect(server.requests.at(-1)?.authorization).toBe('Bearer sk-test-key');
    expect(await backend.serverVersion()).toBeNull();
  });

  it('appends /v1 to a bare server URL', () => {
    expect(new OpenAiBackend({ baseUrl: 'http://127.0.0.1:8000' }).baseUrl).toBe('http://127.0.0.1:8000/v1');
    expect(new OpenAiBackend({ baseUrl: 'http://127.0.0.1:8000/v1/' }).baseUrl).toBe('http://127.0.0.1:8000/v1');
  });

  it('a missing or wrong API key says how to set it', async () => {
    const { trajectory, events } = await solve(new OpenAiBackend({ baseUrl: `${server.url}/v1`, apiKey: 'wrong' }), 'total score of the string ABBBA?');
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'auth' });
    expect(trajectory.error).toContain('HTTP 401');
    expect(trajectory.error).toContain('Set API Key');
    // No key at all: the server did not refuse one, it wants one.
    const keyless = await solve(new OpenAiBackend({ baseUrl: `${server.url}/v1` }), 'total score of the string ABBBA?');
    expect(keyless.trajectory.error).toMatch(/needs an API key \(HTTP 401: .*\) — set it with "R1 Code Interpreter: Set API Key"\.$/);
    expect(keyless.trajectory.error).not.toContain('refused');
  });

  it("R1-CI mode continues the assistant message: continue_final_message only when the last message is the assistant's", async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'r1ci-openai-r1ci-'));
    const runner = await createCodeRunner({ scratchDir: scratch });
    try {
      const { trajectory } = await solve(new OpenAiBackend({ baseUrl: `${server.url}/v1`, apiKey: 'sk-test-key' }), newOperatorQuestion, { runner, protocol: 'r1ci' });
      expect(trajectory.answer).toBe('90.0');
      const [first, second] = server.chatRequests();
      expect(first?.body).toMatchObject({ stream: true, stream_options: { include_usage: true }, temperature: 0.6 });
      expect(first?.body).not.toHaveProperty('continue_final_message');
      expect(second?.messages?.at(-1)?.role).toBe('assistant');
      expect(second?.body).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
      expect(second?.problems).toEqual([]);
      // Usage statistics come from the include_usage chunk.
      expect(trajectory.turns[1]?.stats?.promptTokens).toBeGreaterThan(0);
      expect(trajectory.turns[1]?.stats?.outputTokens).toBeGreaterThan(0);
      expect(trajectory.turns[1]?.stats?.tokensPerSecond).toBeGreaterThan(0);
    } finally {
      await runner.dispose();
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('chat mode sends no continuation fields', async () => {
    const { trajectory } = await solve(new OpenAiBackend({ baseUrl: `${server.url}/v1`, apiKey: 'sk-test-key' }), 'total score of the string ABBBA?', { seed: 7 });
    expect(trajectory.answer).toBe('2');
    const body = server.chatRequests()[0]?.body;
    expect(body).toMatchObject({ seed: 7 });
    expect(body).not.toHaveProperty('continue_final_message');
  });
});

describe('context window (Ollama)', () => {
  const long = `total score of the string ABBBA? ${'Some background the user pasted. '.repeat(200)}`;

  it('sends num_ctx, seed and temperature', async () => {
    await solve(new OllamaBackend(server.url), 'total score of the string ABBBA?', { contextTokens: 16384, seed: 3 });
    expect(server.chatRequests()[0]?.body).toMatchObject({ options: { num_ctx: 16384, seed: 3, temperature: 0.6 } });
  });

  it('warns when the prompt was truncated to num_ctx, naming the setting to raise', async () => {
    const { trajectory, events } = await solve(new OllamaBackend(server.url), long, { contextTokens: 1024 });
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'context-truncated', turn: 0 });
    expect(warnings[0]?.type === 'warning' ? warnings[0].message : '').toContain('r1ci.contextTokens');
    expect(trajectory.turns[0]?.stats?.promptTokens).toBe(1024);
    expect(trajectory.answer).toBe('2');
  });

  it('does not warn when the prompt fits', async () => {
    const { events, trajectory } = await solve(new OllamaBackend(server.url), long, { contextTokens: 16384 });
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
    expect(trajectory.turns[0]?.stats?.promptTokens).toBeGreaterThan(1024);
    // The lower-bound estimate stays below what the server counted.
    expect(trajectory.turns[0]?.stats?.promptTokensEstimate).toBeLessThanOrEqual(trajectory.turns[0]?.stats?.promptTokens ?? 0);
  });

  it('warns when the estimate alone exceeds the window, even if the server reports a small count (cached prefix)', async () => {
    server.setScenarios([{ id: 'cached', match: 'cached-count?', turns: [{ text: '<<<ok>>>' }], faults: { promptEvalCount: 12 } }]);
    const { events } = await solve(new OllamaBackend(server.url), `cached-count? ${'x'.repeat(7000)}`, { contextTokens: 1024 });
    expect(events.find((e) => e.type === 'warning')).toMatchObject({ kind: 'context-truncated' });
  });
});
