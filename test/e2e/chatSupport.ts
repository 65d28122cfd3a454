// Helpers for the side-bar chat in the real workbench (shared by chat and security e2e tests).
import type { FrameLocator, Page } from 'playwright-core';
import { runCommand, typeInQuickInput, waitFor, webviewFrame } from './workbench';

export const CHAT_TITLE = 'R1 Code Interpreter chat';

/** Opens the chat view (a new conversation) and returns its content frame. */
export async function openNewChat(page: Page): Promise<FrameLocator> {
  await runCommand(page, 'R1 Code Interpreter: New Chat');
  const chat = await webviewFrame(page, CHAT_TITLE, 60_000);
  await chat.locator('#question').waitFor({ timeout: 30_000 });
  return chat;
}

/** Types a question into the composer and sends it with Enter, as a user does. */
export async function askInChat(chat: FrameLocator, question: string): Promise<void> {
  const box = chat.locator('#question');
  await box.click();
  await box.fill(question);
  await box.press('Enter');
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

/** Switches the workbench colour theme through the command palette. */
export async function setColorTheme(page: Page, theme: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  await typeInQuickInput(page, theme);
  // The theme applies to the workbench and is pushed into every webview as CSS variables.
  await waitFor(async () => (await page.locator('.quick-input-widget').isHidden()) && true, 10_000, 'the theme picker to close');
  await page.waitForTimeout(600);
}
