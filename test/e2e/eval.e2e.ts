// End to end in the real workbench: the mixed task folder is evaluated from the Explorer's
// context menu (the results view shows 70 % and draws the per-task bar chart; screenshots in
// light and dark at full and half width, where it must reflow without sideways scrolling), then
// added to the Testing view and run there with its Run button; the tree shows pass/fail icons.
// Last, eval-samples is evaluated with 4 samples per question, and the view shows pass@4.
import * as assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { setColorTheme } from './chatSupport';
import { e2eContext, leaveOwnWorkbench, openOwnWorkbench, screenshot, screenshotsAtWidths, waitFor, webviewFrame } from './workbench';

async function explorerContextMenu(page: Page, rowName: string, item: string): Promise<void> {
  const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${rowName}"]`).first();
  await waitFor(async () => (await row.count()) > 0 || (await page.keyboard.press('Control+Shift+E'), false), 30_000, `explorer row ${rowName}`);
  const entry = page.locator('.monaco-menu .action-item .action-label', { hasText: item }).first();
  // Extensions register a few seconds after the workbench appears: reopen the menu until ours is in it.
  await waitFor(
    async () => {
      await row.click({ button: 'right' });
      if (
        await entry.waitFor({ state: 'visible', timeout: 3000 }).then(
          () => true,
          () => false,
        )
      )
        return true;
      await page.keyboard.press('Escape');
      return undefined;
    },
    60_000,
    `"${item}" in the explorer context menu`,
  );
  // The menu's overlay swallows pointer events in code-server: choose the item with the keyboard
  // (ArrowDown steps over separators and disabled items, so count only enabled ones).
  const labels = page.locator('.monaco-menu .action-item:not(.disabled) .action-label');
  const texts = (await labels.allInnerTexts()).map((t) => t.trim());
  const index = texts.findIndex((t) => t.startsWith(item));
  assert.ok(index >= 0, `"${item}" is not in the context menu (${texts.join(' | ')})`);
  for (let i = 0; i <= index; i++) await page.keyboard.press('ArrowDown');
  await waitFor(
    async () =>
      (
        (await page
          .locator('.monaco-menu .action-item.focused .action-label')
          .innerText()
          .catch(() => '')) ?? ''
      )
        .trim()
        .startsWith(item)
        ? true
        : undefined,
    5000,
    `"${item}" focused`,
  );
  await page.keyboard.press('Enter');
}

