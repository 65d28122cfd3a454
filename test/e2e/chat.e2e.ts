// End to end in the real workbench: the side-bar chat. Ask, follow up with a variable defined by
// the first answer's code (the sandbox persists across the conversation), stop mid-stream from
// the view's title bar, reload the window and find the chat back in that conversation, reopen it
// from the History quick pick; screenshots of the chat and of the panel in light and dark
// themes, at full and half width; keyboard-only use.
import * as assert from 'node:assert/strict';
import { askInChat, chatTitleAction, openNewChat, setColorTheme, showChatView, waitForAnswerCard } from './chatSupport';
import { CHAT_TITLE } from './chatSupport';
import { e2eContext, runCommand, screenshot, screenshotsAtWidths, typeInQuickInput, waitFor, webviewFrame } from './workbench';

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
    // Said once: the answer is in its card, not again in the prose; no toolbar of HTML buttons.
    assert.ok(!(await chat.locator('.turn .prose').last().innerText()).includes('<<<'), 'the answer marker is repeated in the prose');
    assert.equal(await chat.locator('header button, #new-chat, #history-toggle, #stop').count(), 0, 'the chat still has HTML toolbar buttons');
    assert.equal(await chatTitleAction(page, 'New Chat').count(), 1, 'one "New Chat", in the view title bar');
    assert.equal(await chatTitleAction(page, 'Stop Chat Answer').count(), 0, 'Stop is shown while no answer runs');
    // Screen readers: the card and each cell status carry a label.
    assert.match((await chat.locator('.answer-card').first().getAttribute('aria-label')) ?? '', /^Final answer: 385\./);
    assert.match((await chat.locator('.cell-status').first().getAttribute('aria-label')) ?? '', /^Cell 1: ok · \d+\.\d\d s$/);

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
    const stop = chatTitleAction(page, 'Stop Chat Answer');
    await stop.waitFor({ state: 'visible', timeout: 10_000 });
    await stop.click();
    assert.match(await waitForAnswerCard(chat, 3), /Stopped/);
    // Stop disappears when the run ends.
    await stop.waitFor({ state: 'detached', timeout: 10_000 });
    if (modelServer) await modelServer.waitForRequest((r) => r.question?.includes('think slowly') === true && r.aborted === true);
    assert.ok(!(await chat.locator('#transcript').innerText()).includes('too late'));
    await waitFor(async () => await chat.locator('#send').isEnabled(), 10_000, 'Send to come back after Stop');

    // Reload the window: the chat reopens the conversation the user was in, with its answers.
    await page.reload();
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await showChatView(page);
    chat = await webviewFrame(page, CHAT_TITLE, 60_000);
    // textContent, not innerText: turns scrolled out of view skip rendering (content-visibility),
    // and innerText of an unrendered element is empty.
    const text = async (locator: ReturnType<typeof chat.locator>): Promise<string> => ((await locator.textContent()) ?? '').trim();
    const restored = async (): Promise<void> => {
      await waitFor(async () => (await chat.locator('.answer-card').count()) === 3, 30_000, 'the restored conversation');
      assert.equal(await text(chat.locator('.question-bubble .question-text').first()), FIRST);
      assert.match(await text(chat.locator('.answer-card').nth(1)), /100/);
      assert.equal(await text(chat.locator('.cell').nth(1).locator('pre.stdout')), '100');
      assert.match(await text(chat.locator('.answer-card').nth(2)), /Stopped|Interrupted/);
    };
    await restored();

    // A new chat, then the title bar's History: the conversation is there and opens again.
    chat = await openNewChat(page);
    await chatTitleAction(page, 'Chat History').click();
    const entry = page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row', { hasText: FIRST }).first();
    await entry.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'chat-history');
    await entry.click();
    await restored();
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
    await waitFor(
      async () =>
        (await chat.locator('.artifact img').evaluate((node: unknown) => {
          const img = node as { complete: boolean; naturalWidth: number };
          return img.complete ? img.naturalWidth : 0;
        })) === 160,
      15_000,
      'the PNG the code wrote',
    );
    assert.equal((await chat.locator('pre.stderr').first().innerText()).trim(), 'squares written; a note on stderr');

    await runCommand(page, 'R1 Code Interpreter: Solve Question…');
    await typeInQuickInput(page, FIRST);
    const panel = await webviewFrame(page, 'Solve: Chat probe', 60_000);
    assert.match(await waitForAnswerCard(panel, 1), /385/);

    // In the narrow side bar a cell's actions stay on its header line.
    const head = chat.locator('.cell-head').first();
    const toggleBox = await head.locator('.cell-toggle').boundingBox();
    const actionsBox = await head.locator('.cell-actions').boundingBox();
    assert.ok(toggleBox && actionsBox && Math.abs(toggleBox.y - actionsBox.y) < 8, `cell actions wrapped below the header line (${JSON.stringify([toggleBox, actionsBox])})`);
    // The panel's Stop went away with its run; the answer is said once (the card, not the status line).
    assert.equal(await panel.locator('#stop').isVisible(), false, 'Stop is still shown after the run ended');
    // (It stays in the DOM as a 1-pixel live region, so screen readers still hear how the run ended.)
    const statusBox = await panel.locator('footer#status').boundingBox();
    assert.ok(statusBox && statusBox.height <= 1, `the status line repeats the card (${JSON.stringify(statusBox)})`);
    assert.match((await panel.locator('footer#status').textContent()) ?? '', /^Final answer: 385$/);
    for (const [theme, kind, name] of [
      ['Dark Modern', 'vs-dark', 'dark'],
      ['Light High Contrast', 'hc-light', 'hc-light'],
      ['Dark High Contrast', 'hc-black', 'hc-dark'],
      ['Light Modern', 'vs', 'light'],
    ] as const) {
      await setColorTheme(page, theme, kind);
      await screenshotsAtWidths(page, `chat-and-panel-${name}`);
    }
    // The webview follows the theme: its body carries VS Code's theme-kind class.
    assert.ok(((await chat.locator('body').getAttribute('class')) ?? '').includes('vscode-light'), 'the chat webview did not follow the light theme');
  });

  it("re-runs a cell in the conversation's sandbox and opens the solution as a notebook", async () => {
    const { page } = e2eContext();
    const chat = await openNewChat(page);
    await askInChat(chat, 'Chat probe: count the runs');
    assert.match(await waitForAnswerCard(chat, 1), /run 1/);
    const cell = chat.locator('.cell').first();
    assert.equal((await cell.locator('pre.stdout').innerText()).trim(), 'run 1');
    // Keyboard only: from the cell's toggle, Tab reaches Copy, Insert, Re-run (focus visible), Enter runs it.
    // The same interpreter still holds `runs`, so a re-run counts on.
    await cell.locator('.cell-toggle').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    const focused = chat.locator(':focus');
    assert.equal((await focused.innerText()).trim(), 'Re-run');
    const ring = await focused.evaluate((node: unknown) => {
      const view = globalThis as unknown as { getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string } };
      const style = view.getComputedStyle(node);
      return { visible: (node as { matches(s: string): boolean }).matches(':focus-visible'), outline: `${style.outlineStyle} ${style.outlineWidth}` };
    });
    assert.ok(ring.visible && !ring.outline.startsWith('none'), `no visible focus ring on Re-run (${JSON.stringify(ring)})`);
    await page.keyboard.press('Enter');
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
