// The one module that turns program output and model text into what a terminal would show
// (issue 11 item 6): the model's view strips escape sequences and collapses redraws; the display
// view escapes every control and bidi override. The progress bar is the real case's bytes, made
// by real Python.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCellReport } from '../../../src/codeTool/cellReport';
import { createPrinter } from '../../../src/cli/printer';
import { collapseRedraws, escapeControls, escapeName, forDisplay, forModel, RedrawCollapser } from '../../../src/sandbox/terminalText';
import { sharedCaseCode } from '../../support/sharedTasks';

const REPO = path.resolve(__dirname, '../../..');
const caseCode = (file: string): string => sharedCaseCode(REPO, 'real-models', file);

describe('terminal text', () => {
  it('collapses a real progress bar (3,000 redraws) to its final line, also when fed in chunks', () => {
    // Both streams into one, in order: the bar on stderr, then the answer on stdout.
    const stderr = spawnSync('python3', ['-I', '-c', `import sys\nsys.stdout = sys.stderr\n${caseCode('progress-bar-redraws.json')}`], { encoding: 'utf8' }).stderr;
    expect(stderr.length).toBeGreaterThan(150_000);
    const finalLine = '100%|####################| 3000/3000 [00:00<00:00, 9999.99it/s]';
    expect(forModel(stderr)).toBe(`${finalLine}\nanswer: 42\n`);
    const collapser = new RedrawCollapser();
    let streamed = '';
    for (let i = 0; i < stderr.length; i += 4096) streamed += collapser.push(stderr.slice(i, i + 4096));
    expect(streamed + collapser.end()).toBe(`${finalLine}\nanswer: 42\n`);
  });

  it('overwrites column by column like a terminal; CRLF is a line end', () => {
    expect(collapseRedraws('abc\rxy')).toBe('xyc');
    expect(collapseRedraws('one\r\ntwo\r\n')).toBe('one\ntwo\n');
    expect(collapseRedraws('50%\r100%\rdone\n')).toBe('done\n');
    expect(collapseRedraws('no redraws')).toBe('no redraws');
  });

  it('erase-in-line and cursor-to-column sequences redraw a line as a terminal does (pip, rich, click progress)', () => {
    expect(forModel('\r100%|##########\x1b[2K\rDone\n')).toBe('Done\n');
    expect(forModel('progress 50%\r\x1b[Kok\n')).toBe('ok\n');
    expect(forModel('downloading 10/10\x1b[1G\x1b[0Kinstalled\n')).toBe('installed\n');
    // Erased cells show nothing (a terminal shows blanks there): "abcdef", erased up to column 3, then "XY" from column 3.
    expect(forModel('abcdef\x1b[3G\x1b[1KXY\n')).toBe('XYef\n');
    // Fed in pieces (a sequence split across reads), the same.
    const collapser = new RedrawCollapser({ removeEscapes: true });
    const pieces = ['50%|#####', '\x1b[', '2', 'K\r', 'Done\n'];
    expect(escapeControls(pieces.map((p) => collapser.push(p)).join('') + collapser.end())).toBe('Done\n');
    // A hostile column or parameter run moves the cursor at most to the line's end, and is not kept.
    expect(forModel('ab\x1b[999999999Gc\n')).toBe('abc\n');
    expect(forModel(`x\x1b[${'9'.repeat(100_000)}Ky\n`)).toBe('xy\n');
    // Shown to a user, the sequences stay visible (escaped), not applied.
    expect(forDisplay('a\x1b[2Kb')).toBe('a\\x1b[2Kb');
  });

  it('the model reads clear-screen, title and colour escapes as plain text', () => {
    const out = execFileSync('python3', ['-I', '-c', caseCode('terminal-escapes-in-output.json')], { encoding: 'utf8' });
    expect(out).toContain('\x1b]0;TITLE-SET-BY-SANDBOX\x07');
    expect(forModel(out)).toBe('red result=7\n');
  });

  it('display text shows every C0/C1 control, ESC sequence and bidi override escaped, keeping tab and newline', () => {
    expect(forDisplay('\x1b[2J\x1b]0;T\x07a\tb\n')).toBe('\\x1b[2J\\x1b]0;T\\x07a\tb\n');
    expect(escapeControls('\u202Eevil\u202C \u2066x\u2069 \u200F')).toBe('\\u202eevil\\u202c \\u2066x\\u2069 \\u200f');
    expect(escapeControls('\u009B31m\u0085\x7f\0\b')).toBe('\\x9b31m\\x85\\x7f\\0\\b');
    expect(escapeControls('plain ünïcode ✓ 中文')).toBe('plain ünïcode ✓ 中文');
    // Stray controls left after stripping sequences reach the model escaped, never raw. `ESC d` is
    // a complete two-byte sequence (ECMA-48 Fs), consumed as a terminal would.
    expect(forModel('a\x1b[31mb\x00c\x1bd\x01')).toBe('ab\\0c\\x01');
  });

  // A file the code wrote named "plot\u200b.png" read as "plot.png" (another file) wherever names are listed.
  it('a name shows invisible characters escaped: zero-width, word joiner, soft hyphen, BOM, tags, separators', () => {
    expect(escapeName('plot\u200B.png')).toBe('plot\\u200b.png');
    expect(escapeName('a\u200C\u200D\u2060\u00AD\uFEFFb')).toBe('a\\u200c\\u200d\\u2060\\u00ad\\ufeffb');
    expect(escapeName('x\u{E0041}\u{E007F}.txt')).toBe('x\\u{e0041}\\u{e007f}.txt');
    expect(escapeName('a\u2028b\u2029c\nd\te\u202Ef')).toBe('a\\u2028b\\u2029c\\nd\\te\\u202ef');
    expect(escapeName('résumé 中文 ✓ 👍 مرحبا.png')).toBe('résumé 中文 ✓ 👍 مرحبا.png');
    let printed = '';
    const print = createPrinter({ write: (t) => (printed += t) }, false);
    print({
      type: 'exec-result',
      index: 0,
      result: { stdout: '', stderr: '', exitCode: 0, durationMs: 1, timedOut: false, truncated: false, artifacts: [{ name: 'plot\u200B.png', path: '/x', sizeBytes: 1, mimeType: 'image/png' }] },
    });
    expect(printed).toContain('file: plot\\u200b.png (');
    const result = { stdout: '', stderr: '', exitCode: 0, durationMs: 1, timedOut: false, truncated: false, artifacts: [{ name: 'a\u2060.csv', path: '/x', sizeBytes: 1, mimeType: 'text/csv' }] };
    expect(formatCellReport({ sessionId: null, tier: 'isolated', tierNote: 'note', newSession: true, scratchDir: '/tmp/x', images: [], result })).toContain('artifacts: a\\u2060.csv (');
  });

  it('the tool report other agents read (VS Code tool, r1ci mcp) carries plain, collapsed output', () => {
    const result = { stdout: '\x1b[31mred\x1b[0m 7\n', stderr: '10%\r100%\n', exitCode: 0, durationMs: 5, timedOut: false, truncated: false, artifacts: [] };
    const report = formatCellReport({ sessionId: null, tier: 'isolated', tierNote: 'note', newSession: true, scratchDir: '/tmp/x', images: [], result });
    expect(report).toContain('stdout:\n```\nred 7\n```');
    expect(report).toContain('stderr:\n```\n100%\n```');
  });
});
