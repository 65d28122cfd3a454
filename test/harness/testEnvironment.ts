// The contract between runners and the suites they run. Suites (in the extension host or in
// the e2e runner) read these; the extension reads the user settings.
//   R1CI_TEST_SCRATCH     a fresh, empty folder the tests may write to
//   R1CI_TEST_WORKSPACE   the folder VS Code opened (fresh copy of test/fixtures/workspace)
//   R1CI_TEST_RUN_DIR     the whole run folder (logs, profiles), for diagnostics
//   R1CI_TEST_MODEL_URL   the scripted model server, when one was started
// User settings: "r1ci.ollama.host" points the extension at the scripted model server.
import type { ScriptedServer } from '../support/scripted-server';
import type { Resources } from './lifecycle';
import { ModelServer } from './modelServer';
import type { RunFolder } from './runFolder';
import { step } from './timing';

export interface TestEnvironment {
  env: Record<string, string>;
  userSettings: Record<string, unknown>;
  /** The scripted model server, when one was started (e2e tests drive and inspect it). */
  modelServer: ScriptedServer | undefined;
}

/** Settings every test profile gets: quiet, deterministic, no prompts that would block a test. */
const BASE_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.startupPrompt': 'never',
  'git.enabled': false,
};

export async function prepareTestEnvironment(run: RunFolder, resources: Resources, options: { startModelServer: boolean; extraSettings?: Readonly<Record<string, unknown>> }): Promise<TestEnvironment> {
  const env: Record<string, string> = {
    R1CI_TEST_SCRATCH: run.scratch,
    R1CI_TEST_WORKSPACE: run.workspace,
    R1CI_TEST_RUN_DIR: run.root,
  };
  const userSettings: Record<string, unknown> = { ...BASE_SETTINGS };
  let modelServer: ScriptedServer | undefined;
  if (options.startModelServer) {
    modelServer = resources.add(await ModelServer.start()).server;
    env['R1CI_TEST_MODEL_URL'] = modelServer.url;
    userSettings['r1ci.ollama.host'] = modelServer.url;
    step(`scripted model server at ${modelServer.url}`);
  }
  Object.assign(userSettings, options.extraSettings);
  return { env, userSettings, modelServer };
}
