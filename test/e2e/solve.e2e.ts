// End to end in the real workbench: F1 → "Solve…" → a SymBench question → the panel shows the
// model's code, the output only the real computation gives, and the final answer.
import * as assert from 'node:assert/strict';
import { symbenchQuestion } from '../support/sharedTasks';
import { e2eContext, runCommand, screenshot, typeInQuickInput, waitFor, webviewFrame } from './workbench';
import { projectRoot } from '../harness/paths';

describe('Solve from the command palette', function () {
  this.timeout(180_000);

  it('shows code, its real output and the final answer in the panel', async () => {
    const { page } = e2eContext();
    const question = symbenchQuestion(projectRoot, 'new_operator_dataset', 0).replace(/\s+/g, ' ').trim();
    await runCommand(page, 'R1 Code Interpreter: Solve Question…');
    await typeInQuickInput(page, question);

    const panel = await webviewFrame(page, 'Calculate (3~4)&5@6', 60_000);
    // The sandbox tier decides whether code runs at once or waits for the user's Run click.
    const run = panel.locator('.approval button.primary');
    const stdout = panel.locator('.cell .stdout');
    await waitFor(async () => (await stdout.count()) > 0 || ((await run.count()) > 0 && (await run.click(), false)), 60_000, 'the code cell output');

    assert.match(await panel.locator('.cell .cell-code').first().innerText(), /def tilde\(a, b\)/);
    assert.equal((await stdout.first().innerText()).trim(), '90.0');
    assert.match((await panel.locator('.cell .cell-status').first().innerText()).trim(), /^ok · \d+\.\d\d s$/);
    const answer = panel.locator('.answer-card .answer-text');
    await answer.waitFor({ timeout: 30_000 });
    assert.equal((await answer.innerText()).trim(), '90.0');
    // The hallucinated continuation after the closing fence was cut off.
    assert.ok(!(await panel.locator('#transcript').innerText()).includes('12345'));
    await screenshot(page, 'solve-panel');
  });
});
