// `r1ci --version`: what a user types first to see which r1ci they have (and what a bug report
// asks for). The bundled CLI, spawned.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type CliRunner } from '../../support/builtCli';

let dir = '';
let run: CliRunner;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r1ci-version-'));
  run = await buildCli(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('r1ci --version', () => {
  it("prints the package's version on stdout and exits 0; the usage lists it", async () => {
    const { version } = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await run([flag]);
      expect(r).toEqual({ code: 0, stdout: `r1ci ${version}\n`, stderr: '' });
    }
    expect((await run(['--help'])).stdout).toMatch(/\n {2}--version +/);
  });
});

describe('r1ci <command> --help', () => {
  // Help asked for is the output: on stdout for every command, mcp too (it speaks its protocol on
  // stdout only once it runs; `r1ci mcp -h | less` showed nothing).
  it.each(['solve', 'chat', 'eval', 'score', 'mcp', 'export-sft', 'export-rollouts', 'compare'])('%s --help prints its usage on stdout and exits 0', async (command) => {
    const r = await run([command, '--help']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Usage: r1ci /);
  });
});
