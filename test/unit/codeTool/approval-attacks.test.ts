// Red team on the approval flow (s39): the code a user reads before approving it must be the code
// that runs. Model code is hostile; it may hide a line from the reader while Python still runs it.
// Each case really runs in the sandbox (the isolated tier where Linux gives it), so the test shows
// that Python executes the hidden part, and then that every surface showing code for approval or
// review (the language-model tool's confirmation, the transcript cell: codeForDisplay; the CLI's
// tool-call listing) shows it where Python reads it.
// Found by reading approval.ts: a lone `\r` was shown escaped inside its line, yet Python's
// compile() ends a source line there (universal newlines), so `# C:\temp\rimport os` read as one
// comment; a Hangul filler (U+3164, a letter to Python) made an invisible variable name. Later
// (s39-check): a variation selector, U+034F or a Mongolian selector after a name is a nonspacing
// mark Python keeps in the name (NFKC leaves it), shown as nothing: `ok\ufe00 = True` read as `ok = True`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invocationPreview } from '../../../src/codeTool/approval';
import { createPrinter } from '../../../src/cli/printer';
import { codeForDisplay } from '../../../src/sandbox/terminalText';
import type { CodeRunner } from '../../../src/sandbox';
import { REQUIRED_TIERS, startRunner } from '../sandbox/helpers';

interface HiddenCodeCase {
  readonly name: string;
  readonly code: string;
  /** What the cell prints when the hidden part runs. */
  readonly printed: string;
  /** Lines the display must show as lines of their own (Python runs each). */
  readonly shownLines: readonly string[];
}

const CASES: readonly HiddenCodeCase[] = [
  {
    name: 'a lone CR inside a comment ends it: the rest is a line Python runs',
    code: 'total = 0  # totals as in C:\\temp\rprint("RAN-" + "CR")\nprint(total)\n',
    printed: 'RAN-CR',
    shownLines: ['print("RAN-" + "CR")'],
  },
  {
    name: 'CR line ends only (an old Mac file): every line is a line',
    code: '# only a comment\rx = "RAN-" + "MAC"\rprint(x)',
    printed: 'RAN-MAC',
    shownLines: ['x = "RAN-" + "MAC"', 'print(x)'],
  },
  {
    name: 'a Hangul filler is an invisible variable name',
    code: '\u3164 = "RAN-" + "FILLER"\nprint(\u3164)\n',
    printed: 'RAN-FILLER',
    shownLines: ['\\u3164 = "RAN-" + "FILLER"', 'print(\\u3164)'],
  },
  {
    name: 'a zero-width space makes two strings that read the same differ',
    code: 'role = "admin\u200b"\nprint("RAN-ZW" if role != "admin" else "same")\n',
    printed: 'RAN-ZW',
    shownLines: ['role = "admin\\u200b"'],
  },
  {
    name: 'a form feed in the indentation sets the column back to 0: the line runs after the dead block it seems to be in',
    code: 'if False:\n    pass\n    \fprint("RAN-" + "FF")\n',
    printed: 'RAN-FF',
    shownLines: ['\\fprint("RAN-" + "FF")'],
  },
  {
    name: 'a form feed before two spaces: Python reads the line at column 2, out of the dead block at 4 (the shown \\f takes the place of the spaces)',
    code: 'if True:\n  if False:\n    pass\n\f  print("RAN-" + "FF2")\n',
    printed: 'RAN-FF2',
    shownLines: ['  if False:', '\\fprint("RAN-" + "FF2")'],
  },
  {
    name: 'a line separator (U+2028) is no line end to Python, so it is shown as an escape, not a break',
    code: 'print("RAN-" + "LS")  # done\u2028and nothing after\n',
    printed: 'RAN-LS',
    shownLines: ['print("RAN-" + "LS")  # done\\u2028and nothing after'],
  },
  {
    name: 'a variation selector (a nonspacing mark Python takes into a name) makes an invisible second name',
    code: 'ok = False\nok\ufe00 = True\nprint("RAN-VS" if not ok else "ok")\n',
    printed: 'RAN-VS',
    shownLines: ['ok\\ufe00 = True'],
  },
  {
    name: 'the marks Unicode lists as default ignorable (U+E0100, U+034F, U+180B, U+17B4) are invisible names too',
    code: 'x = 1\nx\u{e0100} = 2\nx\u034f = 3\nx\u180b = 4\nx\u17b4 = 5\nprint("RAN-" + "DI", x)\n',
    printed: 'RAN-DI 1',
    shownLines: ['x\\u{e0100} = 2', 'x\\u034f = 3', 'x\\u180b = 4', 'x\\u17b4 = 5'],
  },
];

/** The fenced code of a preview's Markdown, as lines. */
function fencedLines(markdown: string): string[] {
  const match = /\n(`{3,})python\n([\s\S]*?)\n\1$/.exec(markdown);
  if (!match) throw new Error(`no python fence in:\n${markdown}`);
  return (match[2] ?? '').split('\n');
}

describe.each(REQUIRED_TIERS)('code shown for approval is the code that runs (%s tier)', (tier) => {
  let runner: CodeRunner;
  beforeAll(async () => {
    runner = await startRunner(tier);
  });
  afterAll(async () => {
    await runner.dispose();
  });

  it.each(CASES)('$name', async ({ code, printed, shownLines }) => {
    // The hidden part really runs.
    const result = await runner.runCell(code);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(printed);
    // The tool's confirmation (VS Code chat) shows it as a line of its own, nothing invisible.
    const preview = fencedLines(invocationPreview(code, undefined, tier, 'note', 'ask').markdown);
    for (const line of shownLines) expect(preview).toContain(line);
    // The transcript's cells (the chat's own approval) render codeForDisplay.
    const shown = codeForDisplay(code).split('\n');
    for (const line of shownLines) expect(shown).toContain(line);
    // The CLI's listing of a tool call's code.
    let out = '';
    createPrinter({ write: (t) => void (out += t) }, false)({ type: 'code', index: 0, turn: 0, language: 'python', code, offsetInTurn: 0, source: 'tool-call' });
    for (const line of shownLines) expect(out.split('\n')).toContain(line);
  });
});

describe('codeForDisplay', () => {
  it('keeps the lines Python reads (CRLF is one line end), tabs, and escapes every other control', () => {
    expect(codeForDisplay('a = 1\r\nb = 2\rc = 3\n\tpass\x1b[2J\u202e')).toBe('a = 1\nb = 2\nc = 3\n\tpass\\x1b[2J\\u202e');
  });

  it("shows a form feed's line with its code at the column Python reads (tabs after it still reach the next tab stop)", () => {
    // Python's columns: 4, 8 (a tab), 8 (a space, then a tab), 8 (six spaces and a tab), 1, 0.
    expect(codeForDisplay('\f    a\n\f\tb\n  \f \tc\n\f      \td\n\f e\n\ff')).toBe('\\f  a\n\\f\tb\n\\f\tc\n\\f    \td\n\\fe\n\\ff');
  });
});
