// Reasoning written inline in the content, as `<think>…</think>` (deepseek-r1 and qwen3 on servers
// without a reasoning parser, Ollama when the request leaves `think` out). Splits a streamed
// content channel into reasoning and text, chunk by chunk, holding back only what could still be
// the start of a tag. A `<think>` counts only when nothing but whitespace precedes it in the
// turn: later in a reply it is the model talking about the tag, not using it.

export interface SplitPiece {
  readonly kind: 'reasoning' | 'text';
  readonly text: string;
}

const OPEN = '<think>';
const CLOSE = '</think>';

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialTagAtEnd(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) if (text.endsWith(tag.slice(0, n))) return n;
  return 0;
}

export class InlineThinkSplitter {
  private state: 'start' | 'thinking' | 'text' = 'start';
  private pending = '';
  /** Just after </think>: the blank lines that separate reasoning from the reply are dropped. */
  private trimLead = false;

  /**
   * `opened`: the chat template writes `<think>` itself at the end of the prompt (deepseek-r1
   * distills, QwQ, served without a reasoning parser; known once a reply ended its reasoning with
   * a lone `</think>`), so the reply starts in the reasoning, with or without its own `<think>`.
   */
  constructor(private readonly opened = false) {}

  /** Adds streamed content; returns the pieces that are certain now. */
  push(chunk: string): SplitPiece[] {
    if (this.state === 'text') return this.text(chunk);
    this.pending += chunk;
    const out: SplitPiece[] = [];
    if (this.state === 'start') {
      const lead = this.pending.trimStart();
      if (lead.startsWith(OPEN)) {
        this.state = 'thinking';
        this.pending = lead.slice(OPEN.length);
      } else if (OPEN.startsWith(lead)) {
        return out; // still could become "<think>"
      } else if (this.opened) {
        this.state = 'thinking';
      } else {
        this.state = 'text';
        const text = this.pending;
        this.pending = '';
        return [{ kind: 'text', text }];
      }
    }
    const close = this.pending.indexOf(CLOSE);
    if (close >= 0) {
      if (close > 0) out.push({ kind: 'reasoning', text: this.pending.slice(0, close) });
      const rest = this.pending.slice(close + CLOSE.length);
      this.pending = '';
      this.state = 'text';
      this.trimLead = true;
      return [...out, ...this.text(rest)];
    }
    const keep = partialTagAtEnd(this.pending, CLOSE);
    const sure = this.pending.slice(0, this.pending.length - keep);
    this.pending = this.pending.slice(sure.length);
    if (sure.length > 0) out.push({ kind: 'reasoning', text: sure });
    return out;
  }

  private text(chunk: string): SplitPiece[] {
    let text = chunk;
    if (this.trimLead) {
      text = text.replace(/^\s+/, '');
      if (text.length > 0) this.trimLead = false;
    }
    return text.length > 0 ? [{ kind: 'text', text }] : [];
  }

  /** The stream ended: what was held back. A `<think>` never closed leaves everything reasoning. */
  end(): SplitPiece[] {
    const text = this.pending;
    this.pending = '';
    if (text.length === 0) return [];
    return [{ kind: this.state === 'thinking' ? 'reasoning' : 'text', text }];
  }
}
