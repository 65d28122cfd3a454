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
import { runExtensionHostTests, workbenchLogDir } from './extensionHostTests';
import { runMain, type Resources } from './lifecycle';
import { integrationSuiteDir, projectRoot } from './paths';
import { formatSummary } from './summary';
import { step } from './timing';
import { startWorkbenchRun } from './workbenchRun';

const DEFAULT_TIMEOUT_SECONDS = 600;

async function main(resources: Resources, args: ParsedArgs): Promise<number> {
  const extensionPath = resolve(args.values.get('extension') ?? projectRoot);
  const testsPath = resolve(args.values.get('tests') ?? integrationSuiteDir);
  if (!existsSync(join(testsPath, 'index.js'))) {
    throw new Error(`no suite at ${testsPath}/index.js; run \`npm run build\` first`);
  }
  if (!existsSync(join(extensionPath, 'package.json'))) throw new Error(`no extension at ${extensionPath}`);

  const { run, session, browser } = await startWorkbenchRun('integration', resources, args);
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
