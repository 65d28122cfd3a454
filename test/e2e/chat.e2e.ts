// End to end in the real workbench: the side-bar chat. Ask, follow up with a variable defined by
// the first answer's code (the sandbox persists across the conversation), stop mid-stream,
// reload the window and find the conversation in the history; screenshots of the chat and of
// the panel in light and dark themes.
import * as assert from 'node:assert/strict';
import { askInChat, openNewChat, setColorTheme, waitForAnswerCard } from './chatSupport';
import { e2eContext, runCommand, screenshot, typeInQuickInput, waitFor, webviewFrame } from './workbench';

const FIRST = 'Chat probe: sum of the first ten squares';
const FOLLOW_UP = 'Chat follow-up: the largest of those squares';

describe('Side-bar chat', function () {
  this.timeout(240_000);

  it('answers, follows up in the same sandbox, stops mid-stream and keeps the history across a reload', async () => {
    const { page, modelServer } = e2eContext();
    let chat = await openNewChat(page);

    await askInChat(chat, FIRST);
    assert.match(await waitForAnswerCard(chat, 1), /385/);
    // The question is shown as the user's bubble, the reasoning's math is typeset by KaTeX.
    assert.equal((await chat.locator('.question-bubble .question-text').first().innerText()).trim(), FIRST);
    assert.ok((await chat.locator('.prose .katex').count()) >= 2, 'math in the reasoning was not typeset');
    assert.equal(await chat.locator('#question').inputValue(), '', 'the composer was not cleared after sending');

    await askInChat(chat, FOLLOW_UP);
    assert.match(await waitForAnswerCard(chat, 2), /100/);
    const cells = chat.locator('.cell');
    assert.equal(await cells.count(), 2);
    assert.equal((await cells.nth(1).locator('.cell-code').innerText()).trim(), 'print(max(squares))');
    // Only a sandbox that kept `squares` from cell 1 prints 100 here.
    assert.equal((await cells.nth(1).locator('pre.stdout').innerText()).trim(), '100');
    assert.equal(await cells.nth(1).locator('pre.stderr').count(), 0);
    await screenshot(page, 'chat-dark');

    // Keyboard: Shift+Enter is a new line, not a send.
    const box = chat.locator('#question');
    await box.fill('line one');
    await box.press('Shift+Enter');
    await box.pressSequentially('line two');
    assert.equal(await box.inputValue(), 'line one\nline two');
    await box.fill('');

    // Stop mid-stream.
    await askInChat(chat, 'Chat probe: think slowly');
    await waitFor(async () => (await chat.locator('.turn .prose').last().innerText()).includes('Step 3'), 30_000, 'the slow answer to stream');
    await chat.locator('#stop').click();
    assert.match(await waitForAnswerCard(chat, 3), /Stopped/);
    if (modelServer) await modelServer.waitForRequest((r) => r.question?.includes('think slowly') === true && r.aborted === true);
    assert.ok(!(await chat.locator('#transcript').innerText()).includes('too late'));
    await waitFor(async () => (await chat.locator('#send').isVisible()) && true, 10_000, 'Send to come back after Stop');

    // Reload the window: the conversation is in the history and opens with its answers.
    await page.reload();
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    chat = await openNewChat(page);
    const toggle = chat.locator('#history-toggle');
    await toggle.click();
    const entry = chat.locator('.history-open', { hasText: FIRST });
    await entry.waitFor({ timeout: 30_000 });
    await entry.click();
    await waitFor(async () => (await chat.locator('.answer-card').count()) === 3, 30_000, 'the restored conversation');
    assert.match(await chat.locator('.answer-card').nth(1).innerText(), /100/);
    assert.equal((await chat.locator('.cell').nth(1).locator('pre.stdout').innerText()).trim(), '100');
    assert.match(await chat.locator('.answer-card').nth(2).innerText(), /Stopped|Interrupted/);
  });

  it('looks right in light, dark and high-contrast themes (chat and panel)', async () => {
    const { page } = e2eContext();
    const chat = await openNewChat(page);
    await askInChat(chat, 'Chat probe: rich output');
    assert.match(await waitForAnswerCard(chat, 1), /3600/);
    // Long output is folded, the image the code wrote is shown inline.
    const stdout = chat.locator('pre.stdout').first();
    assert.ok(!(await stdout.innerText()).includes('row 60'), 'the long output was not folded');
    await chat.locator('.show-all').first().click();
    assert.ok((await stdout.innerText()).includes('row 60: 3600'), '"Show all" did not reveal the whole output');
    await chat.locator('.show-all').first().click();
    await waitFor(async () => (await chat.locator('.artifact img').evaluate((node: unknown) => {
      const img = node as { complete: boolean; naturalWidth: number };
      return img.complete ? img.naturalWidth : 0;
    })) === 160, 15_000, 'the PNG the code wrote');
    assert.equal((await chat.locator('pre.stderr').first().innerText()).trim(), 'squares written; a note on stderr');

    await runCommand(page, 'R1 Code Interpreter: Solve Question…');
    await typeInQuickInput(page, FIRST);
    const panel = await webviewFrame(page, 'Solve: Chat probe', 60_000);
    assert.match(await waitForAnswerCard(panel, 1), /385/);

    for (const [theme, kind, name] of [
      ['Dark Modern', 'vs-dark', 'dark'],
      ['Light High Contrast', 'hc-light', 'hc-light'],
      ['Dark High Contrast', 'hc-black', 'hc-dark'],
      ['Light Modern', 'vs', 'light'],
    ] as const) {
      await setColorTheme(page, theme, kind);
      await screenshot(page, `chat-and-panel-${name}`);
    }
    // The webview follows the theme: its body carries VS Code's theme-kind class.
    assert.ok(((await chat.locator('body').getAttribute('class')) ?? '').includes('vscode-light'), 'the chat webview did not follow the light theme');
  });

  it('re-runs a cell in the conversation\'s sandbox and opens the solution as a notebook', async () => {
    const { page } = e2eContext();
    const chat = await openNewChat(page);
    await askInChat(chat, 'Chat probe: count the runs');
    assert.match(await waitForAnswerCard(chat, 1), /run 1/);
    const cell = chat.locator('.cell').first();
    assert.equal((await cell.locator('pre.stdout').innerText()).trim(), 'run 1');
    // The same interpreter still holds `runs`, so a re-run counts on.
    await cell.locator('button', { hasText: 'Re-run' }).click();
    await waitFor(async () => (await cell.locator('pre.stdout').innerText()).trim() === 'run 2', 30_000, 'the re-run output');
    assert.match(await cell.locator('.cell-status').innerText(), /^ok · \d+\.\d\d s$/);

    // Collapsing a cell hides its body and is reflected for assistive technology.
    const toggle = cell.locator('.cell-toggle');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.ok(await cell.locator('.cell-body').isHidden());
    await toggle.press('Enter');
    assert.ok(await cell.locator('.cell-body').isVisible());

    await chat.locator('.answer-card button', { hasText: 'Open in notebook' }).click();
    const notebook = page.locator('.notebook-editor:visible').first();
    await notebook.waitFor({ timeout: 30_000 });
    await waitFor(async () => (await notebook.innerText()).replace(/\u00a0/g, ' ').includes("runs = globals().get('runs', 0) + 1"), 30_000, 'the cell code in the notebook');
    await screenshot(page, 'chat-open-in-notebook');
  });
});
