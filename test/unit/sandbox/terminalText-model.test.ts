// A differential check of the redraw collapser (terminalText.ts) against a plain model of a
// terminal screen: rows of cells, one per code point, that `\r`, backspace, `ESC[K`/`0K`/`1K`/`2K`
// and `ESC[nG` act on directly (each erase blanks its cells, at a cost the collapser must not pay:
// its erases are O(1) with write stamps), and a cursor that `\n`, `ESC[nA`/`B`/`E`/`F`, `ESC M`
// move between rows (within the rows drawn; a row entered keeps its column, at most its width)
// and `ESC[J` erases below (`ESC[1J` above, `ESC[2J` the screen; `ESC c` resets it, the cursor home), `ESC[r;cH` puts the cursor at a row and column; `ESC 7`/`ESC[s` save the cursor, `ESC 8`/`ESC[u` restore it; empty rows at the bottom, below the cursor, show nothing. Thousands of random sequences of text, redraws, erases,
// cursor moves, other escapes and line ends, whole and in random pieces, with and without a line
// bound, must collapse to what the model shows, with the same count of dropped bytes.
// The alphabet stays in the Basic Multilingual Plane: while a line is only appended to, the
// collapser counts columns in UTF-16 units (documented at maxLineChars), so an astral character
// takes two columns there and one once redrawn.
import { describe, expect, it } from 'vitest';
import { RedrawCollapser } from '../../../src/sandbox/terminalText';
import { mulberry32 } from '../../support/seeded';

/** What the screen shows, row by row (`removeEscapes`), and the UTF-8 bytes beyond `max` columns not kept. */
function model(input: string, max: number): { out: string; dropped: number } {
  const rows: { cells: (string | undefined)[]; width: number }[] = [{ cells: [], width: 0 }];
  let row = 0;
  let cells = rows[0]?.cells ?? [];
  let column = 0;
  let width = 0;
  let dropped = 0;
  let saved: { row: number; column: number } | undefined;
  const chars = Array.from(input);
  const enter = (to: number, toStart: boolean): void => {
    const at = rows[row];
    if (at) Object.assign(at, { cells, width });
    // A row an erase below took out exists again, blank, when the cursor returns to it.
    while (rows.length <= to) rows.push({ cells: [], width: 0 });
    if (to === row) {
      if (toStart) column = 0;
      return;
    }
    row = to;
    cells = rows[row]?.cells ?? [];
    width = rows[row]?.width ?? 0;
    column = toStart ? 0 : Math.min(column, width);
  };
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch === '\n') {
      if (row === rows.length - 1) rows.push({ cells: [], width: 0 });
      enter(row + 1, true);
    } else if (ch === '\x1b' && chars[i + 1] === 'M') {
      enter(Math.max(0, row - 1), false);
      i++;
    } else if (ch === '\x1b' && chars[i + 1] === '7') {
      saved = { row, column };
      i++;
    } else if (ch === '\x1b' && chars[i + 1] === 'c') {
      // Full reset: the screen erased, the cursor home, no saved position.
      for (const r of rows) r.cells = r.cells.map(() => '');
      cells = cells.map(() => '');
      rows.length = row + 1;
      enter(0, true);
      saved = undefined;
      i++;
    } else if (ch === '\x1b' && chars[i + 1] === '8') {
      if (saved) {
        enter(saved.row, false);
        column = Math.min(saved.column, width);
      }
      i++;
    } else if (ch === '\r') column = 0;
    else if (ch === '\b') column = Math.max(0, column - 1);
    else if ((ch === '\x1b' && chars[i + 1] === '[') || ch === '\x9b') {
      let j = ch === '\x9b' ? i + 1 : i + 2;
      let params = '';
      while (/^[0-9;:<=>?]$/.test(chars[j] ?? '')) params += chars[j++];
      const final = chars[j];
      i = j;
      const n = /^\d*$/.test(params) ? Number(params || '0') : -1;
      if (final === 's' && params === '') saved = { row, column };
      else if (final === 'u' && params === '') {
        if (saved) {
          enter(saved.row, false);
          column = Math.min(saved.column, width);
        }
      } else if ((final === 'A' || final === 'F') && n >= 0) enter(Math.max(0, row - Math.max(1, n)), final === 'F');
      else if ((final === 'B' || final === 'E') && n >= 0) enter(Math.min(rows.length - 1, row + Math.max(1, n)), final === 'E');
      else if (final === 'J' && n === 0) {
        rows.length = row + 1;
        cells.length = Math.min(cells.length, column);
      } else if (final === 'J' && (n === 1 || n === 2)) {
        // Erase above (1) or the screen (2): every row over the cursor's blank (its width kept, as `ESC[2K` keeps it).
        for (let k = 0; k < row; k++) {
          const r = rows[k];
          if (r) r.cells = r.cells.map(() => '');
        }
        if (n === 2) {
          rows.length = row + 1;
          cells = cells.map(() => '');
        } else for (let k = 0; k <= column && k < cells.length; k++) cells[k] = '';
      } else if ((final === 'H' || final === 'f') && /^\d*(;\d*)?$/.test(params)) {
        const [r, c] = params.split(';');
        enter(Math.max(1, Number(r || '1')) - 1, true);
        column = Math.min(Math.max(1, Number(c || '1')) - 1, width);
      } else if (final === 'G' && n >= 0) column = Math.min(Math.max(0, n - 1), width);
      else if (final === 'K' && n === 0) cells.length = Math.min(cells.length, column);
      else if (final === 'K' && n === 1) for (let k = 0; k <= column && k < cells.length; k++) cells[k] = '';
      else if (final === 'K' && n === 2) cells = cells.map(() => '');
    } else if (ch === '\x1b' && chars[i + 1] === ']') {
      while (chars[i] !== '\x07') i++;
    } else {
      if (column < max) cells[column] = ch;
      else if (column >= width) dropped += Buffer.byteLength(ch);
      column++;
      width = Math.max(width, column);
    }
  }
  enter(row, false);
  const shown = rows.map((r) => r.cells.map((c) => c ?? '').join(''));
  // Empty rows at the bottom, below the cursor, show nothing.
  while (shown.length > row + 1 && shown.at(-1) === '') shown.pop();
  return { out: shown.join('\n'), dropped };
}

