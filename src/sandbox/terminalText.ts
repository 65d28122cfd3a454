// Program output and model text the way a terminal would show them, without ever handing a
// terminal (or a view) raw control sequences. One module for every consumer (issue 11 item 6,
// issue 10 item 8):
// - the model gets `forModel`: escape sequences removed, `\r` redraws collapsed to each line's
//   final state (a progress bar redrawn 3,000 times is one line), cursor movements, erases and
//   clear-screen applied within the last rows drawn as a terminal screen shows them (an animation
//   is its last frame), stray controls escaped;
// - terminals and views get `forDisplay`: redraws collapsed, every control character, escape
//   sequence and bidi override shown escaped (`\x1b[2J`, `\u202e`), so output can neither clear
//   the screen, set the window title, nor reorder what the user reads.
// `--json` and the results files keep the raw text as JSON data; on a terminal through
// `jsonForTerminal`, which also escapes what JSON.stringify leaves raw (C1, DEL, bidi).
/**
 * Controls a terminal or a bidi-aware renderer would act on: C0 except tab and newline, DEL, C1,
 * and the Unicode bidi embeddings, overrides, isolates and marks (U+061C, U+200E/F, U+202A–E,
 * U+2066–9), which can make text read differently from what it is ("Trojan Source").
 */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** `\r`, `\x1b`, `\u202e`: how one control character is shown. */
