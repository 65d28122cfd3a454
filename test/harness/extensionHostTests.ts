// Runs a mocha suite inside code-server's real (Node, server-side) extension host, the way VS
// Code's own browser integration tests do: the workbench reads extensionDevelopmentPath and
// extensionTestsPath from the URL payload, loads the suite's `run()`, and reports back through
// two functions we expose on the page: codeAutomationLog (log lines) and codeAutomationExit.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { format } from 'node:util';
import type { Page } from 'playwright-core';
import type { CodeServerSession } from './codeServerSession';
import { parseSummary, type TestCounts } from './summary';

export interface ExtensionHostTestOptions {
  extensionPath: string;
  testsPath: string;
  workspace: string;
  /** Where the workbench's own logs (handed over at exit) are written. */
  logDir: string;
  /** Print every workbench log line, not only the extension host's test output. */
  verbose: boolean;
}

export interface ExtensionHostTestResult {
  exitCode: number;
  /** Parsed from the suite's `N passed, N failed` line; undefined when it never printed one. */
  counts: TestCounts | undefined;
}

interface WorkbenchLogFile {
  relativePath: string;
  contents: string;
}

// Noise the workbench logs on these offline machines; never interesting for a test run.
const NOISE = [/ENOTFOUND/, /open-vsx/, /vsda/, /marketplace/i, /Failed to fetch/];
// The workbench's own start-up chatter; shown with --verbose only.
const WORKBENCH_CHATTER = [/^Resolving connection token/, /^Resolved connection token/, /^Creating a socket/, /^Updating additional builtin extensions cache/, /^\[Service Worker\]/, /^ChatSessionStore:/];

export async function runExtensionHostTests(page: Page, session: CodeServerSession, options: ExtensionHostTestOptions): Promise<ExtensionHostTestResult> {
  let counts: TestCounts | undefined;

  const exited = new Promise<number>((resolveExit, rejectExit) => {
    page.on('crash', () => rejectExit(new Error('the workbench page crashed')));
    page.on('close', () => rejectExit(new Error('the workbench page closed before the tests finished')));
    void page
      .exposeFunction('codeAutomationExit', (code: unknown, logs: unknown) => {
        saveWorkbenchLogs(options.logDir, logs);
        resolveExit(typeof code === 'number' ? code : 1);
      })
      .catch(rejectExit);
  });

  // Until we await it below, a rejection (page closed during navigation) must not count as unhandled.
  exited.catch(() => undefined);

  await page.exposeFunction('codeAutomationLog', (level: unknown, message: unknown) => {
    // The workbench hands over console arguments: a format string and its values.
    const text = Array.isArray(message) ? format(...message) : String(message);
    for (const line of text.split('\n')) {
      const parsed = parseSummary(line);
      if (parsed) counts = parsed;
    }
    if (options.verbose) {
      console.log(`  [${String(level)}] ${text}`);
    } else if (![...NOISE, ...WORKBENCH_CHATTER].some((pattern) => pattern.test(text))) {
      console.log(text);
    }
  });

  const payload: Array<readonly [string, string]> = [
    ['extensionDevelopmentPath', session.remoteUri(resolve(options.extensionPath))],
    ['extensionTestsPath', session.remoteUri(resolve(options.testsPath))],
    ['skipWelcome', 'true'],
  ];
  await page.goto(session.workbenchUrl(options.workspace, payload));
  const exitCode = await exited;
  return { exitCode, counts };
}

function isLogFile(value: unknown): value is WorkbenchLogFile {
  return typeof value === 'object' && value !== null && 'relativePath' in value && typeof value.relativePath === 'string' && 'contents' in value && typeof value.contents === 'string';
}

function saveWorkbenchLogs(logDir: string, logs: unknown): void {
  if (!Array.isArray(logs)) return;
  for (const log of logs) {
    if (!isLogFile(log)) continue;
    const target = resolve(logDir, log.relativePath);
    // Never let a log name escape the log folder.
    if (relative(logDir, target).startsWith('..')) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, log.contents);
  }
}

export function workbenchLogDir(runLogs: string): string {
  return join(runLogs, 'workbench');
}
