// Program output and model text the way a terminal would show them, without ever handing a
// terminal (or a view) raw control sequences. One module for every consumer (issue 11 item 6,
// issue 10 item 8):
// - the model gets `forModel`: escape sequences removed, `\r` redraws collapsed to each line's
//   final state (a progress bar redrawn 3,000 times is one line), stray controls escaped;
// - terminals and views get `forDisplay`: redraws collapsed, every control character, escape
//   sequence and bidi override shown escaped (`\x1b[2J`, `\u202e`), so output can neither clear
//   the screen, set the window title, nor reorder what the user reads.
// `--json` and the results files keep the raw text: JSON is data, its encoder escapes controls.
import stripAnsi from 'strip-ansi';

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

/** Every control character (see CONTROL) shown escaped; tab and newline kept. Linear time. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/**
 * Each line's final state after carriage-return redraws, as a terminal leaves it: later text
 * overwrites earlier text column by column (`"abc\rxy"` → `"xyc"`); `\r\n` is a line end.
 * Streaming, so a capture can collapse output before it is cut to a size limit: `push` returns
 * the lines completed so far (each ending in `\n`), `end` the unfinished last line. Linear time;
 * memory is one line.
 */
export class RedrawCollapser {
  private cells: string[] = [];
  private column = 0;

  push(text: string): string {
    let out = '';
    for (const ch of text) {
      if (ch === '\n') {
        out += `${this.cells.join('')}\n`;
        this.cells = [];
        this.column = 0;
      } else if (ch === '\r') this.column = 0;
      else this.cells[this.column++] = ch;
    }
    return out;
  }

  end(): string {
    const rest = this.cells.join('');
    this.cells = [];
    this.column = 0;
    return rest;
  }
}

/** `text` with every line in its final state (RedrawCollapser over the whole text). */
export function collapseRedraws(text: string): string {
  if (!text.includes('\r')) return text;
  const collapser = new RedrawCollapser();
  return collapser.push(text) + collapser.end();
}

/** Program output as the model should read it: plain text, final line states, no escape sequences. */
export function forModel(text: string): string {
  return escapeControls(collapseRedraws(stripAnsi(text)));
}

/** Text for a terminal or a view: redraws collapsed, every remaining control shown escaped. */
export function forDisplay(text: string): string {
  return escapeControls(collapseRedraws(text));
}