function escapeOne(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\r') return '\\r';
  if (ch === '\b') return '\\b';
  if (ch === '\f') return '\\f';
  if (ch === '\v') return '\\v';
  if (ch === '\0') return '\\0';
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** What JSON.stringify leaves raw that a terminal would act on: DEL, C1 (an 8-bit CSI clears xterm's screen), bidi controls, and the line/paragraph separators. */
const JSON_RAW_CONTROL = /[\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/**
 * `JSON.stringify(value, null, space)` for a terminal (`--json` on stdout): the same JSON data,
 * with every character JSON.stringify leaves raw but a terminal acts on written as a `\uXXXX`
 * escape (such characters only occur inside JSON strings, so the document parses to the same value).
 */
export function jsonForTerminal(value: unknown, space?: number): string {
  return jsonTextForTerminal(JSON.stringify(value, null, space));
}

/**
 * JSON (or JSONL) text already serialized by JSON.stringify, made safe for a terminal the way
 * jsonForTerminal does: every character JSON.stringify leaves raw but a terminal acts on written
 * as a `\uXXXX` escape. Each line parses to the same value as before.
 */
export function jsonTextForTerminal(json: string): string {
  return json.replace(JSON_RAW_CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Characters that show as nothing (or as a blank no one reads as a character): Unicode's format
 * characters (zero-width space and joiners, word joiner, soft hyphen, byte-order mark, invisible
 * operators, tag characters; bidi controls are among them but `escapeControls` already wrote
 * those), the line and paragraph separators, and every Default_Ignorable_Code_Point (Unicode's
 * list of what a renderer shows as nothing, DerivedCoreProperties.txt). Among those are letters
 * and marks Python takes into a name: the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0:
 * `\u3164 = "…"` assigns to a name the reader cannot see), and the nonspacing marks the
 * variation selectors (U+FE00–FE0F, U+E0100–E01EF), U+034F, U+17B4/5 and U+180B–180F, which
 * NFKC keeps: `ok\ufe00 = True` reads as `ok = True` but binds another name (Python 3.11, s39).
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029]/gu;

/** Every INVISIBLE character written as an escape (`\u200b`, `\u{e0041}`). */
function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * A name the sandboxed code chose (an artifact's path relative to scratch) as one line of text: every
 * control character escaped as `escapeControls` does, newline and tab too. A file name may hold
 * line ends, so a name in a report made up of lines (the tool report agents read, the terminal,
 * the notebook's file list) could otherwise add lines of its own: a forged "status:" or "stdout:"
 * section. Invisible characters are shown escaped as well (`\u200b`, `\u{e0041}`): "plot\u200b.png"
 * must not read as "plot.png", the name of another file.
 */
export function escapeName(name: string): string {
  return escapeInvisible(escapeControls(name).replace(/[\n\t]/g, (ch) => (ch === '\n' ? '\\n' : '\\t')));
}

/**
 * Python code as the user reads it before it runs (the approval prompts, the transcript's cells,
 * the CLI, the MCP solve report): the lines are Python's own, and nothing is invisible. Python
 * ends a source line at `\r\n`, `\r` and `\n` alike (universal newlines, as compile() reads a
 * cell), so a lone `\r` is a line break here too: shown escaped inside a line, `# C:\\temp\rimport os`
 * would read as one comment while Python runs `import os` on a line of its own. A form feed in a
 * line's indentation sets Python's column back to 0 (the tokenizer counts only the whitespace after
 * it), so such a line starts with its `\f` at column 0 here, the whitespace before it left out:
 * `    \fprint(1)` under `if False:` reads as inside the block but runs after it. The shown `\f`
 * is two columns wide, so it takes the place of up to two spaces after it: the code then starts
 * at the column Python gives it (`\f  print(1)` is at column 2, one level out of a block at 4;
 * shown with its spaces it sat at 4, inside that block). (Inside a triple-quoted string those
 * left-out blanks are text; the `\f` still shows where they were.) Every
 * other control and bidi override is shown escaped (escapeControls, "Trojan Source"), and so is
 * every character that shows as nothing (INVISIBLE: zero-width characters, separators, Hangul
 * fillers). Tabs kept.
 */
export function codeForDisplay(code: string): string {
  const lines = code.replace(/\r\n?/g, '\n').replace(/(^|\n)[ \t\f]*\f {0,2}/g, '$1\f');
  return escapeInvisible(escapeControls(lines));
}

/** Every control character (see CONTROL) shown escaped; tab and newline kept. Linear time. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/** How a RedrawCollapser treats its input. */
export interface CollapseOptions {
  /**
   * Drop escape sequences (CSI `\x1b[…m`, OSC `\x1b]…\x07`, DCS/SOS/PM/APC strings, two-byte
   * ESC sequences and their C1 forms, ECMA-48), as a terminal consumes them. Default false: the
   * display view keeps them so they are shown escaped.
   */
  readonly removeEscapes?: boolean;
  /**
   * A line keeps at most this many characters (UTF-16 units while only appended to, code points
   * once redrawn); what lies beyond is counted in `droppedBytes` and not kept, so memory stays
   * bounded however long a line grows. Default: unbounded.
   */
  readonly maxLineChars?: number;
}

/** Parameter bytes of a CSI sequence kept to read it (`2` of `ESC[2K`); a longer run is only removed. */
const MAX_CSI_PARAMS = 16;

/**
 * Rows above the cursor that a cursor-up sequence may still reach (when escapes are applied): a
 * screen's height, as a terminal has (a row that scrolled off its top is final, and a cursor-up
 * stops at the top). Multi-line progress displays (tqdm's bars with `position`, rich's Live, as pip
 * uses it, docker-style listings) redraw a few rows; 100 is far more than any of them.
 */
const SCREEN_ROWS = 100;
/** Characters those rows may hold together; beyond it the oldest rows are final (host memory stays bounded). */
const SCREEN_CHARS = 1024 * 1024;

/**
 * A row the cursor left (above or below it) that a cursor movement may enter again: its text when
 * it was only appended to, else its whole state (columns, write stamps, erases, width), so
 * entering it again changes nothing a terminal would not.
 */
type Row = string | { readonly line: string; readonly cells: string[] | undefined; readonly written: number[]; readonly erases: { at: number; through: number }[]; readonly width: number };

/** Where an escape sequence being removed stands (see CollapseOptions.removeEscapes). */
type EscapeState = 'text' | 'esc' | 'intermediate' | 'csi' | 'string' | 'string-esc';

/** Characters that need the slow path: redraws (`\r`, backspace) and escape introducers (ESC, C1 CSI/OSC/DCS/SOS/PM/APC). */
const SPECIAL = /[\r\b\u001b\u0090\u0098\u009b\u009d\u009e\u009f]/;

/**
 * Each line's final state after carriage-return (and backspace) redraws, as a terminal leaves it:
 * later text overwrites earlier text column by column (`"abc\rxy"` → `"xyc"`); `\r\n` is a line end.
 * Streaming, so a capture collapses output before it is cut to a size limit (issue 11 item 6):
 * `push` returns the lines completed so far (each ending in `\n`), `end` the unfinished last line.
 * Escape sequences split across pushes are recognised. Linear time; memory is the current line
 * (bounded by `maxLineChars`). Text without `\r`, backspace or escapes takes a fast path (string
 * slicing, no per-character work).
 */
export class RedrawCollapser {
  /** Bytes (UTF-8) of line text beyond `maxLineChars` that was not kept. */
  droppedBytes = 0;
  private readonly removeEscapes: boolean;
  private readonly maxLineChars: number;
  /** The current line while it is only appended to. */
  private line = '';
  /** The current line once it was redrawn: one code point per column (a hole is an erased column). */
  private cells: string[] | undefined;
  /**
   * When each column of `cells` was last written (`clock` then; a missing one: before any erase).
   * With `erases`, an erase up to the cursor (`ESC[1K`) costs O(1) instead of blanking every
   * column before it: a flood of them over a long line was quadratic host CPU.
   */
  private written: number[] = [];
  private clock = 0;
  /**
   * Erases-up-to-column of the current line (`ESC[1K`) still in force: `through` (the last column
   * erased) decreases as `at` (the clock when it happened) increases, so the first erase after a
   * column's last write is the widest of those that blanked it.
   */
  private erases: { at: number; through: number }[] = [];
  private column = 0;
  /** Columns the current line spans, including those beyond `maxLineChars`. */
  private width = 0;
  /**
   * The rows held while a cursor movement may still redraw them, oldest first, from `top`: those
   * above the cursor (at most `screenRows`, and SCREEN_CHARS characters with the others), the
   * cursor's own slot `at` (its content is the current line while the cursor is there), and those
   * below it (the cursor moved up past them; they stay as drawn). One array and an index, so a
   * cursor movement costs O(1) (linear time, issue 10 item 4).
   */
  private rows: Row[] = [''];
  private top = 0;
  private at = 0;
  /** Characters of the held rows other than the cursor's (see rowChars). */
  private heldChars = 0;
  /**
   * Held rows from `top` up to this index are blank since an erase of the screen or above
   * (`ESC[2J`, `ESC[1J`) and the cursor has not entered them since: the next such erase starts
   * after them, so a flood of erases costs O(1) each, not a pass over the screen (linear time,
   * issue 10 item 4). Never above `at`; 0 (no knowledge) after the rows are renumbered.
   */
  private blankAbove = 0;
  /** Rows dropped from the front of `rows` so far: a row's number is `base` + its index. */
  private base = 0;
  /** The cursor's position a save (`ESC 7`, `ESC[s`) kept: row number and column. */
  private saved: { readonly row: number; readonly column: number } | undefined;
  /** SCREEN_ROWS when escapes are applied; 0 otherwise (no cursor movement is read, rows are returned at once). */
  private readonly screenRows: number;
  private escape: EscapeState = 'text';
  /** Parameter bytes of the CSI sequence being read (`2` of `ESC[2K`). */
  private csiParams = '';
  /** Rows a cursor movement made final (see moveTo), returned with the next text. */
  private finished = '';

  constructor(options: CollapseOptions = {}) {
    this.removeEscapes = options.removeEscapes ?? false;
    this.maxLineChars = options.maxLineChars ?? Number.POSITIVE_INFINITY;
    this.screenRows = this.removeEscapes ? SCREEN_ROWS : 0;
  }

  push(text: string): string {
    if (this.escape === 'text' && !SPECIAL.test(text)) return this.writePlain(text);
    let out = '';
    let plainFrom = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] ?? '';
      if (this.escape !== 'text') {
        // Inside an escape sequence: consumed; a character that cannot belong to it ends it and is text.
        if (this.consumeEscape(ch)) {
          plainFrom = i + 1;
          continue;
        }
      }
      const code = ch.charCodeAt(0);
      const special = ch === '\r' || ch === '\b' || (this.removeEscapes && (code === 0x1b || code === 0x9b || code === 0x9d || code === 0x90 || code === 0x98 || code === 0x9e || code === 0x9f));
      if (!special) continue;
      out += this.takeFinished() + this.writePlain(text.slice(plainFrom, i));
      plainFrom = i + 1;
      if (ch === '\r') this.redraw(0);
      else if (ch === '\b') this.redraw(Math.max(0, this.column - 1));
      else {
        this.escape = code === 0x1b ? 'esc' : code === 0x9b ? 'csi' : 'string';
        this.csiParams = '';
      }
    }
    out += this.takeFinished();
    if (this.escape === 'text') out += this.writePlain(text.slice(plainFrom));
    return out;
  }

  /**
   * The rest: rows still held above the cursor, the cursor's row and the rows below it (no line
   * end after the last). Empty rows at the bottom, below the cursor, are left out: a display that
   * erased its rows when done (rich's `transient`) left nothing there a terminal would show.
   */
  end(): string {
    const below = this.rows.slice(this.at + 1).map((row) => this.rowText(row));
    while (below.at(-1) === '') below.pop();
    const rest = this.takeFinished() + this.takeAbove() + [this.currentLine(), ...below].join('\n');
    this.resetLine();
    this.rows = [''];
    this.top = this.at = this.base = this.blankAbove = 0;
    this.heldChars = 0;
    this.saved = undefined;
    this.escape = 'text';
    return rest;
  }

  /** True when `ch` belongs to the escape sequence being removed (it is then dropped). */
  private consumeEscape(ch: string): boolean {
    const code = ch.charCodeAt(0);
    switch (this.escape) {
      case 'esc':
        if (ch === '[') this.escape = 'csi';
        else if (ch === ']' || ch === 'P' || ch === 'X' || ch === '^' || ch === '_') this.escape = 'string';
        else if (code >= 0x20 && code <= 0x2f) this.escape = 'intermediate';
        else if (code >= 0x30 && code <= 0x7e) {
          this.escape = 'text';
          // Reverse index: up one row (column kept), as a terminal does away from the top.
          if (ch === 'M') this.moveUp(1, false);
          // Save and restore the cursor (DECSC, DECRC).
          else if (ch === '7') this.saveCursor();
          else if (ch === '8') this.restoreCursor();
          // Full reset (RIS): the screen erased, the cursor home, no saved position.
          else if (ch === 'c') {
            this.lineControl('J', '2');
            this.lineControl('H', '');
            this.saved = undefined;
          }
        } else return this.abortEscape();
        return true;
      case 'intermediate':
        if (code >= 0x30 && code <= 0x7e) this.escape = 'text';
        else if (code < 0x20 || code > 0x2f) return this.abortEscape();
        return true;
      case 'csi':
        if (code >= 0x40 && code <= 0x7e) {
          this.escape = 'text';
          this.lineControl(ch, this.csiParams);
        } else if (code < 0x20 || code > 0x3f) return this.abortEscape();
        else if (this.csiParams.length < MAX_CSI_PARAMS) this.csiParams += ch;
        return true;
      case 'string':
        // Ends at BEL or ST; a newline ends an unterminated one too, so it cannot hide the rest of the output.
        if (code === 0x07 || code === 0x9c) this.escape = 'text';
        else if (code === 0x1b) this.escape = 'string-esc';
        else if (ch === '\n') return this.abortEscape();
        return true;
      case 'string-esc':
        if (ch === '\\') {
          this.escape = 'text';
          return true;
        }
        this.escape = 'esc';
        return this.consumeEscape(ch);
      default:
        return false;
    }
  }

  /**
   * The CSI sequences that change what a line ends up showing, as a terminal applies them: erase
   * in line (`ESC[K` / `ESC[0K` to its end, `ESC[1K` up to the cursor, `ESC[2K` all of it; the
   * cursor stays) and cursor to column (`ESC[G`, `ESC[nG`). Progress displays (pip, rich, click)
   * clear their line with these instead of padding with spaces. Rows too: cursor up and down,
   * save and restore, erase below, above and the whole screen (`ESC[J`, `ESC[1J`, `ESC[2J`) and
   * cursor position (`ESC[H`). Others are only removed.
   */
  private lineControl(final: string, params: string): void {
    const n = /^\d*$/.test(params) ? Number(params || '0') : -1;
    // Cursor up (`ESC[nA`; `ESC[nF` to the row's start) and down (`ESC[nB`; `ESC[nE` to the
    // row's start), n ≥ 1, within the rows drawn: a multi-line progress display redraws its rows so.
    if (final === 'A' || final === 'F') {
      if (n >= 0) this.moveUp(Math.max(1, n), final === 'F');
      return;
    }
    // Save and restore the cursor, the SCO forms (`ESC[s`, `ESC[u`).
    if ((final === 's' || final === 'u') && params === '') {
      if (final === 's') this.saveCursor();
      else this.restoreCursor();
      return;
    }
    if (final === 'B' || final === 'E') {
      if (n >= 0) this.moveDown(Math.max(1, n), final === 'E');
      return;
    }
    // Erase below (`ESC[J`, `ESC[0J`): the rest of the row and every row under it. Erase above
    // (`ESC[1J`): every held row over the cursor's, and its row up to the cursor. Erase the screen
    // (`ESC[2J`, as `clear` and animations that redraw a frame send it): every held row (rows
    // that left the screen are final, as a terminal's scrollback keeps them; `ESC[3J`, which
    // erases that scrollback, is only removed). The cursor stays where it is.
    if (final === 'J') {
      if (n !== 0 && n !== 1 && n !== 2) return;
      if (n !== 1) for (const row of this.rows.splice(this.at + 1)) this.heldChars -= rowChars(row);
      if (n !== 0) {
        for (let index = Math.max(this.top, this.blankAbove); index < this.at; index++) {
          const row = this.rows[index] ?? '';
          this.heldChars -= rowChars(row);
          this.rows[index] = { line: '', cells: [], written: [], erases: [], width: typeof row === 'string' ? row.length : row.width };
        }
        this.blankAbove = this.at;
      }
      this.lineControl('K', String(n));
      return;
    }
    // Cursor position (`ESC[row;columnH`, `ESC[…f`; 1-based, `ESC[H` home): within the held rows,
    // whose first is the screen's top, and SCREEN_ROWS below it at most; the column at most the
    // row's width, as `ESC[nG`. Animations home the cursor to draw each frame over the last.
    if (final === 'H' || final === 'f') {
      const at = /^(\d*)(?:;(\d*))?$/.exec(params);
      if (at === null) return;
      const row = Math.min(Math.max(1, Number(at[1] || '1')), this.screenRows + 1) - 1;
      const column = Math.max(1, Number(at[2] || '1')) - 1;
      const index = this.top + row;
      while (this.rows.length <= index) this.rows.push('');
      this.moveTo(index, true);
      this.redraw(Math.min(column, this.width));
      return;
    }
    if (final !== 'K' && final !== 'G') return;
    if (final === 'G') {
      // Never past the line's end: a hostile `ESC[999999999G` must not make a huge sparse line.
      if (n >= 0) this.redraw(Math.min(Math.max(0, n - 1), this.width));
      return;
    }
    this.redraw(this.column);
    // Erased cells show nothing; text written there later replaces them. Each case costs O(1)
    // (amortized): a line of 64 Ki columns erased 16 Ki times per 64 KiB read must not cost 2^30
    // steps (linear time, issue 10 item 4).
    if (n === 0) {
      const cells = this.cells ?? [];
      cells.length = Math.min(cells.length, this.column);
    } else if (n === 1) {
      // Columns past `maxLineChars` keep nothing, so an erase through one of them is an erase of
      // every kept column: one entry for them all. Unclamped, a line of millions of columns erased
      // ever further left (`ESC[nG ESC[1K`, n falling) kept one entry per erase (issue 10: host memory).
      const through = Math.min(this.column, this.maxLineChars);
      while ((this.erases.at(-1)?.through ?? -1) <= through && this.erases.length > 0) this.erases.pop();
      this.erases.push({ at: this.clock, through });
    } else if (n === 2) {
      this.cells = [];
      this.written = [];
      this.erases = [];
    }
  }

  /** The cursor `n` rows up (not past the first row held), at its column (at most the row's width) or 0 (`toStart`). */
  private moveUp(n: number, toStart: boolean): void {
    this.moveTo(this.at - Math.min(n, this.at - this.top), toStart);
  }

  /** The cursor `n` rows down (not past the last row drawn), at its column (at most the row's width) or 0 (`toStart`). */
  private moveDown(n: number, toStart: boolean): void {
    this.moveTo(this.at + Math.min(n, this.rows.length - 1 - this.at), toStart);
  }

  private saveCursor(): void {
    this.saved = { row: this.base + this.at, column: this.column };
  }

  /**
   * Back to the saved position (a row that left the screen: its top; a row an erase below
   * (`ESC[J`) blanked: blank again); nothing without a save.
   */
  private restoreCursor(): void {
    const saved = this.saved;
    if (saved === undefined) return;
    const index = Math.max(saved.row - this.base, this.top);
    while (this.rows.length <= index) this.rows.push('');
    this.moveTo(index, false);
    this.redraw(Math.min(saved.column, this.width));
  }

  /** The cursor to held row `index`; rows it leaves above wait for the next text returned to leave the screen. */
  private moveTo(index: number, toStart: boolean): void {
    if (index === this.at) {
      if (toStart) this.redraw(0);
      return;
    }
    const column = this.column;
    this.storeRow();
    // Rows the cursor left below it are held too, and only a line feed gave rows above back: a
    // cell that wrote a full line on each of 100 rows going down (`ESC[B`) and up again held 100
    // kept lines (116 MiB of host heap for 6 MiB of output at a 64 KiB limit; 100 lines of the
    // limit at any other). Beyond SCREEN_CHARS the whole screen is final, the cursor on a new row below it.
    if (this.heldChars > SCREEN_CHARS) {
      this.finished += this.takeScreen();
      return;
    }
    this.at = index;
    if (index < this.blankAbove) this.blankAbove = index;
    this.enterSlot(toStart ? 0 : column);
  }

  /** The rows `moveTo` made final since the last call, each with its line end (then none). */
  private takeFinished(): string {
    const text = this.finished;
    this.finished = '';
    return text;
  }

  /** Every held row, each with its line end (they become final); the cursor is then on a new row (its column 0). */
  private takeScreen(): string {
    const rows = this.rows.slice(this.top).map((row) => this.rowText(row));
    this.blankAbove = 0;
    this.base += this.rows.length;
    this.rows = [''];
    this.top = this.at = 0;
    this.heldChars = 0;
    this.resetLine();
    return `${rows.join('\n')}\n`;
  }

  /** Puts the cursor's row into its slot (the current line is then empty). */
  private storeRow(): void {
    const row = this.takeRow();
    this.rows[this.at] = row;
    this.heldChars += rowChars(row);
  }

  /** Makes the row in slot `at` the cursor's row, the cursor at `column`. */
  private enterSlot(column: number): void {
    const row = this.rows[this.at] ?? '';
    this.heldChars -= rowChars(row);
    this.rows[this.at] = '';
    this.enterRow(row, column);
  }

  /** Makes `row` the cursor's row, the cursor at `column` (at most its end). */
  private enterRow(row: Row, column: number): void {
    this.resetLine();
    if (typeof row === 'string') {
      this.line = row;
      this.width = row.length;
    } else {
      this.line = row.line;
      this.cells = row.cells;
      this.written = row.written;
      this.erases = row.erases;
      this.width = row.width;
    }
    this.redraw(Math.min(column, this.width));
  }

  /** The cursor's row as the cursor leaves it (its text when it was only appended to); the current line is then empty. */
  private takeRow(): Row {
    const row: Row = this.cells === undefined && this.width === this.line.length ? this.line : { line: this.line, cells: this.cells, written: this.written, erases: this.erases, width: this.width };
    this.resetLine();
    return row;
  }

  /** What `row` shows. */
  private rowText(row: Row): string {
    return typeof row === 'string' ? row : showCells(row.cells ?? Array.from(row.line), row.written, row.erases);
  }

  /** The rows above the cursor no cursor-up may reach any more (beyond the screen's bounds), each with its line end. */
  private overflow(): string {
    let out = '';
    while (this.at - this.top > this.screenRows || (this.heldChars > SCREEN_CHARS && this.at > this.top)) {
      const row = this.rows[this.top] ?? '';
      this.heldChars -= rowChars(row);
      this.rows[this.top] = '';
      this.top++;
      out += `${this.rowText(row)}\n`;
    }
    // Rows that left are dropped now and then, so the array stays the screen's size.
    if (this.top >= 1024) {
      this.blankAbove = 0;
      this.rows = this.rows.slice(this.top);
      this.base += this.top;
      this.at -= this.top;
      this.top = 0;
    }
    return out;
  }

  /** Every row above the cursor, each with its line end (they become final). */
  private takeAbove(): string {
    if (this.at === this.top) return '';
    const above = this.rows.slice(this.top, this.at);
    for (const row of above) this.heldChars -= rowChars(row);
    this.blankAbove = 0;
    this.rows = this.rows.slice(this.at);
    this.base += this.at;
    this.top = this.at = 0;
    return `${above.map((row) => this.rowText(row)).join('\n')}\n`;
  }

  /**
   * Completed rows (`done`: each ends with `\n`) go above the cursor, which is on the last row
   * held: returns those that leave the screen. Only the last `screenRows` of them are split into
   * rows; the rest are returned whole.
   */
  private completeRows(done: string): string {
    if (this.screenRows === 0) return done;
    let cut = done.length;
    for (let rows = 0; rows < this.screenRows && cut > 0; rows++) cut = (cut >= 2 ? done.lastIndexOf('\n', cut - 2) : -1) + 1;
    const out = cut > 0 ? this.takeAbove() + done.slice(0, cut) : '';
    if (done.length > cut)
      for (const row of done.slice(cut, -1).split('\n')) {
        this.rows[this.at++] = row;
        this.rows.push('');
        this.heldChars += row.length;
      }
    return out + this.overflow();
  }

  /** A line feed: the cursor's row is complete; the cursor goes to the start of the row below (a new one at the bottom). */
  private lineFeed(): string {
    if (this.screenRows === 0) {
      const row = this.currentLine();
      this.resetLine();
      return `${row}\n`;
    }
    this.storeRow();
    this.at++;
    if (this.at === this.rows.length) this.rows.push('');
    else this.enterSlot(0);
    return this.overflow();
  }

  private abortEscape(): false {
    this.escape = 'text';
    return false;
  }

  /** Moves the cursor to `column` of the current line (switching to per-column cells). */
  private redraw(column: number): void {
    if (this.cells === undefined) this.cells = Array.from(this.line);
    this.column = column;
  }

  /** Writes text that holds no `\r`, backspace or escape; returns the lines it completes. */
  private writePlain(text: string): string {
    if (text.length === 0) return '';
    const last = text.lastIndexOf('\n');
    if (this.cells === undefined && this.at === this.rows.length - 1 && this.line.length + text.length <= this.maxLineChars) {
      // Only appended to, and no line can outgrow the bound: whole lines in one slice.
      if (last < 0) this.line += text;
      else {
        const done = `${this.line}${text.slice(0, last + 1)}`;
        this.line = text.slice(last + 1);
        this.column = this.width = this.line.length;
        return this.completeRows(done);
      }
      this.column = this.width = this.line.length;
      return '';
    }
    let out = '';
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      this.writeInLine(text.slice(from, nl));
      out += this.lineFeed();
      from = nl + 1;
    }
    this.writeInLine(from === 0 ? text : text.slice(from));
    return out;
  }

  /** Writes text without any line end at the cursor. */
  private writeInLine(text: string): void {
    if (text.length === 0) return;
    const cells = this.cells;
    if (cells === undefined) {
      // Appending: plain slices, the fast path.
      const room = this.maxLineChars - this.line.length;
      if (text.length <= room) this.line += text;
      else {
        this.line += text.slice(0, Math.max(0, room));
        this.droppedBytes += utf8Length(text.slice(Math.max(0, room)));
      }
      this.width += text.length;
      this.column = this.width;
      return;
    }
    for (const ch of text) {
      if (this.column < this.maxLineChars) {
        cells[this.column] = ch;
        this.written[this.column] = ++this.clock;
      } else if (this.column >= this.width) this.droppedBytes += utf8Length(ch);
      this.column++;
      if (this.column > this.width) this.width = this.column;
    }
  }

  private currentLine(): string {
    return this.cells === undefined ? this.line : showCells(this.cells, this.written, this.erases);
  }

  private resetLine(): void {
    this.line = '';
    this.cells = undefined;
    this.written = [];
    this.erases = [];
    this.column = 0;
    this.width = 0;
  }
}

/** Characters a held row counts for (SCREEN_CHARS). */
function rowChars(row: Row): number {
  return typeof row === 'string' ? row.length : Math.max(row.line.length, row.cells?.length ?? 0);
}

/**
 * What a redrawn line shows: its cells (one code point per column; a hole is an erased column)
 * less those an erase up to the cursor blanked after their last write (`written`, `erases`: see
 * RedrawCollapser).
 */
function showCells(cells: readonly (string | undefined)[], written: readonly number[], erases: readonly { at: number; through: number }[]): string {
  if (erases.length === 0) return cells.join('');
  let out = '';
  for (let column = 0; column < cells.length; column++) {
    const ch = cells[column];
    if (ch === undefined) continue;
    // The first erase at or after this column's last write (binary search: `at` increases).
    const when = written[column] ?? 0;
    let lo = 0;
    let hi = erases.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((erases[mid]?.at ?? 0) >= when) hi = mid;
      else lo = mid + 1;
    }
    if ((erases[lo]?.through ?? -1) < column) out += ch;
  }
  return out;
}

/** `text` with every line in its final state (RedrawCollapser over the whole text). */
export function collapseRedraws(text: string, options: CollapseOptions = {}): string {
  const collapser = new RedrawCollapser(options);
  return collapser.push(text) + collapser.end();
}

/**
 * Program output as the model should read it: plain text, final line states, no escape sequences,
 * other controls escaped. The sandbox already hands over output in this form (StreamCapture);
 * applying it again changes nothing.
 */
export function forModel(text: string): string {
  return escapeControls(collapseRedraws(text, { removeEscapes: true }));
}

/** Text for a terminal or a view: redraws collapsed, every remaining control shown escaped. */
export function forDisplay(text: string): string {
  return escapeControls(collapseRedraws(text));
}

/**
 * UTF-8 length of `text` in bytes, without Node's Buffer: this module also runs in the webview.
 * Lone surrogates count 3 bytes, as the encoder replaces them with U+FFFD.
 */
function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
