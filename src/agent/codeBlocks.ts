// Finds the first executable code block in a model's streamed text, the moment its fence closes.
//
// The model writes Markdown; a block opens with ```python (or ```py, ```python3) and closes with
// a line holding only the fence. We scan line by line and remember where we stopped, so a long
// reply is scanned once, not once per token.
//
// Rules (CommonMark, and the R1-CI authors' harness for what runs):
//  - only python-labelled fences run; a fence with no language or another one is data (a board,
//    a table, expected output) and is only displayed;
//  - a fence may be indented (inside a list item, at any depth): up to the opening fence's
//    indentation is removed from every code line, as CommonMark does;
//  - a block the stream left open (the server's stop string ate the closing fence) still runs,
//    unless the server cut the reply at its token limit (the caller decides, see `unclosed`).

import { isAnswerOnly } from './finalAnswer';

/** Fence labels we execute. */
const EXECUTABLE_LANGUAGES = new Set(['python', 'py', 'python3']);

/** An opening fence: indentation (list items nest it arbitrarily deep), ``` or ~~~, then the info string's first word. */
const OPEN_FENCE = /^( *)(`{3,}|~{3,})[ \t]*([A-Za-z0-9_+.-]*)[^`]*$/;

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
}

interface OpenBlock {
  readonly fence: string;
  /** Spaces before the opening fence: removed (up to this many) from every code line. */
  readonly indent: number;
  readonly fenceStart: number;
  readonly language: string;
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
    const last = this.text.slice(this.lineStart).replace(/\r$/, '');
    if (last.length > 0) {
      const block = this.classify(last, this.text.length);
      this.lineStart = this.text.length;
      if (block) return (this.found = block);
    }
    if (this.open && EXECUTABLE_LANGUAGES.has(this.open.language)) {
      const code = dedent(this.text.slice(this.open.codeStart), this.open.indent);
      if (code.trim().length > 0 && !isAnswerOnly(code)) {
        return (this.found = { language: this.open.language, code: trimFinalNewline(code), start: this.open.fenceStart, end: this.text.length, unclosed: true });
      }
    }
    return undefined;
  }

  private classify(line: string, nextLineStart: number): CodeBlock | undefined {
    if (this.open) {
      const trimmed = line.trim();
      const fence = this.open.fence;
      const closes = trimmed.length >= fence.length && trimmed[0] === fence[0] && /^(`+|~+)$/.test(trimmed) && line.search(/\S/) <= this.open.indent + 3;
      if (!closes) return undefined;
      const { language, codeStart, fenceStart, indent } = this.open;
      this.open = undefined;
      if (!EXECUTABLE_LANGUAGES.has(language)) return undefined;
      const code = dedent(this.text.slice(codeStart, this.lineStart), indent);
      if (code.trim().length === 0 || isAnswerOnly(code)) return undefined;
      return { language, code: trimFinalNewline(code), start: fenceStart, end: nextLineStart, unclosed: false };
    }
    const m = OPEN_FENCE.exec(line);
    if (m && m[2] !== undefined) {
      this.open = { fence: m[2], indent: (m[1] ?? '').length, fenceStart: this.lineStart, language: (m[3] ?? '').toLowerCase(), codeStart: nextLineStart };
    }
    return undefined;
  }
}

/** Removes up to `indent` leading spaces from each line (CommonMark's rule for indented fences). */
function dedent(code: string, indent: number): string {
  if (indent === 0) return code;
  const strip = new RegExp(`^ {0,${indent}}`, 'gm');
  return code.replace(strip, '');
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
