// The `r1ci` CLI bundled from the current sources into a temporary folder (test/support/builtCli.ts),
// so tests that spawn the real CLI never run a stale build.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleCli } from '../../support/builtCli';

export { repoRoot } from '../../support/builtCli';

/** Bundles src/cli/main.ts; returns the path of the built cli.js. */
export function buildCli(): Promise<string> {
  return bundleCli(join(mkdtempSync(join(tmpdir(), 'r1ci-cli-build-')), 'cli.js'));
}
