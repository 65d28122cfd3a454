// Finds the first executable code block in a model's streamed text, the moment its fence closes.
//
// The model writes Markdown; a block opens with ```python (or ```py, ```python3) and closes with
// a line holding only the fence. We scan line by line and remember where we stopped, so a long
// reply is scanned once, not once per token.
//
// Rules (CommonMark, and the R1-CI authors' harness for what runs):
//  - only python-labelled fences run (python, py, python3, py3, python3.x, ipython, any case, also
//    as pandoc/Quarto write them: ```{python}); a fence with no language or another one is data
//    (a board, a table, expected output) and is only displayed;
//  - a fence may sit in a container: indented under a list item at any depth (tabs count to the
//    next multiple of 4 columns, as in CommonMark), opened on the list item's own line
//    (`1. ```python`), or inside a blockquote (`> ```python`). The container's markers and up to
//    the opening fence's indentation are removed from every code line, as CommonMark does;
//  - a python block closes at a line that starts with its fence (as long or longer) even when
//    text follows on that line (a python line never starts with ``` or ~~~, so the model meant
//    the block to end there; CommonMark would leave it open and run the prose as code);
//  - a block the stream left open (the server's stop string ate the closing fence) still runs,
//    unless the server cut the reply at its token limit (the caller decides, see `unclosed`); a
//    reply that ended inside the closing fence line (`` `` ``) has complete code (`fenceCut`).

import { isAnswerOnly } from './finalAnswer';
import { closesFence, closingFenceLine, codeOf, isExecutableLabel, openingFence, startsClosingFence, type OpeningFence } from './fenceLines';

export interface CodeBlock {
  /** The label as written ("python", "py", "" for a bare fence). */
  readonly language: string;
  readonly code: string;
  /** Offset in the turn's text where the opening fence line starts. */
  readonly start: number;
  /** Offset in the turn's text just past the closing fence line (the text to keep). */
  readonly end: number;
  /** True when the stream ended before the closing fence. */
  readonly unclosed: boolean;
  /**
   * The stream ended inside the closing fence line (`` `` ``): the block is unclosed, but its code
   * is complete (`end` is where that partial fence line starts, so the kept text leaves it out).
   */
  readonly fenceCut?: boolean;
  /** The line that closes this block in its container (`~~~`, `    ```` `, `> ```): sent back after an unclosed one. */
  readonly closingFence: string;
}

interface OpenBlock extends OpeningFence {
  readonly fenceStart: number;
  readonly codeStart: number;
}

export class CodeBlockDetector {
  private text = '';
  /** Start of the first line not yet classified. */
  private lineStart = 0;
  /** Where to look for the next newline: text before it has none past lineStart (a long line is scanned once). */
  private scanFrom = 0;
  private open: OpenBlock | undefined;
  private found: CodeBlock | undefined;

  /** The turn's text so far. */
  get accumulated(): string {
    return this.text;
  }

  /**
   * Adds streamed text. Returns the block when this text closed one; the caller keeps only
   * `accumulated.slice(0, block.end)` and stops generation there.
   */
  push(chunk: string): CodeBlock | undefined {
    this.text += chunk;
    if (this.found) return undefined;
    for (;;) {
      const newline = this.text.indexOf('\n', Math.max(this.lineStart, this.scanFrom));
      if (newline < 0) {
        this.scanFrom = this.text.length;
        return undefined;
      }
      const line = this.text.slice(this.lineStart, newline).replace(/\r$/, '');
      const next = newline + 1;
      const block = this.classify(line, next);
      this.lineStart = next;
      if (block) {
        this.found = block;
        return block;
      }
    }
  }

  /** The stream ended: a closing fence on the last line, or a block left open, still counts. */
  end(): CodeBlock | undefined {
    if (this.found) return undefined;
    const lastStart = this.lineStart;
    const last = this.text.slice(lastStart).replace(/\r$/, '');
    if (last.length > 0) {
      const block = this.classify(last, this.text.length);
      this.lineStart = this.text.length;
      if (block) return (this.found = block);
    }
    if (this.open && isExecutableLabel(this.open.language)) {
      // The reply ended inside the closing fence: the code is what came before that line.
      const fenceCut = last.length > 0 && startsClosingFence(last, this.open);
      const end = fenceCut ? lastStart : this.text.length;
      const code = codeOf(this.text.slice(this.open.codeStart, end), this.open);
      if (code.trim().length > 0 && !isAnswerOnly(code)) {
        return (this.found = {
          language: this.open.language,
          code: trimFinalNewline(code),
          start: this.open.fenceStart,
          end,
          unclosed: true,
          ...(fenceCut ? { fenceCut } : {}),
          closingFence: closingFenceLine(this.open),
        });
      }
    }
    return undefined;
  }

  private classify(line: string, nextLineStart: number): CodeBlock | undefined {
    if (this.open) {
      const open = this.open;
      const executable = isExecutableLabel(open.language);
      const closes = closesFence(line, open, executable);
      if (!closes) return undefined;
      this.open = undefined;
      if (!executable) return undefined;
      const code = codeOf(this.text.slice(open.codeStart, this.lineStart), open);
      if (code.trim().length === 0 || isAnswerOnly(code)) return undefined;
      return { language: open.language, code: trimFinalNewline(code), start: open.fenceStart, end: nextLineStart, unclosed: false, closingFence: closingFenceLine(open) };
    }
    const opening = openingFence(line);
    if (opening) this.open = { ...opening, fenceStart: this.lineStart, codeStart: nextLineStart };
    return undefined;
  }
}

/** Every python block in a finished text (closed ones, and one left open at the end), in order. */
export function findCodeBlocks(text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let offset = 0;
  while (offset < text.length) {
    const detector = new CodeBlockDetector();
    const block = detector.push(text.slice(offset)) ?? detector.end();
    if (!block) break;
    blocks.push({ ...block, start: block.start + offset, end: block.end + offset });
    offset += block.end;
  }
  return blocks;
}

function trimFinalNewline(code: string): string {
  return code.replace(/\r?\n$/, '');
}

/** Labels a fence line cut mid-word may still have been going to be (`` ```pyth ``). */
const EXECUTABLE_LABEL_SPELLINGS = ['python3', 'ipython3', 'py3'];

/**
 * When `text` ends inside a code block that runs or may have, the line that would close it; else
 * undefined. Inside code: an open python fence (even with no code yet), or an opening fence line
 * that is the text's last line and whose label could still become a python one (`` ``` ``,
 * `` ```pyt ``). For a reply the server cut at its token limit: the cut fell inside code.
 */
export function codeOpenAtEnd(text: string): string | undefined {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  let open: OpeningFence | undefined;
  let openedOnLastLine = false;
  for (const [i, line] of lines.entries()) {
    if (open === undefined) {
      open = openingFence(line);
      openedOnLastLine = i === lines.length - 1;
    } else if (closesFence(line, open, isExecutableLabel(open.language))) {
      open = undefined;
    }
  }
  if (open === undefined) return undefined;
  const label = open.language;
  const inCode = isExecutableLabel(label) || (openedOnLastLine && EXECUTABLE_LABEL_SPELLINGS.some((spelling) => spelling.startsWith(label)));
  return inCode ? closingFenceLine(open) : undefined;
}
