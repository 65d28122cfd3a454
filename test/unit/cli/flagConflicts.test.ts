// Flags that contradict each other, or that the rest of the command line makes ignored, are a
// usage error (exit 2) naming both flags, said before anything runs: `--text-only` with
// `--protocol` ran the question without code and dropped the protocol without a word.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { chatCommand } from '../../../src/cli/chatCommand';
import { CliError, EXIT } from '../../../src/cli/cliSupport';
import { compareCommand, evalCommand } from '../../../src/cli/evalCommand';
import { exportSftCommand } from '../../../src/cli/exportCommands';
import { scoreCommand } from '../../../src/cli/scoreCommand';
import { readModelOptions } from '../../../src/cli/modelOptions';
import { solveCommand } from '../../../src/cli/solveCommand';

const dir = mkdtempSync(join(tmpdir(), 'r1ci-flag-conflicts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** No server listens there: a command that got as far as asking one fails otherwise. */
const NOWHERE = ['--host', 'http://127.0.0.1:9'];

function io(): { stdout: PassThrough; stderr: PassThrough; stdin: PassThrough; signal: AbortSignal } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.resume();
  stderr.resume();
  return { stdout, stderr, stdin: new PassThrough(), signal: new AbortController().signal };
}

/** The usage error `run` rejects with, checked to be one line naming both flags. */
async function refusal(run: () => Promise<number>, a: string, b: string): Promise<string> {
  const error = await run().then(
    (code) => new Error(`exited ${code} instead of refusing`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  const message = (error as CliError).message;
  expect((error as CliError).exitCode, message).toBe(EXIT.usage);
  expect(message).toContain(a);
  expect(message).toContain(b);
  expect(message).not.toContain('\n');
  return message;
}

describe('contradictory flags are refused before anything runs', () => {
  it.each([
    ['--protocol', 'chat'],
    ['--max-code-calls', '3'],
    ['--python', '/usr/bin/python3'],
    ['--timeout', '5'],
    ['--isolation', 'basic'],
    ['--keep-artifacts', 'kept'],
  ])('solve and chat: --text-only with %s', async (flag, value) => {
    await refusal(() => solveCommand(['What is 6*7?', '--text-only', flag, value, ...NOWHERE], io()), '--text-only', flag);
    await refusal(() => chatCommand(['--text-only', flag, value, ...NOWHERE], io()), '--text-only', flag);
  });

  it('solve: --text-only with --allow-unisolated', async () => {
    await refusal(() => solveCommand(['What is 6*7?', '--text-only', '--allow-unisolated', ...NOWHERE], io()), '--text-only', '--allow-unisolated');
  });

  it.each([
    [['--protocol', 'tools'], '--protocol'],
    [['--max-code-calls', '2'], '--max-code-calls'],
    [['--allow-unisolated'], '--allow-unisolated'],
    [['--sft', 'sft.jsonl'], '--sft'],
  ])('eval: --text-only with %s', async (extra, flag) => {
    const message = await refusal(() => evalCommand([join(dir, 'no-such-tasks.jsonl'), '--text-only', ...extra, ...NOWHERE], io()), '--text-only', flag);
    expect(message).toContain('r1ci eval --help');
  });

  it('eval --text-only keeps the sandbox flags and --isolation: checkers still run in the sandbox', async () => {
    // Past the flag check: the task path holds no question (exit 1, not a usage error).
    await expect(evalCommand([join(dir, 'no-such-tasks.jsonl'), '--text-only', '--isolation', 'basic', '--timeout', '5', ...NOWHERE], io())).rejects.toMatchObject({ exitCode: EXIT.failure });
  });

  it('--api-key without --backend openai, and --context-tokens with it: flags that backend would ignore', () => {
    expect(() => readModelOptions({ 'api-key': 'sk-x' }, [], {})).toThrow(/--api-key .*--backend openai/);
    expect(() => readModelOptions({ backend: 'ollama', 'api-key': 'sk-x' }, [], {})).toThrow(expect.objectContaining({ exitCode: EXIT.usage }));
    expect(() => readModelOptions({ backend: 'openai', 'context-tokens': '8192' }, [], {})).toThrow(/--context-tokens and --backend openai/);
    expect(readModelOptions({ backend: 'openai', 'api-key': 'sk-x' }, [], {}).run.server.apiKey).toBe('sk-x');
    expect(readModelOptions({ 'context-tokens': '8192' }, [], {}).run.contextTokens).toBe(8192);
  });
});

describe('an empty value or argument is a usage error, not dropped or read as the current folder', () => {
  it.each([
    ['eval --out ""', () => evalCommand([join(dir, 'tasks.jsonl'), '--out', '', ...NOWHERE], io()), '--out must be a non-empty string (got "").'],
    ['eval --sft ""', () => evalCommand([join(dir, 'tasks.jsonl'), '--sft=', ...NOWHERE], io()), '--sft must be a non-empty string (got "").'],
    ['solve --keep-artifacts ""', () => solveCommand(['What is 6*7?', '--keep-artifacts', '', ...NOWHERE], io()), '--keep-artifacts must be a non-empty string (got "").'],
    ['export-sft --out ""', () => exportSftCommand([join(dir, 'results.jsonl'), '--out', ''], io()), '--out must be a non-empty string (got "").'],
    ['score --answers ""', () => scoreCommand([join(dir, 'tasks.jsonl'), '--answers', ''], io()), '--answers must be a non-empty string (got "").'],
    ['eval ""', () => evalCommand(['', ...NOWHERE], io()), 'an argument is empty ("") (r1ci eval --help lists what eval takes).'],
    ['compare "" b', () => compareCommand(['', join(dir, 'b.jsonl')], io()), 'an argument is empty ("") (r1ci compare --help lists what compare takes).'],
  ])('%s', async (_name, run, message) => {
    const error = await run().then(
      (code) => new Error(`exited ${code} instead of refusing`),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT.usage);
    expect((error as CliError).message).toBe(message);
    // Nothing was made in the current folder or beside the (missing) tasks.
    expect(readdirSync(dir)).toEqual([]);
  });
});
