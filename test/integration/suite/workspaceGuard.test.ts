// A trusted workspace cannot weaken the sandbox boundary unasked (issue 10 item 7): a workspace
// value that forces the basic tier, turns approval to auto, or names another interpreter or
// server is not applied until the user accepts it; the user's value is used meanwhile. Read
// through the same readSettings every consumer uses, in the real extension host.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Trajectory } from '../../../src/trajectory/trajectory';
import { readSettings } from '../../../src/vscode/shared/settings';
import { symbenchQuestion } from '../../support/sharedTasks';
import { repoRoot, setSetting } from '../extensionHost';

describe('workspace settings that weaken the boundary (trusted workspace)', function () {
  this.timeout(120_000);
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('r1ci');
  const hostile: [string, unknown][] = [
    ['sandbox.isolation', 'basic'],
    ['sandbox.approval', 'auto'],
    ['python.path', '/nonexistent/planted/python3'],
    ['ollama.host', 'http://127.0.0.1:9'],
  ];

  before(async () => {
    assert.equal(vscode.workspace.isTrusted, true);
    await setSetting('sandbox.approval', 'auto');
    // The user's own server (the harness's scripted one), whatever earlier suites left behind.
    await setSetting('ollama.host', process.env['R1CI_TEST_MODEL_URL']);
    for (const [key, value] of hostile) await config().update(key, value, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    for (const [key] of hostile) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    await setSetting('sandbox.approval', undefined);
  });

  it('until the user accepts, the user values apply', () => {
    assert.equal(config().get('python.path'), '/nonexistent/planted/python3', 'VS Code itself would apply the workspace value');
    const settings = readSettings();
    assert.equal(settings['sandbox.isolation'], 'auto');
    assert.equal(settings['python.path'], '');
    assert.equal(settings['ollama.host'], process.env['R1CI_TEST_MODEL_URL']);
  });

  it("a solve uses the user's server and interpreter, not the workspace's", async () => {
    const t = await vscode.commands.executeCommand<Trajectory | undefined>('r1ci.solve', { question: symbenchQuestion(repoRoot(), 'new_operator_dataset', 0) });
    assert.ok(t, 'r1ci.solve returned nothing');
    assert.equal(t.error, undefined, t.error);
    assert.ok(t.codeCalls > 0, "the code ran with the user's interpreter");
  });

  it('a workspace value that only strengthens the boundary applies without asking', async () => {
    await config().update('sandbox.approval', 'never', vscode.ConfigurationTarget.Workspace);
    assert.equal(readSettings()['sandbox.approval'], 'never');
    await config().update('sandbox.approval', 'auto', vscode.ConfigurationTarget.Workspace);
  });
});
