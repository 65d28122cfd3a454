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

/** Bundles the CLI into `dir/cli.js` and returns a runner for it. */
export async function buildCli(dir: string): Promise<CliRunner> {
  const cli = join(dir, 'cli.js');
  await build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cli, logLevel: 'silent' });
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
