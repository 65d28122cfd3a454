// Helpers for end-to-end tests that drive the real VS Code workbench (code-server in headless
// Chromium). Selectors are VS Code's own DOM classes, which are stable across 1.10x releases.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { e2eContext } from '../harness/e2eContext';

export { e2eContext, type E2eContext } from '../harness/e2eContext';

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} input`;
// The widget keeps its rows in the DOM after it closes: only rows of an open widget count.
const OPEN_QUICK_INPUT = `${QUICK_INPUT}:visible`;

/** Polls `fn` until it returns something truthy; errors from `fn` count as "not yet". */
export async function waitFor<T>(fn: () => T | Promise<T>, ms: number, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${ms} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Opens `folder` in the workbench and waits until the workbench is on screen. */
export async function openWorkbench(page: Page, folder: string = e2eContext().workspace, baseUrl: string = e2eContext().codeServerUrl): Promise<void> {
  await page.goto(`${baseUrl}/?folder=${encodeURIComponent(folder)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // The status bar appears once the workbench parts are laid out and the remote host connected.
  await page.waitForSelector('.part.statusbar', { timeout: 60_000 });
}

/**
 * Opens the workbench on a folder of its own (`name`, beside the shared workspace) whose
 * .vscode/settings.json holds `settings` before the workbench loads, so the extension host
 * starts with them, and which holds copies of `fixtures` (folders of the shared workspace).
 * Why not the shared workspace: a settings file written while it is open reaches the extension
 * only when the file watcher reports it (under load, after the test went on), and reloading it
 * restores earlier tests' editors around whatever the test opens next (under load, a new panel
 * or results view was left hidden in an empty editor group). A new folder has neither.
 * Returns the folder; `leaveOwnWorkbench` goes back to the shared workspace and removes it.
 */
export async function openOwnWorkbench(page: Page, name: string, settings: Readonly<Record<string, unknown>>, fixtures: readonly string[] = []): Promise<string> {
  const { workspace } = e2eContext();
  const folder = join(dirname(workspace), name);
  mkdirSync(join(folder, '.vscode'), { recursive: true });
  writeFileSync(join(folder, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  for (const fixture of fixtures) cpSync(join(workspace, fixture), join(folder, fixture), { recursive: true });
  await openWorkbench(page, folder);
  return folder;
}

/** Goes back to the shared workspace (later tests run there) and removes `folder`. */
export async function leaveOwnWorkbench(page: Page, folder: string): Promise<void> {
  await openWorkbench(page);
  rmSync(folder, { recursive: true, force: true });
}

/** Opens the command palette (F1), even when focus sits in a webview or a closed dialog. */
async function openCommandPalette(page: Page): Promise<void> {
  const box = page.locator(QUICK_INPUT_BOX);
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  try {
    await box.waitFor({ state: 'visible', timeout: 3000 });
  } catch {
    // Focus was somewhere F1 does not reach (e.g. nowhere yet): focus the workbench, retry.
    await page.locator('.part.statusbar').click({ position: { x: 400, y: 5 } });
    await page.keyboard.press('F1');
    await box.waitFor({ state: 'visible', timeout: 10_000 });
  }
}

/**
 * Runs a command by its palette title (e.g. "R1 Code Interpreter: Solve…"): F1, type, wait
 * until the focused row of the OPEN palette is exactly that command, Enter. The palette lists
 * the commands known when it opens, and extensions register theirs a few seconds after the
 * workbench appears, so a miss closes and reopens the palette until `timeoutMs` runs out.
 *
 * Why "open" matters: the palette closes whenever something else takes focus (e.g. a walkthrough
 * focusing its step after its command ran), and the closed widget keeps its old rows in the DOM.
 * Reading those rows would press Enter into whatever took focus, and the command never runs.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const focusedRow = page.locator(`${OPEN_QUICK_INPUT} .quick-input-list .monaco-list-row.focused .label-name`).first();
  const box = page.locator(`${OPEN_QUICK_INPUT} input:focus`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await openCommandPalette(page);
    await page.keyboard.type(title);
    try {
      await waitFor(async () => ((await focusedRow.textContent({ timeout: 1000 })) ?? '').trim() === title && (await box.count()) === 1, 3000, `command "${title}" focused in the open palette`);
      await page.keyboard.press('Enter');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`no command titled "${title}" in the palette after ${timeoutMs} ms`, { cause: error });
    }
  }
}

/**
 * Closes every editor, answering "Don't Save" for unsaved ones (e.g. an untitled notebook an
 * earlier test opened), so a test starts from an empty editor area whatever ran before it.
 */
export async function closeAllEditors(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  const tabs = page.locator('.part.editor .tabs-container .tab');
  const dontSave = page.getByRole('button', { name: "Don't Save" }).first();
  await waitFor(
    async () => {
      if (await dontSave.isVisible().catch(() => false)) await dontSave.click();
      return (await tabs.count()) === 0;
    },
    15_000,
    'every editor to close',
  );
}

/**
 * Answers an open quick input / input box (e.g. the question prompt of a command): waits for it,
 * replaces its text, and presses Enter unless `submit` is false.
 */
export async function typeInQuickInput(page: Page, text: string, options: { submit?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const box = page.locator(QUICK_INPUT_BOX);
  await box.waitFor({ state: 'visible', timeout: options.timeoutMs ?? 15_000 });
  await box.fill(text);
  if (options.submit ?? true) await page.keyboard.press('Enter');
}

/**
 * The content frame of a webview. VS Code nests it two iframes deep: the host iframe
 * (`iframe.webview.ready`) contains `#active-frame`, which holds the extension's HTML.
 * `which` is the webview's index (in DOM order) or text its document title or body contains.
 */
export async function webviewFrame(page: Page, which: number | string, timeoutMs = 30_000): Promise<FrameLocator> {
  const hosts = page.frameLocator('iframe.webview.ready');
  const contentOf = (index: number): FrameLocator => hosts.nth(index).frameLocator('#active-frame');
  if (typeof which === 'number') {
    await contentOf(which).locator('body').waitFor({ state: 'attached', timeout: timeoutMs });
    return contentOf(which);
  }
  return waitFor(
    async () => {
      const count = await page.locator('iframe.webview.ready').count();
      for (let index = 0; index < count; index++) {
        const content = contentOf(index);
        const title =
          (await content
            .locator('title')
            .textContent({ timeout: 1000 })
            .catch(() => null)) ?? '';
        if (title.includes(which)) return content;
        const body =
          (await content
            .locator('body')
            .textContent({ timeout: 1000 })
            .catch(() => null)) ?? '';
        if (body.includes(which)) return content;
      }
      return undefined;
    },
    timeoutMs,
    `a webview titled or containing "${which}"`,
  );
}

/** Saves a full-window PNG to test-output/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = e2eContext().screenshotDir;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * Screenshots at the window's full width and at half of it (`<name>-full.png`, `<name>-half.png`),
 * for checking that views reflow; the window is back at full width afterwards.
 */
export async function screenshotsAtWidths(page: Page, name: string): Promise<void> {
  const full = page.viewportSize() ?? { width: 1400, height: 900 };
  await screenshot(page, `${name}-full`);
  await page.setViewportSize({ width: Math.round(full.width / 2), height: full.height });
  // The workbench relayouts on resize; webviews reflow a frame later.
  await page.waitForTimeout(1000);
  await screenshot(page, `${name}-half`);
  await page.setViewportSize(full);
  await page.waitForTimeout(500);
}
