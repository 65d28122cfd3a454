// End to end in the real workbench: a reasoning model's thinking streams into a folded
// "Thinking…" block above its text, then its code cell runs and the answer card shows.
import * as assert from 'node:assert/strict';
import { e2eContext, runCommand, screenshot, typeInQuickInput, waitFor, webviewFrame } from './workbench';

describe('Reasoning model in the solve panel', function () {
  this.timeout(180_000);

  it('shows the reasoning folded and streaming, then the code cell and the answer', async () => {
    const { page } = e2eContext();
    await runCommand(page, 'R1 Code Interpreter: Solve Question…');
    await typeInQuickInput(page, 'Reasoning probe: how many primes are below 30?');

    const panel = await webviewFrame(page, 'Reasoning probe', 60_000);
    const reasoning = panel.locator('details.reasoning');
    await reasoning.first().waitFor({ timeout: 60_000 });
    // Folded while it streams: the summary says so, the body is hidden.
    assert.equal(await reasoning.first().getAttribute('open'), null);
    assert.equal((await panel.locator('details.reasoning .reasoning-summary').first().innerText()).trim(), 'Thinking…');

    const run = panel.locator('.approval button.primary');
    const stdout = panel.locator('.cell .stdout');
    await waitFor(async () => (await stdout.count()) > 0 || ((await run.count()) > 0 && (await run.click(), false)), 60_000, 'the code cell output');
    assert.equal((await stdout.first().innerText()).trim(), '10');
    const answer = panel.locator('.answer-card .answer-text');
    await answer.waitFor({ timeout: 30_000 });
    assert.equal((await answer.innerText()).trim(), '10');

    // Settled: the summary counts the reasoning; opened, it shows the text, which is not in the prose.
    assert.match((await panel.locator('details.reasoning .reasoning-summary').first().innerText()).trim(), /^Reasoning \(\d[\d,]* characters\)$/);
    await panel.locator('details.reasoning .reasoning-summary').first().click();
    assert.match(await panel.locator('details.reasoning .reasoning-text').first().innerText(), /let the code count them/);
    assert.ok(!(await panel.locator('.turn .prose').first().innerText()).includes('let the code count them'));
    assert.ok(!(await panel.locator('#transcript').innerText()).includes('<think>'));
    await screenshot(page, 'solve-panel-reasoning');
  });
});
