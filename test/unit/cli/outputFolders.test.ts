// Every command that writes a file named on the command line checks the folder it goes in
// before any work, through one helper (prepareOutputFolder, src/cli/outputPaths.ts), so they
// all say the same thing the same way: `r1ci export-sft --out` read the whole results file and
// only then failed on the write, with the write's own words.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../../src/cli/cliSupport';
import { exportRolloutsCommand, exportSftCommand } from '../../../src/cli/exportCommands';
import { prepareOutputFolder } from '../../../src/cli/outputPaths';
import { formatResultLine } from '../../../src/eval/results';
import { aResult } from '../../support/resultRecords';

const dir = mkdtempSync(join(tmpdir(), 'r1ci-output-folders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The message `command` refuses with, its paths written as <DIR>. */
async function refusal(command: typeof exportSftCommand, args: readonly string[]): Promise<string> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (b: Buffer) => (out += b.toString()));
  stderr.resume();
  const error = await command(args, { stdout, stderr }).then(
    (code) => new Error(`exited ${code} instead of refusing`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  // A usage error (exit 2), as every other output path of the command line that cannot be used.
  expect((error as CliError).exitCode).toBe(EXIT.usage);
  expect(out).toBe('');
  return (error as CliError).message.split(dir).join('<DIR>');
}

describe('the output folder of every export is checked first, the same way', () => {
  const results = join(dir, 'run.results.jsonl');
  writeFileSync(results, formatResultLine(aResult('arith/1', { correct: true, usedCode: true, codeCalls: 1, answer: '2' })));
  const aFile = join(dir, 'a-file.txt');
  writeFileSync(aFile, 'x\n');
  mkdirSync(join(dir, 'out'));

  it.each([
    ['a missing folder', join(dir, 'missing', 'x.jsonl'), '--out <DIR>/missing/x.jsonl: cannot write in <DIR>/missing: no such file or folder; nothing was written.'],
    ['a file where the folder should be', join(aFile, 'x.jsonl'), '--out <DIR>/a-file.txt/x.jsonl: cannot write in <DIR>/a-file.txt: a file, not a folder; nothing was written.'],
  ])('%s: export-sft and export-rollouts say it in the same words', async (_name, out, message) => {
    expect(await refusal(exportSftCommand, [results, '--out', out])).toBe(message);
    expect(await refusal(exportRolloutsCommand, [results, '--out', out])).toBe(message);
  });

  it('export-sft names its --out folder before reading the results file (a missing one too)', async () => {
    expect(await refusal(exportSftCommand, [join(dir, 'no-such.results.jsonl'), '--out', join(dir, 'missing', 'x.jsonl')])).toMatch(/^--out .*nothing was written\.$/);
  });
});

describe('output folders under /proc (makeFolders, test/unit/files)', () => {
  it("fails under /proc with ENOENT, where Node's recursive mkdir retries forever (the command hung, deaf to SIGTERM)", async () => {
    await expect(prepareOutputFolder('--out', '/proc/r1ci-no-such/x.jsonl', 'nothing was run', true)).rejects.toThrow(
      '--out /proc/r1ci-no-such/x.jsonl: cannot create the folder /proc/r1ci-no-such: no such file or folder; nothing was run.',
    );
  });
});
