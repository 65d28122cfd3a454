// Redraws are collapsed and escape sequences removed over the whole stream BEFORE the output limit
// (issue 11 item 6): what the model reads is the final state of each line, cut after collapsing,
// with one truncation notice that names no host path; the raw output stays in the host-private
// file. Real Python through the real runner, plus the capture fed byte by byte.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../../src/sandbox/format';
import { StreamCapture } from '../../../src/sandbox/output-capture';
import type { CodeRunner, ExecResult } from '../../../src/sandbox/index';
import { RedrawCollapser } from '../../../src/sandbox/terminalText';
import { sharedCaseCode } from '../../support/sharedTasks';
import { startRunner, REQUIRED_TIERS } from './helpers';

const REPO = path.resolve(__dirname, '../../..');
const BAR_CODE = sharedCaseCode(REPO, 'real-models', 'progress-bar-redraws.json');
const FINAL_BAR = '100%|####################| 3000/3000 [00:00<00:00, 9999.99it/s]';
const LIMIT = 64 * 1024;

/** What the model is handed, and the checks every result here must pass. */
function modelText(result: ExecResult): string {
  const text = `${result.stdout}${result.stderr}`;
  expect(text.match(/output truncated/g)?.length ?? 0).toBeLessThanOrEqual(1);
  expect(text).not.toMatch(/r1ci-host|\/tmp\/|full output:/);
  return text;
}

describe.each(REQUIRED_TIERS)('output collapsed before the limit (%s tier)', (tier) => {
  const runners: CodeRunner[] = [];
  const start = async (): Promise<CodeRunner> => {
    const runner = await startRunner(tier, { limits: { outputBytes: LIMIT } });
    runners.push(runner);
    return runner;
  };
  afterAll(async () => {
    await Promise.all(runners.map((runner) => runner.dispose()));
  });

  it('a bar redrawn 3,000 times on stderr (≈186 KiB raw) is its final line; the raw output is kept for the user', async () => {
    const result = await (await start()).runCell(BAR_CODE);
    expect(result.stderr).toBe(`${FINAL_BAR}\n`);
    expect(result.stdout).toBe('answer: 42\n');
    expect(result.truncated).toBe(false);
    modelText(result);
    const raw = readFileSync(result.fullOutputPath ?? '', 'utf8');
    expect(raw.length).toBeGreaterThan(150_000);
    expect(raw).toContain(' 34%|######              | 1040/3000');
  });

  it('a bar on stdout followed by more output past the limit: the final bar state, then the cut, one notice', async () => {
    const code = `${BAR_CODE.replaceAll('sys.stderr', 'sys.stdout')}\nfor i in range(2000):\n    print(f"row {i:05d} " + "z" * 40)\nprint("tail")`;
    const result = await (await start()).runCell(code);
    expect(result.stdout.startsWith(`${FINAL_BAR}\nanswer: 42\nrow 00000 `)).toBe(true);
    expect(result.stdout).not.toContain(' 34%');
    expect(result.stdout).not.toContain('tail');
    expect(result.truncated).toBe(true);
    const rows = Array.from({ length: 2000 }, (_, i) => `row ${String(i).padStart(5, '0')} ${'z'.repeat(40)}\n`).join('');
    const collapsedBytes = Buffer.byteLength(`${FINAL_BAR}\nanswer: 42\n${rows}tail\n`);
    expect(result.stdout.endsWith(`\n[output truncated: ${formatBytes(collapsedBytes)} in total, the first ${formatBytes(LIMIT)} are shown]\n`)).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBeLessThan(LIMIT + 200);
    modelText(result);
  });

  it('a single 200 KiB line is still cut to the limit', async () => {
    const result = await (await start()).runCell('import sys\nsys.stdout.write("y" * (200 * 1024))\nprint()\nprint("after")');
    expect(result.truncated).toBe(true);
    expect(result.stdout.startsWith('y'.repeat(1000))).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBeLessThan(LIMIT + 200);
    const total = formatBytes(200 * 1024 + Buffer.byteLength('\nafter\n'));
    expect(result.stdout.endsWith(`\n[output truncated: ${total} in total, the first ${formatBytes(LIMIT)} are shown]\n`)).toBe(true);
    modelText(result);
  });

  it('CRLF line ends stay newlines; escape sequences split across writes are removed', async () => {
    const code = [
      'import sys, time',
      'sys.stdout.write("one\\r\\ntwo\\r\\n")',
      'for part in ["\\x1b[3", "1mred\\x1b]0;ti", "tle\\x07 done\\x1b", "[0m\\n"]:',
      '    sys.stdout.write(part); sys.stdout.flush(); time.sleep(0.05)',
    ].join('\n');
    const result = await (await start()).runCell(code);
    expect(result.stdout).toBe('one\ntwo\nred done\n');
    expect(result.fullOutputPath).toBeUndefined();
  });
});

