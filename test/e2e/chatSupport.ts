// Helpers for the side-bar chat in the real workbench (shared by chat and security e2e tests).
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { runCommand, waitFor, webviewFrame } from './workbench';

export const CHAT_TITLE = 'R1 Code Interpreter chat';

/**
 * Opens the chat view (a new conversation) and returns its content frame once the new, empty
 * conversation is on screen: the view may still show the previous one (with its answer cards)
 * until the extension's reset reaches the webview, and a test counting cards would read those.
 */
export async function openNewChat(page: Page): Promise<FrameLocator> {
  await runCommand(page, 'R1 Code Interpreter: New Chat');
  const chat = await webviewFrame(page, CHAT_TITLE, 60_000);
  await chat.locator('#question').waitFor({ timeout: 30_000 });
  await waitFor(async () => (await chat.locator('.answer-card, .question-bubble').count()) === 0, 30_000, 'the new, empty conversation');
  return chat;
}

/**
 * A button of the chat view's title bar (its tooltip/aria-label starts with `title`, e.g.
 * "New Chat", "Chat History", "Stop Chat Answer"). A container with one view shows the view's
 * actions in the side bar's title.
 */
export function chatTitleAction(page: Page, title: string): Locator {
  return page.locator(`.part.sidebar .title-actions .action-label[aria-label^="${title}"], .part.sidebar .composite.title .action-label[aria-label^="${title}"]`);
}

/** Shows the chat's side bar (the activity-bar icon) unless it is already showing. */
export async function showChatView(page: Page): Promise<void> {
  const title = page.locator('.part.sidebar .composite.title', { hasText: /R1 Code Interpreter/i });
  await waitFor(
    async () => {
      if (await title.isVisible().catch(() => false)) return true;
      await page
        .locator('.part.activitybar .action-item .action-label[aria-label^="R1 Code Interpreter"]')
        .first()
        .click({ timeout: 5000 })
        .catch(() => undefined);
      return false;
    },
    60_000,
    'the R1 Code Interpreter side bar',
  );
}

/**
 * Types a question into the composer and sends it with Enter, as a user does, then waits until
 * the page has taken it (the composer empties on send). The composer is disabled until the page's
 * script handles Enter, and Playwright's click and fill wait for it to be enabled, so the Enter
 * is never pressed into a page that would only add a new line.
 *
 * @throws Error when the composer still holds the question 15 s after Enter (the question was
 *   not sent: e.g. the page said an answer is still running).
 */
export async function askInChat(chat: FrameLocator, question: string): Promise<void> {
  const box = chat.locator('#question');
  await box.click();
  await box.fill(question);
  await box.press('Enter');
  await waitFor(async () => (await box.inputValue()) === '', 15_000, `the chat to send "${question}" (the composer still holds it)`);
}

/**
 * Waits until the n-th answer card (1-based) appears, clicking Run on any cell that waits for
 * approval (on the basic sandbox tier the default setting asks before code runs).
 */
export async function waitForAnswerCard(frame: FrameLocator, n: number, timeoutMs = 60_000): Promise<string> {
  const cards = frame.locator('.answer-card');
  const run = frame.locator('.approval button.primary');
  await waitFor(
    async () => {
      if ((await cards.count()) >= n) return true;
      if ((await run.count()) > 0) await run.first().click();
      return false;
    },
    timeoutMs,
    `answer card #${n}`,
  );
  return (await cards.nth(n - 1).innerText()).trim();
}

/** The workbench's theme kinds, as the class on .monaco-workbench shows them. */
export type ThemeKind = 'vs' | 'vs-dark' | 'hc-black' | 'hc-light';

/**
 * Switches the colour theme as a user does: the theme picker (Ctrl+K Ctrl+T), type the theme's
 * label, Enter; then waits until the workbench shows the theme's kind.
 */
export async function setColorTheme(page: Page, label: string, kind: ThemeKind): Promise<void> {
  const box = page.locator('.quick-input-widget input');
  await page.keyboard.press('Escape');
  await page.locator('.part.statusbar').click({ position: { x: 600, y: 5 } });
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+T');
  await box.waitFor({ state: 'visible', timeout: 10_000 });
  await box.fill(label);
  // Only the open picker's rows: a closed widget keeps its old ones in the DOM.
  const focused = page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row.focused');
  await waitFor(async () => ((await focused.textContent()) ?? '').includes(label), 10_000, `"${label}" in the theme picker`);
  await page.keyboard.press('Enter');
  await waitFor(async () => ((await page.locator('.monaco-workbench').getAttribute('class')) ?? '').split(/\s+/).includes(kind), 20_000, `the ${label} theme`);
  // Webviews receive the theme's variables a moment after the workbench repaints.
  await page.waitForTimeout(800);
}
