// End to end: the first window of `npm start` (scripts/start.mjs in web mode, as a newcomer runs
// it) on a git repository. The folder opens trusted, every built-in extension loads (no "Cannot
// activate the 'Git' extension because it depends on the 'Git Base' extension" toasts), and
// Insert into Notebook works in this first window (the .ipynb serializer is there, no reload).
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { freePort } from '../harness/freePort';
import { projectRoot } from '../harness/paths';
import { stopProcessGroup } from '../harness/processes';
import { symbenchQuestion } from '../support/sharedTasks';
import { e2eContext, runCommand, screenshot, typeInQuickInput, waitFor, webviewFrame } from './workbench';

/** Starts `node scripts/start.mjs --web` the way the README says, on its own profile; resolves with its pid and URL. */
async function startLikeNpmStart(dataDir: string, folder: string): Promise<{ pid: number; url: string }> {
  const port = await freePort();
  const home = join(dataDir, 'home');
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('VSCODE_') && name !== 'ELECTRON_RUN_AS_NODE') env[name] = value;
  Object.assign(env, { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local'), XDG_CACHE_HOME: join(home, '.cache') });
  const child = spawn(process.execPath, [join(projectRoot, 'scripts', 'start.mjs'), '--web', '--no-package', '--port', String(port), '--data-dir', dataDir, folder], {
    cwd: projectRoot,
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  if (child.pid === undefined) throw new Error('could not start scripts/start.mjs');
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok, 90_000, 'npm start to serve the workbench');
  return { pid: child.pid, url: `${url}/?folder=${encodeURIComponent(folder)}` };
}

describe('The first window of npm start', function () {
  this.timeout(240_000);
  let started: { pid: number; url: string } | undefined;
  let page: Page | undefined;

  after(async () => {
    await page?.close();
    if (started) await stopProcessGroup(started.pid);
  });

  it('opens a git repository trusted, with Git loaded, and inserts a solution into a notebook', async () => {
    const { browser, scratch, modelServer } = e2eContext();
    assert.ok(modelServer, 'no scripted model server');
    const dataDir = join(scratch, 'npm-start');
    const folder = join(scratch, 'my-project');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'notes.md'), '# notes\n');
    const git = spawnSync('git', ['init', '-q', folder]);
    assert.equal(git.status, 0, `git init failed: ${git.stderr?.toString()}`);
    // The model server a user would configure; here the scripted one.
    mkdirSync(join(dataDir, 'data', 'User'), { recursive: true });
    writeFileSync(join(dataDir, 'data', 'User', 'settings.json'), JSON.stringify({ 'r1ci.ollama.host': modelServer.url }));

    started = await startLikeNpmStart(dataDir, folder);
    page = await browser.newPage();
    const failures: string[] = [];
    page.on('console', (message) => {
      if (/Activating extension '.*' failed|Cannot activate the '.*' extension/.test(message.text())) failures.push(message.text());
    });
    await page.goto(started.url);
    await page.waitForSelector('.part.statusbar', { timeout: 60_000 });
    // Our extension is up (its model item is in the status bar): the built-ins started before it.
    await page.locator('.part.statusbar .statusbar-item', { hasText: 'qwen2.5-coder:7b' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await page.locator('.part.statusbar', { hasText: 'Restricted Mode' }).count(), 0, 'the folder opened in Restricted Mode');
    // Git really runs: it found the repository and counts the untracked notes.md on the Source Control icon.
    await page.locator('.part.activitybar .badge[aria-label^="Source Control"][aria-label*="1 pending change"]').first().waitFor({ state: 'attached', timeout: 60_000 });

    await runCommand(page, 'R1 Code Interpreter: Solve Question…');
    await typeInQuickInput(page, symbenchQuestion(projectRoot, 'statistical_counting_dataset', 0).replace(/\s+/g, ' ').trim());
    const panel = await webviewFrame(page, 'BBAAB', 60_000);
    const run = panel.locator('.approval button.primary');
    await waitFor(
      async () => {
        if ((await panel.locator('.answer-card').count()) > 0) return true;
        if ((await run.count()) > 0) await run.first().click();
        return false;
      },
      90_000,
      'the answer',
    );
    await runCommand(page, 'R1 Code Interpreter: Insert into Notebook');
    const notebook = page.locator('.notebook-editor:visible').first();
    await notebook.waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor(async () => (await notebook.locator('.code-cell-row').count()) === 2, 30_000, 'the solution as two code cells');
    const errors = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
    assert.deepEqual(
      errors.filter((t) => /NO provider|Cannot activate|Insert into Notebook failed/.test(t)),
      [],
    );
    await screenshot(page, 'first-run-notebook');
    assert.deepEqual(failures, [], 'extensions failed to load');
  });
});
