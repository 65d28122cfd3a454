// Debian's headless Chromium driven by playwright-core. A persistent context on a fresh folder
// gives a clean profile (Playwright refuses a raw --user-data-dir flag).
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Resource } from './lifecycle';
import { chromiumExecutable } from './paths';

const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const VIEWPORT = { width: 1400, height: 900 } as const;

export class BrowserSession implements Resource {
  readonly label = 'chromium';

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async launch(profileDir: string): Promise<BrowserSession> {
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumExecutable,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: VIEWPORT,
      // Our lifecycle handles signals; Playwright's own handlers would race it to process.exit.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return new BrowserSession(context, page);
  }

  async dispose(): Promise<void> {
    await this.context.close();
  }
}
