// The `r1ci` CLI bundled from the current sources exactly as scripts/build.mjs bundles dist/cli.js,
// into a temporary folder, so tests that spawn the real CLI never run a stale build.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

export const repoRoot = resolve(__dirname, '..', '..', '..');

/** Bundles src/cli/main.ts; returns the path of the built cli.js. */
export async function buildCli(): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'r1ci-cli-build-'));
  const outfile = join(outdir, 'cli.js');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'src', 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    external: ['vscode'],
  });
  return outfile;
}
