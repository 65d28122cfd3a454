// Program output and model text the way a terminal would show them, without ever handing a
// terminal (or a view) raw control sequences. One module for every consumer (issue 11 item 6,
// issue 10 item 8):
// - the model gets `forModel`: escape sequences removed, `\r` redraws collapsed to each line's
//   final state (a progress bar redrawn 3,000 times is one line), stray controls escaped;
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
 * Characters a name shows as nothing: Unicode's format characters (zero-width space and joiners,
 * word joiner, soft hyphen, byte-order mark, invisible operators, tag characters; bidi controls
 * are among them but `escapeControls` already wrote those) and the line and paragraph separators.
 */
const INVISIBLE_IN_NAME = /[\p{Cf}\u2028\u2029]/gu;

/**
 * A name the sandboxed code chose (an artifact's path relative to scratch) as one line of text: every
 * control character escaped as `escapeControls` does, newline and tab too. A file name may hold
 * line ends, so a name in a report made up of lines (the tool report agents read, the terminal,
 * the notebook's file list) could otherwise add lines of its own: a forged "status:" or "stdout:"
 * section. Invisible characters are shown escaped as well (`\u200b`, `\u{e0041}`): "plot\u200b.png"
 * must not read as "plot.png", the name of another file.
 */
export function escapeName(name: string): string {
  return escapeControls(name)
    .replace(/[\n\t]/g, (ch) => (ch === '\n' ? '\\n' : '\\t'))
    .replace(INVISIBLE_IN_NAME, (ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
    });
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
  private escape: EscapeState = 'text';
  /** Parameter bytes of the CSI sequence being read (`2` of `ESC[2K`). */
  private csiParams = '';

  constructor(options: CollapseOptions = {}) {
    this.removeEscapes = options.removeEscapes ?? false;
    this.maxLineChars = options.maxLineChars ?? Number.POSITIVE_INFINITY;
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
      out += this.writePlain(text.slice(plainFrom, i));
      plainFrom = i + 1;
      if (ch === '\r') this.redraw(0);
      else if (ch === '\b') this.redraw(Math.max(0, this.column - 1));
      else {
        this.escape = code === 0x1b ? 'esc' : code === 0x9b ? 'csi' : 'string';
        this.csiParams = '';
      }
    }
    if (this.escape === 'text') out += this.writePlain(text.slice(plainFrom));
    return out;
  }

  end(): string {
    const rest = this.currentLine();
    this.resetLine();
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
        else if (code >= 0x30 && code <= 0x7e) this.escape = 'text';
        else return this.abortEscape();
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
   * clear their line with these instead of padding with spaces. Others are only removed.
   */
  private lineControl(final: string, params: string): void {
    if (final !== 'K' && final !== 'G') return;
    const n = /^\d*$/.test(params) ? Number(params || '0') : -1;
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
    if (this.cells === undefined && this.line.length + text.length <= this.maxLineChars) {
      // Only appended to, and no line can outgrow the bound: whole lines in one slice.
      if (last < 0) this.line += text;
      else {
        const done = `${this.line}${text.slice(0, last + 1)}`;
        this.line = text.slice(last + 1);
        this.column = this.width = this.line.length;
        return done;
      }
      this.column = this.width = this.line.length;
      return '';
    }
    let out = '';
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      this.writeInLine(text.slice(from, nl));
      out += `${this.currentLine()}\n`;
      this.resetLine();
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
    const cells = this.cells;
    if (cells === undefined) return this.line;
    if (this.erases.length === 0) return cells.join('');
    const erases = this.erases;
    let out = '';
    for (let column = 0; column < cells.length; column++) {
      const ch = cells[column];
      if (ch === undefined) continue;
      // The first erase at or after this column's last write (binary search: `at` increases).
      const when = this.written[column] ?? 0;
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

  private resetLine(): void {
    this.line = '';
    this.cells = undefined;
    this.written = [];
    this.erases = [];
    this.column = 0;
    this.width = 0;
  }
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
