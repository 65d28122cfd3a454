// Where things live. Harness code runs bundled from dist/test/<layer>/, so we find the project
// root by walking up to our own package.json instead of counting `..`s.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'r1ci-vscode';

function isProjectRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && 'name' in parsed && parsed.name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (isProjectRoot(dir)) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} project root above ${start}`);
  }
}

export const projectRoot = findProjectRoot(__dirname);

/** Test tools that are installed, never committed (gitignored), like test-electron's VS Code. */
export const vscodeTestDir = join(projectRoot, '.vscode-test');
export const codeServerBinary = join(vscodeTestDir, 'code-server', 'node_modules', '.bin', 'code-server');
export const codeServerInstaller = join(projectRoot, 'scripts', 'install-code-server.mjs');

/** One folder per test run (gitignored); holds HOME, profiles, logs and the workspace. */
export const testRunsDir = join(projectRoot, '.test-runs');
/** Artefacts a person may want to look at after a run (gitignored). */
export const testOutputDir = join(projectRoot, 'test-output');
export const screenshotDir = join(testOutputDir, 'screenshots');

export const workspaceFixture = join(projectRoot, 'test', 'fixtures', 'workspace');
export const scenariosDir = join(projectRoot, 'test', 'scenarios');
export const integrationSuiteDir = join(projectRoot, 'dist', 'test', 'integration', 'suite');
export const e2eDir = join(projectRoot, 'dist', 'test', 'e2e');
export const defaultVsix = join(projectRoot, 'dist', 'r1ci.vsix');

/** Debian's Chromium; Playwright's own browser downloads are unreachable here. */
export const chromiumExecutable = process.env['R1CI_CHROMIUM'] ?? '/usr/bin/chromium';