describe('StreamCapture collapses while it captures', () => {
  const marker = Buffer.from('\0end\0', 'latin1');
  const sample = Buffer.from('é 10%\r\x1b[32m✓ 100%\x1b[0m\r\n\x1b]0;title\x1b\\plain\n\u009b1mbold\n', 'utf8');
  const expected = '✓ 100%\nplain\nbold\n';

  it('gives the same text however the bytes are split (escapes, UTF-8 characters and the marker cut anywhere)', () => {
    const whole = Buffer.concat([sample, marker]);
    for (let cut = 0; cut <= whole.length; cut++) {
      const capture = new StreamCapture(marker, 1024, '/nonexistent/spill');
      capture.push(whole.subarray(0, cut));
      capture.push(whole.subarray(cut));
      expect(capture.ended).toBe(true);
      expect(capture.text(1024)).toBe(expected);
      expect(capture.total).toBe(sample.length);
    }
  });

  it('keeps at most the limit of the collapsed text and counts the rest', () => {
    const capture = new StreamCapture(marker, 100, '/nonexistent/spill');
    for (let i = 0; i < 50; i++) capture.push(Buffer.from(`line ${i}\n`));
    capture.end();
    expect(capture.text(100)).toBe(
      Array.from({ length: 50 }, (_, i) => `line ${i}\n`)
        .join('')
        .slice(0, 100),
    );
    expect(capture.textTotal).toBe(Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join('').length);
  });
});

describe('RedrawCollapser bounds a line', () => {
  it('keeps maxLineChars of a line however long it grows or is redrawn, and counts what it dropped', () => {
    const collapser = new RedrawCollapser({ maxLineChars: 10 });
    let out = collapser.push('a'.repeat(1000));
    out += collapser.push('\rbb');
    out += collapser.push(`${'c'.repeat(20)}\n`);
    expect(out).toBe(`bb${'c'.repeat(8)}\n`);
    expect(collapser.droppedBytes).toBe(990); // the redraw only overwrote columns already counted
  });

  it('backspace moves left like a terminal (spinners)', () => {
    const collapser = new RedrawCollapser();
    expect(collapser.push('wait |\b/\b-\b\\\b done\n')).toBe('wait  done\n');
  });
});

describe('RedrawCollapser: cursor movement between rows is bounded like a screen', () => {
  it('a cursor-up reaches at most 100 rows back (a row that scrolled off is final) and stops at the top', () => {
    const collapser = new RedrawCollapser({ removeEscapes: true });
    const rows = Array.from({ length: 150 }, (_, i) => `row ${i}\n`).join('');
    let out = collapser.push(rows);
    // 50 rows left the screen at once; the rest wait for a redraw that may still come.
    expect(out).toBe(Array.from({ length: 50 }, (_, i) => `row ${i}\n`).join(''));
    out += collapser.push('\x1b[999Anew top\x1b[K');
    out += collapser.end();
    expect(out.split('\n').slice(48, 52)).toEqual(['row 48', 'row 49', 'new top', 'row 51']);
    // The empty row the cursor left at the bottom shows nothing.
    expect(out.split('\n')).toHaveLength(150);
    expect(out.endsWith('row 149')).toBe(true);
  });

  it('the rows it holds are bounded in characters too (1 Mi): long rows are final sooner', () => {
    const collapser = new RedrawCollapser({ removeEscapes: true, maxLineChars: 64 * 1024 });
    const row = `${'x'.repeat(64 * 1024 - 1)}\n`;
    let out = '';
    for (let i = 0; i < 40; i++) out += collapser.push(row);
    expect(out.length).toBeGreaterThanOrEqual(24 * row.length);
    out += collapser.push('\x1b[99Ay\x1b[K');
    out += collapser.end();
    const lines = out.split('\n');
    expect(lines).toHaveLength(40);
    expect(lines.filter((l) => l === 'y')).toHaveLength(1);
  });

  it('without escape removal (the display view) rows are returned at once, as before', () => {
    const collapser = new RedrawCollapser();
    expect(collapser.push('a\nb\n\x1b[A')).toBe('a\nb\n');
  });
});
