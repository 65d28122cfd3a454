// The r1ci CLI as a user runs it: src/cli/main.ts bundled once per test file with esbuild and
// spawned with node, so the tests see its real exit status, stdout and stderr.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/** What one run of the CLI gave: exit status (null when killed by a signal) and its output. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI with `args` in its folder; `stdin` is piped in (none: stdin is ignored, not a terminal). */
export type CliRunner = (args: readonly string[], stdin?: string) => Promise<CliRun>;

/** The repository's root folder (this file is test/support/builtCli.ts). */
export const repoRoot = resolve(__dirname, '..', '..');

/** Bundles src/cli/main.ts from the current sources into `outfile`, as scripts/build.mjs bundles dist/cli.js (so no test runs a stale build). */
export async function bundleCli(outfile: string): Promise<string> {
  await build({ entryPoints: [join(repoRoot, 'src', 'cli', 'main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'warning', external: ['vscode'] });
  return outfile;
}

/** Bundles the CLI into `dir/cli.js` and returns a runner for it. */
export async function buildCli(dir: string): Promise<CliRunner> {
  const cli = await bundleCli(join(dir, 'cli.js'));
  return (args, stdin) =>
    new Promise((done) => {
      const child = spawn(process.execPath, [cli, ...args], {
        cwd: dir,
        env: { ...process.env, R1CI_RESOURCES_DIR: resolve('resources'), NO_COLOR: '1' },
        stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      if (stdin !== undefined) child.stdin?.end(stdin);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('exit', (code) => done({ code, stdout, stderr }));
    });
}
