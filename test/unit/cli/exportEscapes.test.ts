// `r1ci export-sft` / `export-rollouts` without --out write their JSONL to standard output, often
// a terminal. The lines are data (they must parse to exactly what the results file holds), but
// what JSON.stringify leaves raw — C1 controls (an 8-bit CSI clears xterm's screen), DEL, bidi
// overrides — must reach the terminal as `\uXXXX` escapes, as `--json` does (jsonForTerminal).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { exportRolloutsCommand, exportSftCommand } from '../../../src/cli/exportCommands';
import { formatResultLine, type ResultRecord } from '../../../src/eval/results';
import { aResult } from '../../support/resultRecords';

/** What the model could write: a C1 CSI (clear screen), DEL, a bidi override, a line separator. */
const HOSTILE = 'x\u009b2J\u007f\u202Eevil\u202C\u2028y';
const RAW = /[\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

const dir = mkdtempSync(join(tmpdir(), 'r1ci-export-escapes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function result(sample: number): ResultRecord {
  return aResult(`q${HOSTILE}`, {
    task: 'arith',
    question: `What is 6*7? ${HOSTILE}`,
    answer: `42${HOSTILE}`,
    correct: true,
    reason: 'exact',
    turns: 2,
    codeCalls: 1,
    usedCode: true,
    temperature: 0.6,
    sample,
    trajectory: [
      { role: 'user', content: `What is 6*7? ${HOSTILE}` },
      { role: 'assistant', content: `\`\`\`python\nprint(6*7)\n\`\`\`\n\`\`\`output\n42${HOSTILE}\n\`\`\`\n<<<42${HOSTILE}>>>` },
    ],
  });
}

async function run(command: typeof exportSftCommand, args: readonly string[]): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (b: Buffer) => (out += b.toString()));
  stderr.resume();
  const code = await command(args, { stdout, stderr });
  return { code, stdout: out };
}

describe('exports on standard output', () => {
  const file = join(dir, 'results.jsonl');
  writeFileSync(file, formatResultLine(result(0)) + formatResultLine(result(1)));

  it.each([
    ['export-sft', exportSftCommand],
    ['export-rollouts', exportRolloutsCommand],
  ] as const)('%s writes no raw C1, DEL or bidi control, and the lines parse to the same data', async (_name, command) => {
    const { code, stdout } = await run(command, [file]);
    expect(code).toBe(0);
    expect(stdout.length).toBeGreaterThan(0);
    expect(stdout).not.toMatch(RAW);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    // The hostile text survives as data, character for character.
    expect(lines.some((l) => JSON.stringify(JSON.parse(l)).includes(HOSTILE))).toBe(true);
  });
});
