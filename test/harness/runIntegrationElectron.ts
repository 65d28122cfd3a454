// The same integration suite under @vscode/test-electron, for machines that can download VS
// Code (test-electron fetches it from update.code.visualstudio.com, which these build machines
// cannot reach; use runIntegration.ts there). On a headless Linux box run it under xvfb-run.
//
//   node dist/test/harness/runIntegrationElectron.js [--extension <dir>] [--tests <dir>]
//        [--workspace <fixture dir>] [--vscode-version <v>] [--restricted] [--no-model-server]
//
// Exit code: 0 when every test passed, VS Code's exit code (non-zero) otherwise.
import { resolve } from 'node:path';
import { runTests, TestRunFailedError } from '@vscode/test-electron';
import { parseArgs, secondsOption, type ParsedArgs } from './args';
import { writeUserSettings } from './codeServerSession';
import { runMain, type Resources } from './lifecycle';
import { integrationSuiteDir, projectRoot, workspaceFixture } from './paths';
import { createRunFolder, removeRunTmp, seedWorkspace } from './runFolder';
import { prepareTestEnvironment } from './testEnvironment';
import { step } from './timing';

const DEFAULT_TIMEOUT_SECONDS = 900;
// Test on the VS Code the extension targets (engines.vscode ^1.100.0) and code-server 4.100.3 ships.
const DEFAULT_VSCODE_VERSION = '1.100.3';

async function main(resources: Resources, args: ParsedArgs): Promise<number> {
  const run = createRunFolder('integration-electron');
  resources.add({ label: 'run tmp folder', dispose: () => removeRunTmp(run) });
  seedWorkspace(run, resolve(args.values.get('workspace') ?? workspaceFixture));
  step(`run folder ${run.root}`);

  const environment = await prepareTestEnvironment(run, resources, { startModelServer: !args.flags.has('no-model-server') });
  writeUserSettings(run.userDataDir, environment.userSettings);

  try {
    await runTests({
      version: args.values.get('vscode-version') ?? DEFAULT_VSCODE_VERSION,
      extensionDevelopmentPath: resolve(args.values.get('extension') ?? projectRoot),
      extensionTestsPath: resolve(args.values.get('tests') ?? integrationSuiteDir),
      extensionTestsEnv: { ...environment.env, TMPDIR: run.tmp },
      launchArgs: [
        run.workspace,
        `--user-data-dir=${run.userDataDir}`,
        `--extensions-dir=${run.extensionsDir}`,
        // Only our extension: nothing from the machine's profile may change the results.
        '--disable-extensions',
        '--skip-welcome',
        '--skip-release-notes',
        '--disable-gpu',
        ...(args.flags.has('restricted') ? [] : ['--disable-workspace-trust']),
      ],
    });
    return 0;
  } catch (error) {
    // The suite's own `N passed, N failed` line is already on stdout (test-electron pipes it).
    if (error instanceof TestRunFailedError) return error.code ?? 1;
    throw error;
  }
}

const args = parseArgs(process.argv.slice(2), ['extension', 'tests', 'workspace', 'vscode-version', 'timeout'], ['restricted', 'no-model-server']);
runMain('integration tests (test-electron)', secondsOption(args, 'timeout', DEFAULT_TIMEOUT_SECONDS), (resources) => main(resources, args));
