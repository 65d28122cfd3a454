#!/usr/bin/env node
// Installs code-server (VS Code's server + web workbench) into .vscode-test/code-server/, the
// project's own test-tool folder, the way @vscode/test-electron keeps VS Code in .vscode-test/.
// Plain JavaScript on purpose: scripts/test-all.sh runs it before anything is built.
//
// Why the ceremony (see /work/shared/docs/real-vscode.md):
//  - code-server 4.100.3 is the newest release that runs on Node 20.
//  - @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here. It
//    first looks in `<os.tmpdir()>/vscode-ripgrep-cache-<version>/`, so we seed that cache
//    with Debian's /usr/bin/rg. We pin TMPDIR for the npm child so we know exactly which
//    tmpdir npm (and the postinstall it runs) sees.
//  - npm_config_unsafe_perm: code-server's postinstall refuses to run as root without it.
//  - npm_config_yes: node-pty's postinstall runs `npx node-gyp`, which would otherwise prompt.
//
// Usage: node scripts/install-code-server.mjs [--force]
// Prints the code-server binary path as its last line. Idempotent: does no network work when
// the right version is already installed.
import { execaSync } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CODE_SERVER_VERSION = '4.100.3';
// These two follow the @vscode/ripgrep version that code-server 4.100.3's VS Code depends on.
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_RELEASE = 'v13.0.0-10';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(projectRoot, '.vscode-test', 'code-server');
const packageDir = join(prefix, 'node_modules', 'code-server');
const binary = join(prefix, 'node_modules', '.bin', 'code-server');
const npmTmp = join(projectRoot, '.vscode-test', 'tmp');

/** @returns {string | undefined} the installed version, when the install looks complete. */
function installedVersion() {
  const manifest = join(packageDir, 'package.json');
  // lib/vscode/node_modules only exists when code-server's postinstall finished.
  if (!existsSync(manifest) || !existsSync(join(packageDir, 'lib', 'vscode', 'node_modules'))) return undefined;
  if (!existsSync(binary)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8'));
    return typeof parsed.version === 'string' ? parsed.version : undefined;
  } catch {
    return undefined;
  }
}

/** The ripgrep-prebuilt target name @vscode/ripgrep asks for on this machine. */
function ripgrepTarget() {
  if (process.platform !== 'linux') throw new Error(`unsupported platform ${process.platform}: this installer targets Linux`);
  switch (process.arch) {
    case 'x64':
      return 'x86_64-unknown-linux-musl';
    case 'arm64':
      return 'aarch64-unknown-linux-musl';
    default:
      throw new Error(`unsupported architecture ${process.arch}`);
  }
}

/** Puts Debian's rg, as `rg`, into the tarball @vscode/ripgrep would otherwise download. */
function seedRipgrepCache() {
  const systemRg = ['/usr/bin/rg', '/usr/local/bin/rg'].find((p) => existsSync(p));
  if (!systemRg) throw new Error('ripgrep is not installed (no /usr/bin/rg); run scripts/install-system-deps.sh first');
  const cacheDir = join(npmTmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  const tarball = join(cacheDir, `ripgrep-${RIPGREP_RELEASE}-${ripgrepTarget()}.tar.gz`);
  if (existsSync(tarball)) return;
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(npmTmp, 'rg-stage-'));
  try {
    copyFileSync(systemRg, join(staging, 'rg'));
    chmodSync(join(staging, 'rg'), 0o755);
    run('tar', ['-czf', tarball, '-C', staging, 'rg'], process.env);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  console.log(`seeded ripgrep cache: ${tarball}`);
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 */
function run(command, args, env) {
  // Throws when the command cannot start or exits non-zero (execa's message names the command and its exit).
  execaSync(command, args, { stdio: 'inherit', env, extendEnv: false, cwd: projectRoot });
}

function install() {
  mkdirSync(npmTmp, { recursive: true });
  seedRipgrepCache();
  mkdirSync(prefix, { recursive: true });
  const started = Date.now();
  console.log(`installing code-server@${CODE_SERVER_VERSION} into ${prefix} (about a minute)...`);
  // npm 11 warns "install-scripts not yet covered by allowScripts"; the scripts still run,
  // which the lib/vscode/node_modules check below verifies.
  run('npm', ['i', '--no-audit', '--no-fund', '--no-save', '--prefix', prefix, `code-server@${CODE_SERVER_VERSION}`], { ...process.env, TMPDIR: npmTmp, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' });
  const version = installedVersion();
  if (version !== CODE_SERVER_VERSION) {
    throw new Error(`code-server install incomplete: expected ${CODE_SERVER_VERSION} with lib/vscode/node_modules, found ${version ?? 'nothing usable'} ` + `(did its postinstall run? look for errors above)`);
  }
  const rg = join(packageDir, 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  if (!existsSync(rg)) throw new Error(`code-server installed but ripgrep is missing at ${rg}`);
  console.log(`code-server@${CODE_SERVER_VERSION} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function main() {
  const force = process.argv.includes('--force');
  const version = installedVersion();
  if (!force && version === CODE_SERVER_VERSION) {
    console.log(`code-server@${CODE_SERVER_VERSION} already installed`);
  } else {
    if (version !== undefined) console.log(`replacing code-server ${version}`);
    rmSync(prefix, { recursive: true, force: true });
    install();
  }
  console.log(binary);
}

try {
  main();
} catch (error) {
  console.error(`install-code-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
