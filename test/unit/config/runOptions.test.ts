// The one translation from settings to run options (issue 14 item 4): units, defaults declared
// once, and the API key reaching the server over real HTTP (the scripted server can require one).
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError } from '../../../src/agent/backends';
import { DEFAULT_STALL_SECONDS } from '../../../src/agent/stallWatchdog';
import { backendFor, modelRunSettingsFor, runOptionsFrom } from '../../../src/config/runOptions';
import { defaultSettings, parseSettings, type SettingKey } from '../../../src/config/settingsSpec';
import { DEFAULT_LIMITS } from '../../../src/sandbox/types';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';

const KEY = 'sk-run-options';
let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer({ scenarios: join(resolve(__dirname, '..', '..', '..'), 'test', 'scenarios', 'foundation.json'), apiKey: KEY });
});
afterAll(async () => {
  await server.close();
});

function settingsWith(values: Partial<Record<SettingKey, unknown>>) {
  const { settings, problems } = parseSettings((key) => values[key]);
  expect(problems).toEqual([]);
  return settings;
}

describe('runOptionsFrom', () => {
  it('gives the sandbox its own defaults and the agent its stall default when nothing is set (declared once)', () => {
    const run = runOptionsFrom(defaultSettings());
    expect(run.sandbox.limits).toEqual(DEFAULT_LIMITS);
    expect(run.stallSeconds).toBe(DEFAULT_STALL_SECONDS);
    expect(run.sandbox.pythonPath).toBeUndefined();
  });

  it("converts the settings' units (seconds, MiB, KiB) into the core's (ms, bytes)", () => {
    const run = runOptionsFrom(
      settingsWith({ 'sandbox.timeoutSeconds': 7, 'sandbox.memoryMiB': 300, 'sandbox.outputKiB': 9, 'sandbox.fileSizeMiB': 3, 'sandbox.diskMiB': 40, 'eval.timeoutSeconds': 12, 'python.path': '/opt/py' }),
    );
    expect(run.sandbox).toMatchObject({
      pythonPath: '/opt/py',
      limits: { timeoutMs: 7000, memoryBytes: 300 * 1024 ** 2, outputBytes: 9 * 1024, fileSizeBytes: 3 * 1024 ** 2, diskBytes: 40 * 1024 ** 2 },
    });
    expect(run.eval.questionTimeoutMs).toBe(12_000);
  });

  it("sends the API key to a key-protected OpenAI-compatible server: its model list and the run's requests carry it", async () => {
    const run = runOptionsFrom(settingsWith({ backend: 'openai', 'openai.baseUrl': `${server.url}/v1` }), KEY);
    const backend = backendFor(run);
    expect((await backend.listModels()).map((m) => m.name)).toContain('qwen2.5-coder:7b');
    expect(server.requests.at(-1)).toMatchObject({ path: '/v1/models', authorization: `Bearer ${KEY}` });
    const modelRun = await modelRunSettingsFor(run, backend, undefined, { model: 'qwen2.5-coder:7b', maxCodeCalls: 2 });
    expect(modelRun).toMatchObject({ model: 'qwen2.5-coder:7b', maxCodeCalls: 2, protocol: 'chat', temperature: run.temperature });
  });

  it('without the key the same server refuses (so the test above can fail), and the key never goes to Ollama', async () => {
    const keyless = backendFor(runOptionsFrom(settingsWith({ backend: 'openai', 'openai.baseUrl': `${server.url}/v1` })));
    const refused = await keyless.listModels().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(BackendError);
    expect((refused as BackendError).kind).toBe('auth');
    const ollama = runOptionsFrom(settingsWith({ backend: 'ollama', 'ollama.host': server.url }), KEY);
    expect(ollama.server.apiKey).toBeUndefined();
    await backendFor(ollama).listModels();
    expect(server.requests.at(-1)).toMatchObject({ path: '/api/tags', authorization: undefined });
  });
});
