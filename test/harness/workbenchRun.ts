// What both runners do before their tests: code-server installed, a fresh run folder with the
// workspace fixture, the scripted model server, code-server started, Chromium launched.
import { resolve } from 'node:path';
import type { ParsedArgs } from './args';
import { BrowserSession } from './browser';
import { ensureCodeServer } from './codeServerInstall';
import { CodeServerSession } from './codeServerSession';
import type { Resources } from './lifecycle';
import { workspaceFixture } from './paths';
import { createRunFolder, removeRunTmp, seedWorkspace, type RunFolder } from './runFolder';
import { prepareTestEnvironment, type TestEnvironment } from './testEnvironment';
import { step } from './timing';

export interface WorkbenchRun {
  readonly run: RunFolder;
  readonly environment: TestEnvironment;
  readonly session: CodeServerSession;
  readonly browser: BrowserSession;
}

/**
 * Starts everything a run needs; all of it is registered with `resources` for clean-up.
 * `beforeStart` runs once code-server is installed and the run folder exists (e.g. to install a .vsix).
 * Options read from `args`: --workspace, --restricted, --no-model-server.
 */
export async function startWorkbenchRun(kind: string, resources: Resources, args: ParsedArgs, beforeStart?: (binary: string, run: RunFolder) => Promise<void>): Promise<WorkbenchRun> {
  const binary = await ensureCodeServer();
  const run = createRunFolder(kind);
  resources.add({ label: 'run tmp folder', dispose: () => removeRunTmp(run) });
  seedWorkspace(run, resolve(args.values.get('workspace') ?? workspaceFixture));
  step(`run folder ${run.root}`);

  const environment = await prepareTestEnvironment(run, resources, { startModelServer: !args.flags.has('no-model-server') });
  await beforeStart?.(binary, run);
  const session = resources.add(
    await CodeServerSession.start({
      binary,
      run,
      workspaceTrust: args.flags.has('restricted'),
      userSettings: environment.userSettings,
      env: environment.env,
    }),
  );
  step(`code-server listening at ${session.baseUrl}`);
  const browser = resources.add(await BrowserSession.launch(run.browserProfile));
  return { run, environment, session, browser };
}
