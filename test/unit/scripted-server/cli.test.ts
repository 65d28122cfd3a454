// The standalone entry, bundled with esbuild as scripts/build.mjs does and run as its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { realModelCasesDir } from '../../support/realModelCases';

let outDir: string;
let entry: string;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'scripted-main-'));
  entry = join(outDir, 'scriptedServerMain.js');
  await build({ entryPoints: ['test/support/scriptedServerMain.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: entry, logLevel: 'silent' });
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (part: Buffer) => {
      out += part.toString();
      const newline = out.indexOf('\n');
      if (newline !== -1) resolve(out.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${String(code)} before printing a line`)));
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

it('prints "listening http://127.0.0.1:PORT", serves, and stops cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, [entry, '--scenarios', 'test/scenarios'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const line = await firstLine(child);
  expect(line).toMatch(/^listening http:\/\/127\.0\.0\.1:\d+$/);
  const url = line.slice('listening '.length);
  const res = await fetch(`${url}/api/version`);
  expect(await res.json()).toEqual({ version: '0.12.0' });
  child.kill('SIGTERM');
  expect(await exitCode(child)).toBe(0);
});

it('given a real-model case file, also serves the model it names', async () => {
  const file = join(realModelCasesDir(process.cwd()), 'native-tool-call.json');
  const child = spawn(process.execPath, [entry, '--scenarios', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = (await firstLine(child)).slice('listening '.length);
  const tags = (await (await fetch(`${url}/api/tags`)).json()) as { models: Array<{ name: string }> };
  expect(tags.models.map((m) => m.name)).toEqual(['r1-code-interpreter:7b', 'qwen2.5-coder:7b', 'fake:latest']);
  const show = (await (await fetch(`${url}/api/show`, { method: 'POST', body: JSON.stringify({ model: 'fake:latest' }) })).json()) as { capabilities: string[] };
  expect(show.capabilities).toEqual(['completion', 'tools', 'thinking']);
  child.kill('SIGTERM');
  expect(await exitCode(child)).toBe(0);
});

it('exits with status 2 and a message when the scenarios are missing', async () => {
  const child = spawn(process.execPath, [entry, '--scenarios', join(outDir, 'nothing-here')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (part: Buffer) => (err += part.toString()));
  expect(await exitCode(child)).toBe(2);
  expect(err).toContain('No scenario file or folder at');
});
