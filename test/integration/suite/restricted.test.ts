// Restricted Mode (an untrusted workspace; the runner's --restricted run): the model may still be
// asked, but no code it writes is ever executed.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Trajectory } from '../../../src/agent/trajectory';
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
    assert.ok(t.turns.every((turn) => turn.cell === undefined), 'a code cell was cut out for execution');
    // The scripted model wrote a python block and then made up a result; with nothing executed,
    // its own (wrong) answer is what comes back, not the 90.0 that only running the code gives.
    assert.match(t.turns[0]?.text ?? '', /```python/);
    assert.equal(t.answer, '12345');
  });

  it('a model that keeps writing code gets no code call at all', async () => {
    const ran = await vscode.commands.executeCommand<Trajectory | undefined>('r1ci.solve', { question: 'Budget probe: keep computing powers of two until told to stop.' });
    assert.ok(ran);
    // With code off, the endless-code scenario cannot consume the budget: one turn, no calls.
    assert.equal(ran.codeCalls, 0);
    assert.equal(ran.turns.length, 1);
  });
});
