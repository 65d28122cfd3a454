// extensionTestsPath entry: VS Code loads this inside the extension host and awaits run().
// The same module works under code-server (test/harness/runIntegration.ts) and under
// @vscode/test-electron (test/harness/runIntegrationElectron.ts).
//
// Every `*.test.js` next to this file is a suite (esbuild builds each test/integration/suite/*.ts
// to dist/test/integration/suite/*.js). Set R1CI_TEST_GREP to run only matching tests.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { formatSummary } from '../../harness/summary';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, reporter: 'spec', color: false });
  const grep = process.env['R1CI_TEST_GREP'];
  if (grep) mocha.grep(grep);
  // Suites named restricted*.test.js are about an untrusted workspace (the runner's --restricted
  // run); every other suite needs a trusted one. Each run takes the suites its workspace is for.
  const untrusted = !vscode.workspace.isTrusted;
  const files = readdirSync(__dirname)
    .filter((name) => name.endsWith('.test.js'))
    .filter((name) => name.startsWith('restricted') === untrusted)
    .sort();
  for (const name of files) mocha.addFile(join(__dirname, name));

  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const passed = runner.stats?.passes ?? 0;
        // The runner scans the extension host's log for exactly this line.
        console.log(formatSummary({ passed, failed: failures }));
        if (files.length === 0) reject(new Error(`no *.test.js files in ${__dirname}`));
        else if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
    } catch (error) {
      // A suite file that throws while loading lands here; report it as a failed run.
      console.error(error);
      console.log(formatSummary({ passed: 0, failed: 1 }));
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
