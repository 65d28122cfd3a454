// The model UI inside the real extension host, against real HTTP servers (the scripted model
// server speaks Ollama's and OpenAI's APIs): the picker's rows, the status bar's text, pulling
// with progress and cancel, the API key in SecretStorage on the wire, and the error actions.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, closedPort, repoRoot, setSetting } from '../extensionHost';
import type { Trajectory } from '../../../src/trajectory/trajectory';
import { problemActions } from '../../../src/vscode/models/backendErrorActions';
import { buildModelPickItems, modelServerTitle } from '../../../src/vscode/models/modelPickItems';
import { createModelServerClient, type ServerSettings } from '../../../src/vscode/models/modelServerClient';
import { pullModel, type PullUpdate } from '../../../src/vscode/models/pullModel';
import { describeServerStatus, probeServerStatus, type ServerStatus } from '../../../src/vscode/models/serverStatus';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';

function ollamaAt(url: string): ServerSettings {
  return { backend: 'ollama', 'ollama.host': url, 'openai.baseUrl': '' };
}

describe('Model picker, status bar, pull and API key (real extension host, real HTTP)', function () {
  this.timeout(90_000);
  const runnerUrl = process.env['R1CI_TEST_MODEL_URL'];
  const servers: ScriptedServer[] = [];

  async function ownServer(options: Omit<Parameters<typeof startScriptedServer>[0], 'scenarios'> = {}): Promise<ScriptedServer> {
    const server = await startScriptedServer({ scenarios: join(repoRoot(), 'test', 'scenarios'), ...options });
    servers.push(server);
    return server;
  }

  before(async () => {
    assert.ok(runnerUrl, 'R1CI_TEST_MODEL_URL is not set: the runner starts the scripted model server');
    await setSetting('ollama.host', runnerUrl);
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  after(async () => {
    for (const key of ['backend', 'openai.baseUrl', 'model', 'sandbox.approval']) await setSetting(key, undefined);
    await setSetting('ollama.host', runnerUrl);
    await vscode.commands.executeCommand('r1ci.setApiKey', '');
    for (const s of servers) await s.close();
  });

  it("lists the server's models with size, parameters and quantization, marks the current one, offers a pull", async () => {
    // A server of its own: on the shared one, earlier suites have loaded models (see /api/ps).
    const fresh = await ownServer();
    const client = createModelServerClient(ollamaAt(fresh.url));
    const [version, models, running] = await Promise.all([client.serverVersion(), client.listModels(), client.listRunning()]);
    const items = buildModelPickItems({ backend: 'ollama', serverName: client.serverName, baseUrl: client.baseUrl, version, models, running, current: 'qwen2.5-coder:7b' });
    const rows = items.filter((i) => i.kind !== vscode.QuickPickItemKind.Separator);
    assert.deepEqual(
      rows.map((i) => [i.label, i.description, i.detail]),
      [
        ['$(check) qwen2.5-coder:7b', 'current', '4.4 GiB · 7.6B · Q4_K_M'],
        ['$(blank) r1-code-interpreter:7b', '4.4 GiB · 7.6B · Q4_K_M', undefined],
        ['$(cloud-download) Pull a model…', 'from ollama.com/library or hf.co/<user>/<repo>', undefined],
      ],
    );
    assert.equal(modelServerTitle({ serverName: client.serverName, version, baseUrl: client.baseUrl }), `Ollama 0.12.0 at ${fresh.url}`);
    // The version is the server's text: a bidi override, an escape sequence or an icon in it is shown as text.
    assert.equal(modelServerTitle({ serverName: 'Ollama', version: '0.1\u202e$(zap)\x1b[31m', baseUrl: 'http://h' }), 'Ollama 0.1\\u202e\\$(zap)\\x1b[31m at http://h');
    // No labelled separator above the first row: VS Code would draw it inside that row.
    assert.notEqual(items[0]?.kind, vscode.QuickPickItemKind.Separator);
    assert.deepEqual(rows[1]?.action, { type: 'select', model: 'r1-code-interpreter:7b' });
  });

  it('offers to pull the configured model when the server does not have it', async () => {
    const client = createModelServerClient(ollamaAt(runnerUrl ?? ''));
    const items = buildModelPickItems({ backend: 'ollama', serverName: 'Ollama', baseUrl: client.baseUrl, version: null, models: await client.listModels(), running: [], current: 'llama3.1:8b' });
    const missing = items.find((i) => i.label === '$(warning) llama3.1:8b');
    assert.ok(missing, 'no row for the missing current model');
    assert.deepEqual(missing.action, { type: 'pull', model: 'llama3.1:8b' });
  });

  it('selectModel writes r1ci.model (choice passed as argument)', async () => {
    await setSetting('model', 'qwen2.5-coder:7b');
    const chosen = await vscode.commands.executeCommand<string>('r1ci.selectModel', { model: 'r1-code-interpreter:7b' });
    assert.equal(chosen, 'r1-code-interpreter:7b');
    assert.equal(vscode.workspace.getConfiguration('r1ci').get('model'), 'r1-code-interpreter:7b');
    await setSetting('model', undefined);
  });

  it('status: "not loaded" before the first chat, then loaded 100% on GPU from /api/ps', async () => {
    const server = await ownServer();
    const client = createModelServerClient(ollamaAt(server.url));
    const before = describeServerStatus(await probeServerStatus(client, 'qwen2.5-coder:7b'));
    assert.equal(before.text, '$(hubot) qwen2.5-coder:7b');
    assert.equal(before.tooltip, `Ollama 0.12.0 at ${server.url}: **qwen2.5-coder:7b** not loaded (loaded on the first question)\n\nClick to choose another model.`);
    assert.equal(before.command, 'r1ci.selectModel');
    // A real chat request loads the model on the server, as Ollama does.
    const chat = await fetch(`${server.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5-coder:7b', stream: false, messages: [{ role: 'user', content: 'hi' }] }) });
    assert.equal(chat.status, 200);
    const after = describeServerStatus(await probeServerStatus(client, 'qwen2.5-coder:7b'));
    assert.equal(after.tooltip, `Ollama 0.12.0 at ${server.url}: **qwen2.5-coder:7b** loaded, 100% on GPU (4.4 GiB of 4.4 GiB in GPU memory)\n\nClick to choose another model.`);
    assert.equal(after.warning, false);
  });

  it('status: a warning when nothing listens, or when the model is not pulled', async () => {
    const port = await closedPort();
    const down = await probeServerStatus(createModelServerClient(ollamaAt(`http://127.0.0.1:${port}`)), 'qwen2.5-coder:7b');
    assert.equal(down.state, 'error');
    const shown = describeServerStatus(down);
    assert.equal(shown.text, '$(warning) Ollama not running');
    assert.equal(shown.command, 'r1ci.checkModelServer');
    assert.match(shown.tooltip, new RegExp(`No Ollama server at http://127\\.0\\.0\\.1:${port} — start it with`));

    const missing = describeServerStatus(await probeServerStatus(createModelServerClient(ollamaAt(runnerUrl ?? '')), 'llama3.1:8b'));
    assert.equal(missing.text, '$(warning) llama3.1:8b');
    assert.match(missing.tooltip, /is not pulled\. Click to pull it or pick another model\.$/);
  });

  it("the extension's own status check follows the settings (r1ci.checkModelServer)", async () => {
    const ok = await vscode.commands.executeCommand<ServerStatus>('r1ci.checkModelServer');
    assert.equal(ok?.state, 'ok', JSON.stringify(ok));
    assert.equal(ok.baseUrl, runnerUrl);
    const port = await closedPort();
    await setSetting('ollama.host', `http://127.0.0.1:${port}`);
    try {
      const down = await vscode.commands.executeCommand<ServerStatus>('r1ci.checkModelServer');
      assert.equal(down?.state, 'error');
      assert.equal(down.state === 'error' && down.kind, 'server-unreachable');
    } finally {
      await setSetting('ollama.host', runnerUrl);
    }
  });

  it('pulls a model over the real /api/pull with rising progress; afterwards it is listed', async () => {
    const server = await ownServer({ pullStepDelayMs: 5 });
    const client = createModelServerClient(ollamaAt(server.url));
    const updates: PullUpdate[] = [];
    await pullModel(client, 'llama3.2:1b', (u) => updates.push(u), new AbortController().signal);
    const percents = updates.map((u) => u.percent).filter((p): p is number => p !== undefined);
    assert.ok(percents.length >= 3, `too few progress updates: ${JSON.stringify(updates)}`);
    assert.deepEqual(
      [...percents].sort((a, b) => a - b),
      percents,
      'progress went backwards',
    );
    assert.equal(percents[percents.length - 1], 100);
    assert.equal(updates[0]?.message, 'pulling manifest');
    assert.equal(updates[updates.length - 1]?.message.startsWith('success'), true);
    assert.ok((await client.listModels()).some((m) => m.name === 'llama3.2:1b'));
  });

  it('r1ci.pullModel pulls into the configured server', async () => {
    const server = await ownServer({ pullStepDelayMs: 1 });
    await setSetting('ollama.host', server.url);
    try {
      const result = await vscode.commands.executeCommand<string>('r1ci.pullModel', 'phi3:mini');
      assert.equal(result, 'pulled');
      assert.ok((await createModelServerClient(ollamaAt(server.url)).listModels()).some((m) => m.name === 'phi3:mini'));
    } finally {
      await setSetting('ollama.host', runnerUrl);
    }
  });

  it('cancelling a pull aborts the HTTP request and installs nothing', async () => {
    const server = await ownServer({ pullStepDelayMs: 300 });
    const client = createModelServerClient(ollamaAt(server.url));
    const controller = new AbortController();
    const pending = pullModel(client, 'mistral:7b', () => controller.abort(), controller.signal);
    await assert.rejects(pending, (e: unknown) => e instanceof Error && /abort|cancel/i.test(`${e.name} ${e.message}`));
    const request = await server.waitForRequest((r) => r.path === '/api/pull' && r.aborted);
    assert.equal(request.aborted, true);
    assert.ok(!(await client.listModels()).some((m) => m.name === 'mistral:7b'));
  });

  it('a name the registry does not know fails with a message that says what to check', async () => {
    const server = await ownServer({ pullable: ['llama3.2:1b'] });
    const client = createModelServerClient(ollamaAt(server.url));
    await assert.rejects(
      pullModel(client, 'no-such-model:1b', () => undefined, new AbortController().signal),
      /Ollama could not pull "no-such-model:1b": pull model manifest: file does not exist — check the name/,
    );
  });

  it('the API key lives in SecretStorage, goes out as a Bearer token, and never lands in settings.json', async () => {
    const key = 'sk-r1ci-test-4711';
    const server = await ownServer({ apiKey: key });
    await setSetting('backend', 'openai');
    await setSetting('openai.baseUrl', `${server.url}/v1`);
    await setSetting('model', 'qwen2.5-coder:7b');
    await setSetting('sandbox.approval', 'never');
    try {
      assert.equal(await vscode.commands.executeCommand('r1ci.setApiKey', key), 'stored');
      const status = await vscode.commands.executeCommand<ServerStatus>('r1ci.checkModelServer');
      assert.equal(status?.state, 'ok', JSON.stringify(status));
      // The check after storing the key sent it (a background check from the settings change may have gone out before).
      assert.equal(server.requests.filter((r) => r.path === '/v1/models').at(-1)?.authorization, `Bearer ${key}`);

      const t = await vscode.commands.executeCommand<Trajectory>('r1ci.solve', { question: 'Calculate the total score of the string ABBBA?' });
      assert.equal(t?.error, undefined, t?.error);
      const chats = server.requests.filter((r) => r.path === '/v1/chat/completions');
      assert.ok(chats.length > 0, 'the solve sent no chat request');
      for (const r of chats) assert.equal(r.authorization, `Bearer ${key}`);

      // In a remote extension host, machine-scoped settings (the base URL) go to Machine/settings.json.
      const settingsFiles = ['User', 'Machine'].map((dir) => join(process.env['R1CI_TEST_RUN_DIR'] ?? '', 'user-data', dir, 'settings.json')).filter((f) => existsSync(f));
      const settingsText = settingsFiles.map((f) => readFileSync(f, 'utf8')).join('\n');
      assert.ok(settingsText.includes(`${server.url}/v1`), `the settings files read (${settingsFiles.join(', ')}) are not the ones VS Code writes`);
      assert.ok(!settingsText.includes(key), 'the API key is in a settings.json');
      const workspaceSettings = join(process.env['R1CI_TEST_WORKSPACE'] ?? '', '.vscode', 'settings.json');
      if (existsSync(workspaceSettings)) assert.ok(!readFileSync(workspaceSettings, 'utf8').includes(key), 'the API key is in the workspace settings.json');

      // Deleting the key: the server now refuses, and the status says what to do.
      assert.equal(await vscode.commands.executeCommand('r1ci.setApiKey', ''), 'deleted');
      const refused = await vscode.commands.executeCommand<ServerStatus>('r1ci.checkModelServer');
      assert.equal(refused?.state, 'error');
      assert.equal(refused.state === 'error' && refused.kind, 'auth');
      assert.equal(describeServerStatus(refused).command, 'r1ci.setApiKey');
      assert.equal(server.requests.filter((r) => r.path === '/v1/models').at(-1)?.authorization, undefined);
    } finally {
      for (const k of ['backend', 'openai.baseUrl', 'model', 'sandbox.approval']) await setSetting(k, undefined);
    }
  });

  it('errors come with the buttons that fix them', () => {
    assert.deepEqual(
      problemActions('model-missing', { backend: 'ollama', model: 'llama3.1:8b', canRetry: true }).map((a) => a.label),
      ['Pull llama3.1:8b', 'Select Model…'],
    );
    assert.deepEqual(
      problemActions('server-unreachable', { backend: 'ollama', canRetry: true }).map((a) => a.label),
      ['Retry', 'Open Settings', 'How to install Ollama'],
    );
    assert.deepEqual(
      problemActions('auth', { backend: 'openai', canRetry: false }).map((a) => a.label),
      ['Set API Key…'],
    );
  });

  it('a solve with a model the server lacks ends as model-missing (the kind the error actions get)', async () => {
    await setSetting('sandbox.approval', 'never');
    try {
      const t = await vscode.commands.executeCommand<Trajectory>('r1ci.solve', { question: 'What is 6*7?', model: 'llama3.1:8b' });
      assert.equal(t?.reason, 'error');
      assert.match(t.error ?? '', /The model "llama3\.1:8b" is not pulled on the Ollama server at .* — run `ollama pull llama3\.1:8b`/);
    } finally {
      await setSetting('sandbox.approval', undefined);
    }
  });
});
