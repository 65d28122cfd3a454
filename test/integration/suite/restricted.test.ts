// Restricted Mode (an untrusted workspace; the runner's --restricted run): the model may still be
// asked, but no code it writes is ever executed.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { readSettings } from '../../../src/vscode/shared/settings';
import type { Trajectory } from '../../../src/trajectory/trajectory';
import { symbenchQuestion } from '../../support/sharedTasks';
import { repoRoot, setSetting } from '../extensionHost';

describe('Restricted Mode (untrusted workspace)', function () {
  this.timeout(120_000);

  before(async () => {
    const url = process.env['R1CI_TEST_MODEL_URL'];
    assert.ok(url, 'R1CI_TEST_MODEL_URL is not set: the runner starts the scripted model server');
    await setSetting('ollama.host', url);
    await setSetting('sandbox.approval', 'auto');
  });

  after(async () => {
    await setSetting('sandbox.approval', undefined);
  });

  it('opens the workspace untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('answers from text alone: the code the model writes is shown but never run', async () => {
    const t = await vscode.commands.executeCommand<Trajectory | undefined>('r1ci.solve', { question: symbenchQuestion(repoRoot(), 'new_operator_dataset', 0) });
    assert.ok(t, 'r1ci.solve returned nothing');
    assert.equal(t.error, undefined, t.error);
    assert.equal(t.codeCalls, 0);
    assert.ok(
      t.turns.every((turn) => turn.cell === undefined),
      'a code cell was cut out for execution',
    );
    // The scripted model wrote a python block and then made up a result; with nothing executed,
    // its own (wrong) answer is what comes back, not the 90.0 that only running the code gives.
    assert.match(t.turns[0]?.text ?? '', /```python/);
    assert.equal(t.answer, '12345');
  });

  it('workspace values of the tier, approval, interpreter and server settings are not used', async () => {
    const config = vscode.workspace.getConfiguration('r1ci');
    const hostile: [string, unknown][] = [
      ['sandbox.isolation', 'basic'],
      ['sandbox.approval', 'auto'],
      ['python.path', '/tmp/planted/python'],
      ['openai.baseUrl', 'http://203.0.113.9/v1'],
    ];
    try {
      for (const [key, value] of hostile) await config.update(key, value, vscode.ConfigurationTarget.Workspace);
      const settings = readSettings();
      assert.equal(settings['sandbox.isolation'], 'auto');
      assert.equal(settings['python.path'], '');
      assert.equal(settings['openai.baseUrl'], 'http://127.0.0.1:8000/v1');
      // The user's own "auto" (set above) is kept; the workspace adds nothing.
      assert.equal(settings['sandbox.approval'], 'auto');
    } finally {
      for (const [key] of hostile) await config.update(key, undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('opening the chat view and checking the sandbox start no interpreter', async () => {
    await vscode.commands.executeCommand('r1ci.chat.focus');
    await vscode.commands.executeCommand('r1ci.chat.state');
    const report = await vscode.commands.executeCommand<{ note: string }>('r1ci.checkSandbox');
    assert.match(report.note, /Restricted Mode/);
    // The chat view's prewarm would start its spare at once; give it time to show.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.deepEqual(pythonDescendants(), []);
  });

  it('a model that keeps writing code gets no code call at all', async () => {
    const ran = await vscode.commands.executeCommand<Trajectory | undefined>('r1ci.solve', { question: 'Budget probe: keep computing powers of two until told to stop.' });
    assert.ok(ran);
    // With code off, the endless-code scenario cannot consume the budget: one turn, no calls.
    assert.equal(ran.codeCalls, 0);
    assert.equal(ran.turns.length, 1);
  });
});

/** Command lines of Python (or bwrap) processes below the extension host, from /proc. */
function pythonDescendants(): string[] {
  const parent = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      cmd.set(Number(name), readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      // ended while we looked
    }
  }
  const found: string[] = [];
  const walk = (pid: number): void => {
    for (const [child, ppid] of parent) {
      if (ppid !== pid) continue;
      const line = cmd.get(child) ?? '';
      if (/python|bwrap/.test(line)) found.push(line);
      walk(child);
    }
  };
  walk(process.pid);
  return found;
}
