// End to end in the real workbench: F1 → "Solve Question…" (two code calls) → F1 → "Insert into
// Notebook" → the solution's cells with their real outputs in VS Code's notebook editor → a new
// cell typed and run with its run button on the sandboxed kernel → its output under the cell.
import * as assert from 'node:assert/strict';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { symbenchQuestion } from '../support/sharedTasks';
import { projectRoot } from '../harness/paths';
import { closeAllEditors, e2eContext, runCommand, screenshot, typeInQuickInput, waitFor, webviewFrame } from './workbench';
import { setColorTheme } from './chatSupport';

// VS Code keeps hidden notebook editors around for reuse: only the visible one is ours.
const NOTEBOOK = '.notebook-editor:visible';

/** Waits for the solve panel's answer, clicking Run when the sandbox tier asks before each cell. */
async function waitForAnswer(panel: FrameLocator): Promise<string> {
  const run = panel.locator('.approval button.primary');
  const answer = panel.locator('.answer-card .answer-text');
  await waitFor(
    async () => {
      if ((await answer.count()) > 0) return true;
      if ((await run.count()) > 0) await run.first().click();
      return false;
    },
    90_000,
    'the final answer in the solve panel',
  );
  return (await answer.innerText()).trim();
}

/** A code cell's text as Monaco renders it (with non-breaking spaces). */
async function cellText(cell: Locator): Promise<string> {
  return (await cell.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
}

/** Picks our kernel if the workbench asks which kernel to use (it should not: insert selects it). */
async function pickKernelIfAsked(page: Page): Promise<void> {
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Python (sandboxed)' });
  if (
    await row
      .first()
      .isVisible()
      .catch(() => false)
  )
    await row.first().click();
}

describe('Insert a solution into a notebook and run it on the sandboxed kernel', function () {
  this.timeout(240_000);

  it('shows the cells with their real outputs and runs a new cell', async () => {
    const { page } = e2eContext();
    // Insert goes into a notebook already on screen: start without the ones earlier files opened.
    await closeAllEditors(page);
    const question = symbenchQuestion(projectRoot, 'statistical_counting_dataset', 0).replace(/\s+/g, ' ').trim();
    await runCommand(page, 'R1 Code Interpreter: Solve Question…');
    await typeInQuickInput(page, question);
    const panel = await webviewFrame(page, 'BBAAB', 60_000);
    assert.equal(await waitForAnswer(panel), '3');

    await runCommand(page, 'R1 Code Interpreter: Insert into Notebook');
    // Earlier test files leave editor groups and the panel open, and a notebook renders only the
    // cells in view (its list is virtual): give it the whole editor area and a tall window.
    await runCommand(page, 'View: Join All Editor Groups');
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: viewport?.width ?? 1400, height: 2000 });
    const notebook = page.locator(NOTEBOOK).first();
    await notebook.waitFor({ state: 'visible', timeout: 30_000 });
    // Code cells are Monaco editors in the workbench; outputs and rendered markdown live in the
    // notebook's own back-layer webview.
    const codeCells = notebook.locator('.code-cell-row');
    await waitFor(async () => (await codeCells.count()) === 2, 30_000, 'two code cells');
    assert.match(await cellText(codeCells.nth(0)), /from itertools import groupby/);
    assert.match(await cellText(codeCells.nth(1)), /score \+= 1 if letter == "A" else 2/);
    const outputs = await webviewFrame(page, "[('B', 2), ('A', 2), ('B', 1)]", 30_000);
    assert.ok((await outputs.locator('body').innerText()).includes('The total score is 3.'), 'the reasoning markdown is not rendered');
    // The kernel the insert selected is shown in the notebook toolbar.
    await waitFor(
      async () => (await page.locator('.notebook-toolbar-container, .editor-actions').filter({ hasText: 'Python (sandboxed)' }).count()) > 0,
      30_000,
      'the "Python (sandboxed)" kernel in the notebook toolbar',
    );
    await screenshot(page, 'notebook-inserted');

    // A new cell below the solution's last code cell, typed, then run with its run button.
    await codeCells.nth(1).locator('.monaco-editor').click();
    await runCommand(page, 'Notebook: Insert Code Cell Below');
    await waitFor(async () => (await codeCells.count()) === 3, 15_000, 'a third code cell');
    const newCell = codeCells.nth(2);
    await newCell.locator('.monaco-editor').click();
    await page.keyboard.type('total = sum(range(1, 101))\nprint("sum is", total, "after", len(runs), "runs")');
    // The cell's own run button (left of the cell); it is shown while the cell has focus.
    await newCell.locator('.run-button-container .action-label').first().click();
    await pickKernelIfAsked(page);
    // `runs` comes from the solution's first cell only if the kernel ran it: not yet, so this
    // cell must fail with NameError first — then run the solution's cells and it succeeds.
    await webviewFrame(page, "NameError: name 'runs' is not defined", 60_000);
    await runCommand(page, 'Notebook: Run All');
    await webviewFrame(page, 'sum is 5050 after 3 runs', 60_000);
    // Bring the new cell's output on screen for the screenshots.
    await page.mouse.move(900, 400);
    await page.mouse.wheel(0, 600);
    // Away from the run button, whose tooltip would cover the output.
    await page.mouse.move(150, 500);
    await page.keyboard.press('Escape');
    await waitFor(async () => (await page.locator('.monaco-hover:visible, .workbench-hover:visible').count()) === 0, 10_000, 'the tooltip to close');
    await screenshot(page, 'notebook-kernel-run');
    // The same notebook in the dark theme, then back to the default light one for later tests.
    await setColorTheme(page, 'Dark Modern', 'vs-dark');
    await screenshot(page, 'notebook-kernel-run-dark');
    await setColorTheme(page, 'Light Modern', 'vs');
    if (viewport) await page.setViewportSize(viewport);
  });
});
