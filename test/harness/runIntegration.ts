// `npm run test:integration`: the mocha suite in dist/test/integration/suite runs inside a real
// VS Code extension host (code-server 1.100.3), with our extension loaded as the development
// extension. Builds nothing: run `npm run build` first.
//
//   node dist/test/harness/runIntegration.js [--extension <dir>] [--tests <dir>]
//        [--workspace <fixture dir>] [--timeout <seconds>] [--restricted] [--no-model-server] [--verbose]
//
// --restricted keeps workspace trust on, so the fresh workspace opens in Restricted Mode.
// Exit code: 0 when every test passed; the number of failures (at least 1) otherwise;
// 124 on the hard timeout.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, secondsOption, type ParsedArgs } from './args';
import { BrowserSession } from './browser';
import { ensureCodeServer } from './codeServerInstall';
import { CodeServerSession } from './codeServerSession';
import { runExtensionHostTests, workbenchLogDir } from './extensionHostTests';
import { runMain, type Resources } from './lifecycle';
import { integrationSuiteDir, projectRoot, workspaceFixture } from './paths';
import { createRunFolder, removeRunTmp, seedWorkspace } from './runFolder';
import { formatSummary } from './summary';
import { prepareTestEnvironment } from './testEnvironment';
import { step } from './timing';

const DEFAULT_TIMEOUT_SECONDS = 600;

async function main(resources: Resources, args: ParsedArgs): Promise<number> {
  const extensionPath = resolve(args.values.get('extension') ?? projectRoot);
  const testsPath = resolve(args.values.get('tests') ?? integrationSuiteDir);
  if (!existsSync(join(testsPath, 'index.js'))) {
    throw new Error(`no suite at ${testsPath}/index.js; run \`npm run build\` first`);
  }
  if (!existsSync(join(extensionPath, 'package.json'))) throw new Error(`no extension at ${extensionPath}`);

  const binary = await ensureCodeServer();
  const run = createRunFolder('integration');
  resources.add({ label: 'run tmp folder', dispose: () => removeRunTmp(run) });
  seedWorkspace(run, resolve(args.values.get('workspace') ?? workspaceFixture));
  step(`run folder ${run.root}`);

  const environment = await prepareTestEnvironment(run, resources, { startModelServer: !args.flags.has('no-model-server') });
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
  step(`running ${testsPath} in the extension host of ${extensionPath}`);

  const result = await runExtensionHostTests(browser.page, session, {
    extensionPath,
    testsPath,
    workspace: run.workspace,
    logDir: workbenchLogDir(run.logs),
    verbose: args.flags.has('verbose'),
  });

  if (!result.counts) {
    // The suite never reported (it did not load, or crashed): that is a failure, said plainly.
    console.log(`the suite printed no result line; see the logs in ${run.logs}`);
    console.log(formatSummary({ passed: 0, failed: 1 }));
    return result.exitCode === 0 ? 1 : result.exitCode;
  }
  if (result.exitCode !== 0 && result.counts.failed === 0) {
    console.log(`the extension host reported exit code ${result.exitCode} although no test failed; see ${run.logs}`);
    return result.exitCode;
  }
  return Math.min(result.counts.failed, 100);
}

const args = parseArgs(process.argv.slice(2), ['extension', 'tests', 'workspace', 'timeout'], ['restricted', 'no-model-server', 'verbose']);
runMain('integration tests', secondsOption(args, 'timeout', DEFAULT_TIMEOUT_SECONDS), (resources) => main(resources, args));
