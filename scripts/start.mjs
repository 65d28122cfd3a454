#!/usr/bin/env node
// `npm start`: builds and packages the extension, then runs it in a real VS Code.
//  - If a desktop `code` (or `codium`) command is on PATH, the .vsix is installed there and
//    VS Code is opened on the current folder.
//  - Otherwise VS Code's web workbench (code-server, installed into .vscode-test/) is started on
//    http://127.0.0.1:8080 with the extension installed, its data kept under .vscode-test/user.
// Options: --port N (web mode), --web (always use the web workbench), --restricted (web mode:
// keep workspace trust on, so the folder opens in Restricted Mode), --no-package (use the
// existing dist/r1ci.vsix), --data-dir DIR (web mode: profile and extensions, default
// .vscode-test/user), a folder to open.
//
// Why the web workbench opens the folder trusted: you started it on your own folder. With trust
// on, code-server opens it in Restricted Mode first, and built-in extensions that support
// restricted mode and also ship a browser build (Git Base, the .ipynb notebook support) are placed
// in the browser's extension host, where code-server cannot load them ("Activating extension
// 'vscode.git-base' failed: Not Found"). Trusting the folder then starts Git and GitHub without
// Git Base (two error toasts) and leaves .ipynb files without a notebook serializer until Reload
// Window. Opened trusted, every built-in runs in the server's extension host from the start.
import { execa, execaSync } from 'execa';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const VALUE_OPTIONS = ['--port', '--data-dir'];
const option = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const port = Number(option('--port') ?? 8080);
const forceWeb = args.includes('--web');
const restricted = args.includes('--restricted');
const packageFirst = !args.includes('--no-package');
const data = resolve(option('--data-dir') ?? join(root, '.vscode-test', 'user'));
const folder = resolve(args.filter((a, i) => !a.startsWith('--') && !VALUE_OPTIONS.includes(args[i - 1]))[0] ?? process.cwd());

function run(command, commandArgs, options = {}) {
  const r = execaSync(command, commandArgs, { stdio: 'inherit', cwd: root, reject: false, ...options });
  if (r.failed) {
    console.error(`\n${command} ${commandArgs.join(' ')} failed (exit ${r.exitCode ?? r.signal}).`);
    process.exit(r.exitCode || 1);
  }
}

function onPath(command) {
  return execaSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore', reject: false }).exitCode === 0;
}

if (packageFirst) run('npm', ['run', 'package']);
const vsix = join(root, 'dist', 'r1ci.vsix');
if (!existsSync(vsix)) {
  console.error(`No ${vsix}: run without --no-package (or \`npm run package\` first).`);
  process.exit(1);
}

const desktop = forceWeb ? undefined : ['code', 'codium'].find(onPath);
if (desktop) {
  run(desktop, ['--install-extension', vsix, '--force']);
  run(desktop, [folder]);
  console.log(`Installed into ${desktop}. Run "R1 Code Interpreter: Solve Question…" from the command palette.`);
  process.exit(0);
}

run('node', [join(root, 'scripts', 'install-code-server.mjs')]);
const binary = join(root, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server');
mkdirSync(data, { recursive: true });
const common = ['--user-data-dir', join(data, 'data'), '--extensions-dir', join(data, 'extensions'), '--config', join(data, 'config.yaml')];
run(binary, [...common, '--install-extension', vsix, '--force']);
if (!existsSync(folder)) mkdirSync(folder, { recursive: true });
console.log(`\nR1 Code Interpreter is running in VS Code at http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
console.log('Open that address in a browser; run "R1 Code Interpreter: Solve Question…" from the command palette (F1). Ctrl-C stops it.\n');
const trust = restricted ? [] : ['--disable-workspace-trust'];
const server = execa(binary, [...common, '--auth', 'none', '--disable-telemetry', '--disable-update-check', ...trust, '--bind-addr', `127.0.0.1:${port}`, folder], { stdio: 'inherit', reject: false });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill('SIGTERM'));
server.on('exit', (code) => process.exit(code ?? 0));
