// What the e2e runner hands to every test file. esbuild bundles each *.e2e.ts on its own, so a
// module-level variable would exist once per bundle; the context therefore lives on globalThis
// under a registered symbol that every bundle resolves to the same key.
import type { BrowserContext, Page } from 'playwright-core';
import type { ScriptedServer } from '../support/scripted-server';

export interface E2eContext {
  /** The one workbench tab; the runner has already opened `workspace` in it. */
  page: Page;
  browser: BrowserContext;
  /** code-server's base URL, e.g. http://127.0.0.1:41234 */
  codeServerUrl: string;
  /** The folder the workbench opened (a fresh copy of test/fixtures/workspace). */
  workspace: string;
  /** A fresh, empty folder tests may write to. */
  scratch: string;
  /** test-output/screenshots/ */
  screenshotDir: string;
  /** The run folder under .test-runs/ (logs, profiles). */
  runDir: string;
  /** The scripted model server (undefined with --no-model-server). */
  modelServer: ScriptedServer | undefined;
}

const CONTEXT_KEY: unique symbol = Symbol.for('r1ci.e2e.context');
const holder = globalThis as typeof globalThis & { [CONTEXT_KEY]?: E2eContext };

export function setE2eContext(context: E2eContext): void {
  holder[CONTEXT_KEY] = context;
}

/** The shared context; throws when a test file is run outside runE2e. */
export function e2eContext(): E2eContext {
  const context = holder[CONTEXT_KEY];
  if (!context) throw new Error('no e2e context: run e2e tests through dist/test/harness/runE2e.js');
  return context;
}
