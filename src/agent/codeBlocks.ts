// Finds the first executable code block in a model's streamed text, the moment its fence closes.
//
// The model writes Markdown; a block opens with ```python (or ```py, ```python3, or a bare ```)
// and closes with a line holding only the fence. We scan line by line and remember where we
// stopped, so a long reply is scanned once, not once per token.

import { isAnswerOnly } from './finalAnswer';

/** Fence labels we execute. A bare fence counts too: small models often omit the label. */
const EXECUTABLE_LANGUAGES = new Set(['python', 'py', 'python3', '']);

const OPEN_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([A-Za-z0-9_+.-]*)[^`]*$/;

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
      const code = this.text.slice(this.open.codeStart);
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
      const closes = trimmed.length >= fence.length && trimmed[0] === fence[0] && /^(`+|~+)$/.test(trimmed) && line.search(/\S/) <= 3;
      if (!closes) return undefined;
      const { language, codeStart, fenceStart } = this.open;
      this.open = undefined;
      if (!EXECUTABLE_LANGUAGES.has(language)) return undefined;
      const code = this.text.slice(codeStart, this.lineStart);
      if (code.trim().length === 0 || isAnswerOnly(code)) return undefined;
      return { language, code: trimFinalNewline(code), start: fenceStart, end: nextLineStart, unclosed: false };
    }
    const m = OPEN_FENCE.exec(line);
    if (m && m[1] !== undefined) {
      this.open = { fence: m[1], fenceStart: this.lineStart, language: (m[2] ?? '').toLowerCase(), codeStart: nextLineStart };
    }
    return undefined;
  }
}

function trimFinalNewline(code: string): string {
  return code.replace(/\r?\n$/, '');
}
