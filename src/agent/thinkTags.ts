// Reasoning written inline in the content, as `<think>…</think>` (deepseek-r1 and qwen3 on servers
// without a reasoning parser, Ollama when the request leaves `think` out), or in gpt-oss's harmony
// channels, `<|channel|>analysis<|message|>…<|end|>`, then the reply, with or without the final
// channel's header `<|start|>assistant<|channel|>final<|message|>` (llama.cpp with
// `--reasoning-format none` sends them without it; mlx_lm.server with it), in MiniMax-M3's
// `<mm:think>…</mm:think>`, Mistral's `[THINK]…[/THINK]` or Seed-OSS's `<seed:think>…</seed:think>`. Splits a streamed content
// channel into reasoning and text, chunk by chunk, holding back only what could still be the start
// of a tag. An opening tag counts only when nothing but whitespace precedes it in the turn: later
// in a reply it is the model talking about the tag, not using it.

export interface SplitPiece {
  readonly kind: 'reasoning' | 'text';
  readonly text: string;
}

/**
 * A way of marking reasoning inline: its opening and closing tags, and the header that may follow
 * the closing tag before the reply's text (dropped with it).
 */
interface ReasoningTags {
  readonly open: string;
  readonly close: string;
  readonly header?: string;
}

const THINK: ReasoningTags = { open: '<think>', close: '</think>' };
/** gpt-oss (the harmony format): the analysis channel, then the final channel's header. */
const HARMONY: ReasoningTags = { open: '<|channel|>analysis<|message|>', close: '<|end|>', header: '<|start|>assistant<|channel|>final<|message|>' };
/** MiniMax-M3's tags (vLLM passed them on in the content while its parser failed to stream, vllm-project/vllm#45687). */
const MINIMAX: ReasoningTags = { open: '<mm:think>', close: '</mm:think>' };
/**
 * Mistral's reasoning models (Magistral Small/Medium 2509, Ministral 3 Reasoning): the `[THINK]`
 * control tokens, left in the content by a server without Mistral's reasoning parser
 * (waybarrios/vllm-mlx#599; llama.cpp before its Magistral format, ggml-org/llama.cpp#16158).
 */
const MISTRAL: ReasoningTags = { open: '[THINK]', close: '[/THINK]' };
/** ByteDance Seed-OSS's tags, left in the content by vLLM without `--reasoning-parser seed_oss` (murtaza-nasir/maestro#59). */
const SEED: ReasoningTags = { open: '<seed:think>', close: '</seed:think>' };
const ALL_TAGS: readonly ReasoningTags[] = [THINK, HARMONY, MINIMAX, MISTRAL, SEED];

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialTagAtEnd(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) if (text.endsWith(tag.slice(0, n))) return n;
  return 0;
}

export class InlineThinkSplitter {
  private state: 'start' | 'thinking' | 'text' = 'start';
  private pending = '';
  /** The tags the reply's reasoning opened with. */
  private tags: ReasoningTags = THINK;
  /** Just after the closing tag: the blank lines that separate reasoning from the reply are dropped. */
  private trimLead = false;
  /** Just after the closing tag: text held while it may still be the tags' header (harmony's final channel). */
  private header: string | undefined;
  /** Reasoning (more than blanks) came out of the content. */
  private reasoned = false;

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
      const opening = ALL_TAGS.find((t) => lead.startsWith(t.open));
      if (opening) {
        this.state = 'thinking';
        this.tags = opening;
        this.pending = lead.slice(opening.open.length);
      } else if (ALL_TAGS.some((t) => t.open.startsWith(lead))) {
        return out; // still could become an opening tag
      } else if (this.opened) {
        this.state = 'thinking';
      } else {
        this.state = 'text';
        const text = this.pending;
        this.pending = '';
        return [{ kind: 'text', text }];
      }
    }
    const closeTag = this.tags.close;
    const close = this.pending.indexOf(closeTag);
    if (close >= 0) {
      if (close > 0) {
        out.push({ kind: 'reasoning', text: this.pending.slice(0, close) });
        this.reasoned ||= this.pending.slice(0, close).trim() !== '';
      }
      const rest = this.pending.slice(close + closeTag.length);
      this.pending = '';
      this.state = 'text';
      this.trimLead = true;
      if (this.tags.header !== undefined) this.header = '';
      return [...out, ...this.text(rest)];
    }
    const keep = partialTagAtEnd(this.pending, closeTag);
    const sure = this.pending.slice(0, this.pending.length - keep);
    this.pending = this.pending.slice(sure.length);
    if (sure.length > 0) {
      out.push({ kind: 'reasoning', text: sure });
      this.reasoned ||= sure.trim() !== '';
    }
    return out;
  }

  /**
   * Reasoning arrived in the server's own channel. An opening tag with nothing after it yet was
   * the server's stray: its reasoning parser sent the tag as content and the reasoning in its
   * field (lmdeploy's deepseek-r1 parser, InternLM/lmdeploy#3664), so the content after it is the reply.
   */
  channelReasoning(): void {
    if (this.state === 'thinking' && !this.reasoned && this.pending.trim() === '') {
      this.state = 'text';
      this.pending = '';
      this.trimLead = true;
    }
  }

  private text(chunk: string): SplitPiece[] {
    let text = chunk;
    const header = this.tags.header;
    if (this.header !== undefined && header !== undefined) {
      const held = this.header + text;
      if (held.length < header.length && header.startsWith(held)) {
        this.header = held;
        return [];
      }
      this.header = undefined;
      text = held.startsWith(header) ? held.slice(header.length) : held;
    }
    if (this.trimLead) {
      text = text.replace(/^\s+/, '');
      if (text.length > 0) this.trimLead = false;
    }
    return text.length > 0 ? [{ kind: 'text', text }] : [];
  }

  /** The stream ended: what was held back. A `<think>` never closed leaves everything reasoning. */
  end(): SplitPiece[] {
    const text = this.pending + (this.header ?? '');
    this.pending = '';
    this.header = undefined;
    if (text.length === 0) return [];
    return [{ kind: this.state === 'thinking' ? 'reasoning' : 'text', text }];
  }
}
