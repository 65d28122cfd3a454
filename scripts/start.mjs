#!/usr/bin/env node
// `npm start`: builds and packages the extension, then runs it in a real VS Code.
//  - If a desktop `code` (or `codium`) command is on PATH, the .vsix is installed there and
//    VS Code is opened on the current folder.
//  - Otherwise VS Code's web workbench (code-server, installed into .vscode-test/) is started on
//    http://127.0.0.1:8080 with the extension installed, its data kept under .vscode-test/user.
// Options: --port N (web mode), --web (always use the web workbench), a folder to open.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const portIndex = args.indexOf('--port');
const port = portIndex >= 0 ? Number(args[portIndex + 1]) : 8080;
const forceWeb = args.includes('--web');
const folder = resolve(args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--port')[0] ?? process.cwd());

function run(command, commandArgs, options = {}) {
  const r = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: root, ...options });
  if (r.status !== 0) {
    console.error(`\n${command} ${commandArgs.join(' ')} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

run('npm', ['run', 'package']);
const vsix = join(root, 'dist', 'r1ci.vsix');

const desktop = forceWeb ? undefined : ['code', 'codium'].find(onPath);
if (desktop) {
  run(desktop, ['--install-extension', vsix, '--force']);
  run(desktop, [folder]);
  console.log(`Installed into ${desktop}. Run "R1 Code Interpreter: Solve…" from the command palette.`);
  process.exit(0);
}

run('node', [join(root, 'scripts', 'install-code-server.mjs')]);
const binary = join(root, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server');
const data = join(root, '.vscode-test', 'user');
mkdirSync(data, { recursive: true });
const common = ['--user-data-dir', join(data, 'data'), '--extensions-dir', join(data, 'extensions'), '--config', join(data, 'config.yaml')];
run(binary, [...common, '--install-extension', vsix, '--force']);
if (!existsSync(folder)) mkdirSync(folder, { recursive: true });
console.log(`\nR1 Code Interpreter is running in VS Code at http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
console.log('Open that address in a browser; run "R1 Code Interpreter: Solve…" from the command palette (F1). Ctrl-C stops it.\n');
const server = spawn(binary, [...common, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--bind-addr', `127.0.0.1:${port}`, folder], { stdio: 'inherit' });
process.on('SIGINT', () => server.kill('SIGTERM'));
server.on('exit', (code) => process.exit(code ?? 0));
