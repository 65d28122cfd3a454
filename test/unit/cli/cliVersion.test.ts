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

describe('a command line of the wrong shape', () => {
  // The error and one line saying the synopsis and where the options are, not the whole help:
  // 40 lines of options scrolled the error itself off the screen.
  it.each([
    [[], '', 'r1ci --help lists the commands'],
    [['bogus'], 'Unknown command "bogus".', 'r1ci --help lists the commands'],
    [['--versio'], 'Unknown command "--versio": did you mean --version?', 'r1ci --help lists the commands'],
    [['exprot-sft'], 'Unknown command "exprot-sft": did you mean export-sft?', 'r1ci --help lists the commands'],
    [['solve'], 'No question given.', 'r1ci solve --help lists the options'],
    [['chat', 'a question'], 'chat takes no question on the command line: type it at the prompt.', 'r1ci chat --help lists the options'],
    [['eval'], 'Give exactly one task file or folder.', 'r1ci eval --help lists the options'],
    [['eval', 'a', 'b'], 'Give exactly one task file or folder.', 'r1ci eval --help lists the options'],
    [['score', 'tasks.jsonl'], 'Give one task file or folder and --answers FILE.', 'r1ci score --help lists the options'],
    [['export-sft'], 'Give exactly one results file.', 'r1ci export-sft --help lists the options'],
    [['export-rollouts'], 'Give exactly one results file.', 'r1ci export-rollouts --help lists the options'],
    [['compare', 'a.jsonl'], 'Give two results files.', 'r1ci compare --help lists the options'],
    [['mcp', 'extra'], 'r1ci mcp takes no arguments (got "extra").', 'r1ci mcp --help lists the options'],
  ])('%j: the error and a one-line hint, exit 2', async (args, error, hint) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    if (args.length === 0) {
      // `r1ci` alone asks for the overview: the usage on stdout, as --help.
      expect(r.stdout).toMatch(/^Usage: r1ci <command>/);
      return;
    }
    const lines = r.stderr.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`r1ci: ${error}`);
    expect(lines[1]).toMatch(new RegExp(`^Usage: r1ci \\S.*  \\(${hint.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\)$`));
    expect(lines[2]).toBe('');
    expect(r.stdout).toBe('');
  });
});
