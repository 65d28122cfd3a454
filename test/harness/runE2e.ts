// `npm run test:e2e`: installs the packaged extension into a fresh code-server, opens the real
// workbench in headless Chromium and runs every dist/test/e2e/*.e2e.js with mocha, in this
// process, sharing one page (see e2eContext.ts). Packages nothing: run `npm run package` first.
//
//   node dist/test/harness/runE2e.js [--vsix <file>] [--specs <dir>] [--grep <pattern>]
//        [--workspace <fixture dir>] [--timeout <seconds>] [--restricted] [--no-model-server] [--verbose]
//
// Exit code: the number of failed tests (0 = all passed; capped at 100); 124 on the hard timeout.
import { appendFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Mocha from 'mocha';
import { parseArgs, secondsOption, type ParsedArgs } from './args';
import type { BrowserSession } from './browser';
import { installExtension } from './codeServerSession';
import { e2eContext, setE2eContext } from './e2eContext';
import { runMain, type Resources } from './lifecycle';
import { defaultVsix, e2eDir, screenshotDir } from './paths';
import { formatSummary } from './summary';
import { step } from './timing';
import { startWorkbenchRun } from './workbenchRun';

const DEFAULT_TIMEOUT_SECONDS = 900;
const TEST_TIMEOUT_MS = 120_000;

function specFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.e2e.js'))
    .sort()
    .map((name) => join(dir, name));
}

async function main(resources: Resources, args: ParsedArgs): Promise<number> {
  const vsix = resolve(args.values.get('vsix') ?? defaultVsix);
  if (!existsSync(vsix)) throw new Error(`no extension package at ${vsix}; run \`npm run package\` first`);
  const specs = specFiles(resolve(args.values.get('specs') ?? e2eDir));
  if (specs.length === 0) throw new Error(`no *.e2e.js files in ${args.values.get('specs') ?? e2eDir}; run \`npm run build\` first`);

  // Screenshots of an earlier run (above all its FAILED-* ones) would pass for this run's.
  for (const name of existsSync(screenshotDir) ? readdirSync(screenshotDir) : []) if (name.startsWith('FAILED-')) rmSync(join(screenshotDir, name), { force: true });

  const { run, environment, session, browser } = await startWorkbenchRun('e2e', resources, args, async (binary, runFolder) => {
    await installExtension(binary, runFolder, vsix);
    step(`installed ${vsix}`);
  });
  recordBrowserConsole(browser, join(run.logs, 'browser-console.log'), args.flags.has('verbose'));

  setE2eContext({
    page: browser.page,
    browser: browser.context,
    codeServerUrl: session.baseUrl,
    workspace: run.workspace,
    scratch: run.scratch,
    screenshotDir,
    runDir: run.root,
    modelServer: environment.modelServer,
  });
  // Tests start from an open workbench; they may navigate elsewhere themselves.
  await browser.page.goto(session.workbenchUrl(run.workspace));
  await browser.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  step(`workbench open; running ${specs.length} e2e file(s)`);

  const counts = await runMocha(specs, args.values.get('grep'));
  console.log(formatSummary(counts));
  return Math.min(counts.failed, 100);
}

function recordBrowserConsole(browser: BrowserSession, logFile: string, verbose: boolean): void {
  browser.page.on('console', (message) => {
    const line = `[${message.type()}] ${message.text()}`;
    appendFileSync(logFile, `${line}\n`);
    if (verbose) console.log(`  [browser] ${line}`);
  });
  browser.page.on('pageerror', (error) => appendFileSync(logFile, `[pageerror] ${error.stack ?? error.message}\n`));
}

function runMocha(files: readonly string[], grep: string | undefined): Promise<{ passed: number; failed: number }> {
  const mocha = new Mocha({ ui: 'bdd', timeout: TEST_TIMEOUT_MS, reporter: 'spec', color: false });
  if (grep) mocha.grep(grep);
  for (const file of files) mocha.addFile(file);
  // A picture of the failing moment is worth more than most assertion messages.
  mocha.suite.afterEach(async function screenshotOnFailure(this: Mocha.Context) {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    const path = join(
      screenshotDir,
      `FAILED-${test
        .fullTitle()
        .replace(/[^\w.-]+/g, '_')
        .slice(0, 120)}.png`,
    );
    try {
      await e2eContext().page.screenshot({ path });
      console.log(`      screenshot: ${path}`);
    } catch (error) {
      console.log(`      (no screenshot: ${error instanceof Error ? error.message : String(error)})`);
    }
  });
  return new Promise((resolvePromise) => {
    const runner = mocha.run((failures) => resolvePromise({ passed: runner.stats?.passes ?? 0, failed: failures }));
  });
}

const args = parseArgs(process.argv.slice(2), ['vsix', 'specs', 'grep', 'workspace', 'timeout'], ['restricted', 'no-model-server', 'verbose']);
runMain('e2e tests', secondsOption(args, 'timeout', DEFAULT_TIMEOUT_SECONDS), (resources) => main(resources, args));
