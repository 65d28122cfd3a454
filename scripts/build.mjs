// Bundles every entry point with esbuild: the extension and CLI (Node, CommonJS),
// the webview client (browser, IIFE), and the test/bench programs (Node).
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');

/**
 * package.json's settings are generated from src/config/settingsSpec.ts, the one place they are
 * declared; rewrite them when the table changed (a unit test fails when they drift).
 */
async function syncSettingsIntoPackageJson() {
  const out = join(tmpdir(), `r1ci-settings-${process.pid}.cjs`);
  await esbuild.build({ entryPoints: ['src/config/settingsSpec.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning' });
  const { packageJsonProperties, restrictedConfigurations } = createRequire(import.meta.url)(out);
  rmSync(out, { force: true });
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const properties = packageJsonProperties();
  const restricted = restrictedConfigurations();
  const trust = pkg.capabilities.untrustedWorkspaces;
  if (JSON.stringify(pkg.contributes.configuration.properties) !== JSON.stringify(properties) || JSON.stringify(trust.restrictedConfigurations) !== JSON.stringify(restricted)) {
    pkg.contributes.configuration.properties = properties;
    // Settings of the sandbox boundary: VS Code ignores their workspace values in Restricted Mode.
    trust.restrictedConfigurations = restricted;
    writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n');
    console.log('package.json: settings regenerated from src/config/settingsSpec.ts');
  }
}
await syncSettingsIntoPackageJson();
const production = process.argv.includes('--production');

/** Every `*.ts` file directly inside `dir` (or none when the folder does not exist). */
function tsFilesIn(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['vscode', 'playwright-core', 'mocha'],
};

const builds = [
  { ...node, entryPoints: { extension: 'src/vscode/extension.ts', cli: 'src/cli/main.ts' }, outdir: 'dist' },
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: { webview: 'webview/src/main.ts', results: 'webview/src/eval/results.ts' },
    outdir: 'dist',
    loader: { '.woff2': 'file', '.woff': 'file', '.ttf': 'file' },
    // KaTeX's stylesheet lands in dist/webview.css, its fonts in dist/fonts/ (see .vscodeignore).
    assetNames: 'fonts/[name]-[hash]',
  },
  // Test and benchmark programs: kept out of the .vsix by .vscodeignore.
  {
    ...node,
    entryPoints: [...tsFilesIn('test/integration/suite'), ...tsFilesIn('test/harness'), ...tsFilesIn('test/e2e'), ...tsFilesIn('test/support'), ...tsFilesIn('bench')],
    // test/support/builtCli.ts bundles the CLI with esbuild itself: loaded from node_modules, not bundled.
    external: [...node.external, 'esbuild'],
    outbase: '.',
    outdir: 'dist',
  },
];

for (const b of builds) if (Array.isArray(b.entryPoints) && b.entryPoints.length === 0) b.skip = true;
const active = builds.filter((b) => !b.skip).map(({ skip, ...b }) => b);

if (watch) {
  for (const b of active) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(active.map((b) => esbuild.build(b)));
}