const random = mulberry32;

const ATOMS = [
  'a',
  'b',
  'c',
  'é',
  'e\u0301',
  '中',
  '\x07',
  '\t',
  'hello',
  'abcdefghij',
  '\n',
  '\r\n',
  '\r',
  '\r',
  '\b',
  '\b',
  '\x1b[K',
  '\x1b[0K',
  '\x1b[01K',
  '\x1b[1K',
  '\x1b[1K',
  '\x9b1K',
  '\x1b[2K',
  '\x1b[;K',
  '\x1b[G',
  '\x1b[1G',
  '\x1b[3G',
  '\x1b[5G',
  '\x9b2G',
  '\x1b[40G',
  '\x1b[2A',
  '\x1b[A',
  '\x1b[0A',
  '\x1b[3F',
  '\x1b[F',
  '\x1b[B',
  '\x1b[2E',
  '\x1b[J',
  '\x1b[0J',
  '\x1b[2J',
  '\x1b[1J',
  '\x1b[3J',
  '\x1b[H',
  '\x1b[2;3H',
  '\x1b[3f',
  '\x1b[;2H',
  '\x1bc',
  '\x1bM',
  '\x1b7',
  '\x1b8',
  '\x1b[s',
  '\x1b[u',
  '\x1b[1s',
  '\n',
  '\x1b[1;2H',
  '\x1b[31m',
  '\x1b]0;title\x07',
];

describe('the redraw collapser against a model terminal line', () => {
  it('agrees on 30,000 random sequences, whole and in pieces, with and without a line bound', () => {
    const next = random(20261201);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    for (let run = 0; run < 30_000; run++) {
      let input = '';
      for (let n = 1 + Math.floor(next() * 60); n > 0; n--) input += pick(ATOMS);
      const max = pick([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 2, 5, 8, 20]);
      const cuts = Array.from({ length: Math.floor(next() * 4) }, () => Math.floor(next() * input.length)).sort((x, y) => x - y);
      const collapser = new RedrawCollapser({ removeEscapes: true, ...(max === Number.POSITIVE_INFINITY ? {} : { maxLineChars: max }) });
      let out = '';
      let from = 0;
      for (const cut of [...cuts, input.length]) {
        out += collapser.push(input.slice(from, cut));
        from = cut;
      }
      out += collapser.end();
      expect({ input, max, cuts, out, dropped: collapser.droppedBytes }).toEqual({ input, max, cuts, ...model(input, max) });
    }
  });
});