describe('Evaluation in the workbench', function () {
  this.timeout(300_000);

  it('evaluates a folder from the Explorer and shows the per-task bar chart', async () => {
    const { page } = e2eContext();
    await explorerContextMenu(page, 'eval-mixed', 'Evaluate Task File or Folder…');
    // The flow asks for the mode; the text-only baseline is a choice there, never the default.
    const rows = page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row');
    await waitFor(async () => (await rows.count()) === 2, 30_000, 'the evaluate mode choice');
    assert.match(await rows.nth(1).innerText(), /Text only/);
    assert.match(await page.locator('.quick-input-widget:visible .monaco-list-row.focused').innerText(), /With code/);
    await page.keyboard.press('Enter');
    const view = await webviewFrame(page, 'Accuracy per task', 120_000);
    const accuracy = view.locator('[data-testid="accuracy-0"]');
    await waitFor(async () => ((await accuracy.count()) > 0 ? ((await accuracy.innerText()).trim() === '70.0%' ? true : undefined) : undefined), 60_000, 'the overall accuracy 70.0%');
    // With its data the view swaps the loading line for the sections.
    assert.equal(await view.locator('#loading').isVisible(), false);
    assert.equal(await view.locator('#results').isVisible(), true);
    // One bar per task plus the overall bar.
    assert.equal(await view.locator('svg.chart rect.bar').count(), 8);
    assert.equal(await view.locator('svg.chart rect.bar[data-task="navigate"]').count(), 1);
    assert.equal(await view.locator('table.failures button', { hasText: 'Trajectory' }).count(), 3);
    await screenshot(page, 'eval-results-bar-chart');
    // One run: no empty "Run" column.
    assert.deepEqual(
      (await view.locator('table.tasks th').allInnerTexts()).map((t) => t.trim()).filter((t) => t === 'Run'),
      [],
    );
    const overflow = (): Promise<number> =>
      view.locator('body').evaluate((node: unknown) => {
        const body = node as { scrollWidth: number; clientWidth: number };
        return body.scrollWidth - body.clientWidth;
      });
    for (const [theme, kind, name] of [
      ['Dark Modern', 'vs-dark', 'dark'],
      ['Light Modern', 'vs', 'light'],
    ] as const) {
      await setColorTheme(page, theme, kind);
      await screenshotsAtWidths(page, `results-${name}`);
    }
    // At half width the page reflows: nothing sticks out sideways (wide tables scroll in their own region).
    const full = page.viewportSize() ?? { width: 1400, height: 900 };
    await page.setViewportSize({ width: Math.round(full.width / 2), height: full.height });
    await waitFor(async () => ((await overflow()) <= 0 ? true : undefined), 10_000, 'the results view to fit at half width');
    await page.setViewportSize(full);
    // A failure's trajectory opens in a solve panel: the model's text and its wrong answer.
    const row = view.locator('table.failures tr', { hasText: 'navigate.json#1' });
    await row.locator('button', { hasText: 'Trajectory' }).click();
    const panel = await webviewFrame(page, 'Stored result: wrong', 30_000);
    assert.match(await panel.locator('#transcript').innerText(), /these seem to cancel out/);
    assert.equal((await panel.locator('.answer-card .answer-text').innerText()).trim(), 'Yes');
    // The tier shown is the one recorded with the result, not a fixed badge.
    const resultsDir = join(e2eContext().workspace, '.r1ci', 'results');
    const file = (await readdir(resultsDir)).find((f) => f.startsWith('eval-mixed') && f.endsWith('.results.jsonl'));
    assert.ok(file, `no eval-mixed results file in ${resultsDir}`);
    const lines = (await readFile(join(resultsDir, file), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; tier?: string });
    const tier = lines.find((r) => r.id === 'bbh/navigate.json#1')?.tier;
    assert.ok(tier === 'isolated' || tier === 'basic', `bbh/navigate.json#1 has no recorded tier (${String(tier)})`);
    assert.equal((await panel.locator('#session .tier').innerText()).trim(), `sandbox: ${tier}`);
  });

  it('runs the questions from the Testing view and shows pass and fail icons', async () => {
    const { page } = e2eContext();
    await explorerContextMenu(page, 'eval-mixed', 'Add Task Folder to Testing');
    const tree = page.locator('.test-explorer .monaco-list');
    // The folder's row (custom.tasks.jsonl inside it mentions eval-mixed only in its description).
    const root = tree.locator('.monaco-list-row[aria-level="1"]', { hasText: /^\s*eval-mixed/ }).first();
    await root.waitFor({ state: 'visible', timeout: 30_000 });
    await root.hover();
    // The row's inline "Run Test" action.
    await root.locator('.action-label[aria-label^="Run Test"]').first().click();
    await waitFor(async () => ((await root.locator('.codicon-testing-failed-icon').count()) > 0 ? true : undefined), 120_000, 'the folder row to show a failed state');
    // Expand the folder and the task groups with failures to read every question's icon there.
    const expand = async (row: ReturnType<typeof tree.locator>): Promise<void> => {
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
      await waitFor(async () => ((await row.getAttribute('aria-expanded')) === 'true' ? true : undefined), 10_000, 'the row to expand');
    };
    await expand(root);
    for (const g of ['navigate', 'game24', 'statistical_counting_dataset']) await expand(tree.locator('.monaco-list-row[aria-level="2"]', { hasText: g }).first());
    const failed = tree.locator('.monaco-list-row[aria-level="3"] .codicon-testing-failed-icon');
    const passed = tree.locator('.monaco-list-row[aria-level="3"] .codicon-testing-passed-icon');
    await waitFor(async () => ((await failed.count()) === 3 ? true : undefined), 30_000, '3 failed questions');
    assert.equal(await passed.count(), 3); // navigate.json#0, navigate.json#2, 24_4_number.csv#0
    const wrong = tree.locator('.monaco-list-row[aria-level="3"]', { has: page.locator('.codicon-testing-failed-icon') });
    // A row reads "<label><question…>: <duration>"; the label is the last part of the question's id.
    const texts = await wrong.allInnerTexts();
    const expected: Array<[string, string]> = [
      ['navigate.json#1', 'If you follow these instructions'],
      ['24_4_number.csv#1', 'Use numbers and basic arithmetic operations'],
      ['sample_2', 'The initial total score is 0'],
    ];
    for (const [label, question] of expected)
      assert.ok(
        texts.some((t) => t.trim().startsWith(`${label}${question}`)),
        `no failed row "${label}" in ${JSON.stringify(texts)}`,
      );
    await screenshot(page, 'eval-testing-view');
  });
  it('evaluates with 4 samples per question and shows pass@k', async () => {
    const { page, modelServer } = e2eContext();
    assert.ok(modelServer, 'this test needs the scripted model server');
    // Sample i is asked with seed 40 + i, and test/scenarios/eval.json answers by seed
    // (eval-samples/README.md). A folder of its own with these settings (see openOwnWorkbench).
    const folder = await openOwnWorkbench(page, 'eval-samples-workspace', { 'r1ci.eval.samples': 4, 'r1ci.seed': 40 }, ['eval-samples']);
    try {
      await explorerContextMenu(page, 'eval-samples', 'Evaluate Task File or Folder…');
      const rows = page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row');
      await waitFor(async () => (await rows.count()) === 2, 30_000, 'the evaluate mode choice');
      await page.keyboard.press('Enter'); // With code
      const view = await webviewFrame(page, 'k = 4 samples per question', 180_000);

      // What the scripted model's answers imply: per question, the seeds it was asked with and
      // how many of them got the scenario that answers right (the "-right" scenarios).
      const asked = new Map<string, { seeds: Set<number>; right: Set<number> }>();
      for (const r of modelServer.chatRequests()) {
        const question = /^eval-samples-([abc])-/.exec(r.scenarioId ?? '')?.[1];
        if (question === undefined || r.turnIndex !== 0) continue;
        const body = r.body as { options?: { seed?: number }; seed?: number };
        const seed = body.options?.seed ?? body.seed;
        assert.ok(seed !== undefined, `a sample of question ${question} was asked without a seed`);
        const entry = asked.get(question) ?? { seeds: new Set<number>(), right: new Set<number>() };
        entry.seeds.add(seed);
        if (r.scenarioId?.endsWith('-right') === true) entry.right.add(seed);
        asked.set(question, entry);
      }
      const k = 4;
      const questions = ['a', 'b', 'c'].map((q) => asked.get(q) ?? { seeds: new Set<number>(), right: new Set<number>() });
      for (const q of questions)
        assert.deepEqual(
          [...q.seeds].sort((x, y) => x - y),
          [40, 41, 42, 43],
        );
      const right = questions.map((q) => q.right.size);
      assert.deepEqual(right, [1, 2, 0]);
      // With n = k samples, pass@k of a question is 1 when any sample is right (C(n−c, k)/C(n, k) = 0 for c ≥ 1);
      // mean@k is the mean success rate c/n.
      const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
      const passAtK = right.filter((c) => c > 0).length / right.length;
      const meanAtK = right.reduce((a, c) => a + c / k, 0) / right.length;
      assert.notEqual(pct(passAtK), pct(meanAtK));

      const cell = view.locator('[data-testid="pass-at-k"]');
      await waitFor(async () => ((await cell.count()) > 0 ? ((await cell.innerText()).trim() === pct(passAtK) ? true : undefined) : undefined), 30_000, `pass@4 ${pct(passAtK)}`);
      const overall = view.locator('[data-testid="sampling"] tr.overall td');
      assert.deepEqual((await overall.allInnerTexts()).map((t) => t.trim()).slice(0, 4), ['Overall', '3', pct(passAtK), pct(meanAtK)]);
      assert.match(await view.locator('[data-testid="sampling"] .facts').innerText(), new RegExp(`pass@4 ${pct(passAtK).replace('.', '\\.')} · mean@4 ${pct(meanAtK).replace('.', '\\.')}`));
      // Questions with something to gain, with their right samples out of 4.
      const gain = (await view.locator('[data-testid="sampling"] table').nth(1).locator('tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      assert.ok(
        gain.some((t) => t.startsWith('bbh/multistep_arithmetic_two.json#1 multistep_arithmetic_two 2/4 0.50 1.00 1')),
        JSON.stringify(gain),
      );
      assert.ok(
        gain.some((t) => t.startsWith('bbh/multistep_arithmetic_two.json#0 multistep_arithmetic_two 1/4 0.25 0.75 1')),
        JSON.stringify(gain),
      );
      await view.locator('[data-testid="sampling"]').scrollIntoViewIfNeeded();
      await screenshot(page, 'eval-results-pass-at-k');
    } finally {
      await leaveOwnWorkbench(page, folder);
    }
  });
});
