// Reasoning written inline in the content, as `<think>…</think>` (deepseek-r1 and qwen3 on servers
// without a reasoning parser, Ollama when the request leaves `think` out), or in gpt-oss's harmony
// channels, `<|channel|>analysis<|message|>…<|end|>`, then the reply, with or without the final
// channel's header `<|start|>assistant<|channel|>final<|message|>` (llama.cpp with
// `--reasoning-format none` sends them without it; mlx_lm.server with it) or with their special
// tokens dropped (`analysis…assistantfinal…`), in MiniMax-M3's
// `<mm:think>…</mm:think>`, Mistral's `[THINK]…[/THINK]`, Seed-OSS's `<seed:think>…</seed:think>`,
// Kimi's `◁think▷…◁/think▷`, Gemma 4's `<|channel>thought…<channel|>`, Gemini's `<thought>…</thought>`
// or the Claude-style `<thinking>…</thinking>` of proxies. Splits a streamed content
// channel into reasoning and text, chunk by chunk, holding back only what could still be the start
// of a tag. An opening tag counts only when nothing but whitespace precedes it in the turn: later
// in a reply it is the model talking about the tag, not using it. A closing tag Markdown quotes (in
// an inline code span or a fenced block that closes: `quotedPositions` in fenceLines.ts, the rule
// the final answer and later turns read the reply by) is reasoning text, not the tag; one that may
// still turn out quoted is held until the line or the fence shows it.

import { closesFence, openingFence, type OpeningFence } from './fenceLines';

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
  /** The opening tag counts only when the reply's next character matches (a tag that is also a word). */
  readonly openFollowedBy?: RegExp;
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
/** Kimi's thinking models (Kimi-VL-A3B-Thinking): `◁think▷…◁/think▷`, which SGLang's kimi reasoning parser separates; left in the content without it. */
const KIMI: ReasoningTags = { open: '◁think▷', close: '◁/think▷' };
/**
 * gpt-oss's harmony channels with their special tokens dropped, as a server that detokenizes
 * without them sends them (`analysisUser says … Should respond politely.assistantfinalHello!`:
 * llama.cpp's tokens read as text, oobabooga/textgen#7374; an MLX provider, Augustas11/macprovider#743):
 * the channel name runs into the analysis, which begins with a capital (or a letter outside ASCII);
 * a reply that begins with the word "analysis" followed by a space, punctuation (ASCII or not:
 * `analysis—`, `analysis：`) or a lower-case ASCII letter is prose.
 */
const HARMONY_STRIPPED: ReasoningTags = { open: 'analysis', close: 'assistantfinal', openFollowedBy: /^(?:\p{Lu}|(?![\p{ASCII}])\p{L})/u };
/**
 * Gemma 4's thinking channel, `<|channel>thought…<channel|>` (its model card, "Thinking Mode
 * Configuration"), left in the content by a server that does not know it (LM Studio,
 * lmstudio-ai/lmstudio-bug-tracker#2013), or without the channel's name (mlx-vlm's server,
 * Blaizzy/mlx-vlm#899): the longer opening tag is taken when both match.
 */
const GEMMA: ReasoningTags = { open: '<|channel>thought', close: '<channel|>' };
const GEMMA_UNNAMED: ReasoningTags = { open: '<|channel>', close: '<channel|>' };
/**
 * Gemini's thought summaries through its OpenAI-compatible endpoint: with thoughts asked for
 * (`extra_body.google.thinking_config.include_thoughts`, ai.google.dev/gemini-api/docs/openai,
 * "Thinking"), the summary streams in `content` wrapped in `<thought>…</thought>` ahead of the answer.
 */
const GEMINI_THOUGHT: ReasoningTags = { open: '<thought>', close: '</thought>' };
/**
 * Claude-style `<thinking>…</thinking>`: proxies that turn a model's reasoning channel into
 * content for clients that read only `content` wrap it so (gemini-cli-openai's
 * STREAM_THINKING_AS_CONTENT, GewoonJaap/gemini-cli-openai#8; ccproxy-api for Claude's thinking
 * blocks, CaddyGlow/ccproxy-api#37).
 */
const THINKING: ReasoningTags = { open: '<thinking>', close: '</thinking>' };
const ALL_TAGS: readonly ReasoningTags[] = [THINK, HARMONY, MINIMAX, MISTRAL, SEED, KIMI, HARMONY_STRIPPED, GEMMA, GEMMA_UNNAMED, GEMINI_THOUGHT, THINKING];

/**
 * Special tokens that end a reply and are no text of it, dropped where they end the reply's text
 * (with the blanks after them) when a server left them in the content: gpt-oss's `<|return|>`,
 * which ends its final message at the end of a generation (cookbook.openai.com/articles/openai-harmony,
 * "Special tokens"; a server that does not stop on it passes it on as text, lmstudio-ai/mlx-engine#204),
 * and the end-of-turn and end-of-sequence tokens of the common chat formats, which a server whose
 * chat template or stop list does not name them passes on alike (a GGUF on llama.cpp or LM
 * Studio, an Ollama Modelfile without its `stop`): ChatML's `<|im_end|>` and `<|endoftext|>`
 * (Qwen, Yi, InternLM, Phi), Llama 3's `<|eot_id|>` and `<|end_of_text|>`, Llama 2's and
 * Mistral's `</s>`, DeepSeek's `<｜end▁of▁sentence｜>`, Gemma's `<end_of_turn>` and `<eos>` (each
 * model's tokenizer_config.json), always; gpt-oss's `<|end|>`, which ends a message, only in a
 * reply that spoke harmony (its channels or final header). A token followed by more text is left
 * as it is: after code whose closing fence a stop string ate, the token would be the code's last line.
 */
const REPLY_END_TOKENS: readonly string[] = ['<|return|>', '<|im_end|>', '<|endoftext|>', '<|eot_id|>', '<|end_of_text|>', '</s>', '<｜end▁of▁sentence｜>', '<end_of_turn>', '<eos>'];
const HARMONY_END_TOKENS: readonly string[] = [...REPLY_END_TOKENS, '<|end|>'];

/**
 * Headers that open a reply without reasoning before it: gpt-oss's final channel when the model
 * skips the analysis (a fine-tune, vllm-project/vllm#23694; SGLang without separate_reasoning,
 * sgl-project/sglang#10061). Dropped, so that what the reply's first line holds (a fence) is read
 * as a line of its own.
 */
const REPLY_HEADERS: readonly string[] = ['<|start|>assistant<|channel|>final<|message|>', '<|channel|>final<|message|>'];

/** Whether `lead` (the reply so far, leading blanks dropped) opens with `tags`' opening tag. */
function opensWith(lead: string, tags: ReasoningTags): boolean {
  return lead.startsWith(tags.open) && (tags.openFollowedBy === undefined || tags.openFollowedBy.test(lead.slice(tags.open.length)));
}

/** Whether `lead` may still turn out to open with `tags`' opening tag (a prefix of it, or the tag waiting for the character that decides). */
function mayOpenWith(lead: string, tags: ReasoningTags): boolean {
  return tags.open.startsWith(lead) || (tags.openFollowedBy !== undefined && lead === tags.open);
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialTagAtEnd(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) if (text.endsWith(tag.slice(0, n))) return n;
  return 0;
}

/** What a held closing tag turned out to be, or undefined while the text after it cannot tell yet. */
type Verdict = { readonly quoted: true; readonly through: number } | { readonly quoted: false } | undefined;

/**
 * A closing tag whose quoting is not known yet, with the text from it on (kept in parts: a long
 * hold is joined once, not copied at every chunk), and what its line and the fence state said.
 */
interface Hold {
  /** The held text: the tag, then what came after it. */
  readonly parts: string[];
  /** Characters in `parts`. */
  length: number;
  /** Its line before it (for a fence its line may open: the tag in the info string). */
  readonly lineHead: string;
  /** An odd number of backticks precedes it on its line: a backtick later on the line quotes it. */
  readonly spanOpen: boolean;
  /** Its own line begins as a fence would (`openingFence` of `lineHead`): the line may open one. */
  readonly mayOpen: boolean;
  /** The fence open around it (from an earlier line, or its own line once that line ends). */
  fence: OpeningFence | undefined;
  /** Still reading its own line. */
  onTagLine: boolean;
  /** The line being read, up to what was read (after the tag on the tag's own line). */
  line: string;
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
  /** The reply's inline reasoning was taken out here (it opened with a tag, or in the reasoning: see `tookReasoning`). */
  private took = false;
  /** The reply's current line up to `pending` (Markdown quoting is read line by line). */
  private line = '';
  /** Backticks in `line` (an odd count: an inline code span may be open). */
  private ticks = 0;
  /** The fence an earlier line opened and no line closed yet. */
  private fence: OpeningFence | undefined;
  /** A closing tag at the start of `pending` that may be quoted. */
  private hold: Hold | undefined;
  /** The reply spoke gpt-oss's harmony (its analysis channel or final header): `<|end|>` ends it too. */
  private harmony = false;
  /** End tokens (REPLY_END_TOKENS), and blanks after them, that end the reply's text so far: held until more text or the end tells. */
  private heldTokens = '';
  /** After them, what may still become an end token (a proper prefix of one). */
  private heldPartial = '';

  /**
   * `opened`: the chat template writes `<think>` itself at the end of the prompt (deepseek-r1
   * distills, QwQ, served without a reasoning parser; known once a reply ended its reasoning with
   * a lone `</think>`), so the reply starts in the reasoning, with or without its own `<think>`.
   */
  constructor(private readonly opened = false) {}

  /**
   * The reply's inline reasoning was taken out of its text here (it opened with a reasoning tag,
   * or started in the reasoning the template opened): what came out as text is the reply, all of
   * it, a later closing tag in it included (one reasoning per reply, as servers read it).
   */
  get tookReasoning(): boolean {
    return this.took;
  }

  /** Adds streamed content; returns the pieces that are certain now. */
  push(chunk: string): SplitPiece[] {
    if (this.state === 'text') return this.text(chunk);
    if (this.hold !== undefined) return this.thinking(false, chunk);
    this.pending += chunk;
    if (this.state === 'start') {
      const lead = this.pending.trimStart();
      const replyHeader = REPLY_HEADERS.find((h) => lead.startsWith(h));
      if (replyHeader !== undefined) {
        this.state = 'text';
        this.pending = '';
        this.trimLead = true;
        this.harmony = true;
        return this.text(lead.slice(replyHeader.length));
      }
      if (REPLY_HEADERS.some((h) => h.startsWith(lead))) return []; // still could become a reply header
      // The longest opening tag that matches, once no longer one may still match (Gemma's two forms).
      const opening = ALL_TAGS.filter((t) => opensWith(lead, t)).reduce<ReasoningTags | undefined>((a, t) => (a === undefined || t.open.length > a.open.length ? t : a), undefined);
      if (opening && !ALL_TAGS.some((t) => t.open.length > opening.open.length && mayOpenWith(lead, t))) {
        this.state = 'thinking';
        this.took = true;
        this.tags = opening;
        this.harmony = opening === HARMONY;
        const consumed = this.pending.length - lead.length + opening.open.length;
        this.read(this.pending.slice(0, consumed));
        this.pending = this.pending.slice(consumed);
      } else if (ALL_TAGS.some((t) => mayOpenWith(lead, t))) {
        return []; // still could become an opening tag
      } else if (this.opened) {
        this.state = 'thinking';
        this.took = true;
      } else {
        this.state = 'text';
        const text = this.pending;
        this.pending = '';
        return this.text(text);
      }
    }
    return this.thinking(false, '');
  }

  /**
   * Splits `pending` in the reasoning: reasoning up to the first closing tag Markdown does not
   * quote, then the reply; `fresh` is new text for a held tag. Each character is read once by the
   * line model (`read`) and about once more while a tag is held, so a reply costs time linear in
   * its length.
   */
  private thinking(ended: boolean, fresh: string): SplitPiece[] {
    const out: SplitPiece[] = [];
    const closeTag = this.tags.close;
    for (;;) {
      let verdict: Verdict;
      if (this.hold === undefined) {
        const close = this.pending.indexOf(closeTag);
        if (close < 0) break;
        this.reason(out, close);
        const mayOpen = this.fence === undefined && openingFence(this.line) !== undefined;
        this.hold = { parts: [this.pending], length: this.pending.length, lineHead: this.line, spanOpen: this.ticks % 2 === 1, mayOpen, fence: this.fence, onTagLine: true, line: '' };
        this.pending = '';
        verdict = this.judge(this.hold, this.hold.parts[0]?.slice(closeTag.length) ?? '', closeTag.length, ended);
      } else {
        const base = this.hold.length;
        if (fresh !== '') this.hold.parts.push(fresh);
        this.hold.length += fresh.length;
        verdict = this.judge(this.hold, fresh, base, ended);
        fresh = '';
      }
      if (verdict === undefined) return out; // held: the text after it cannot tell yet
      this.pending = this.hold.parts.join('');
      this.hold = undefined;
      if (verdict.quoted) {
        // Quoted, and so is everything up to the end of its span or fence.
        this.reason(out, verdict.through);
        continue;
      }
      const rest = this.pending.slice(closeTag.length);
      this.pending = '';
      this.state = 'text';
      this.trimLead = true;
      if (this.tags.header !== undefined) this.header = '';
      return [...out, ...this.text(rest)];
    }
    this.reason(out, ended ? this.pending.length : this.pending.length - partialTagAtEnd(this.pending, closeTag));
    return out;
  }

  /** Emits `pending`'s first `n` characters as reasoning (read by the line model). */
  private reason(out: SplitPiece[], n: number): void {
    if (n <= 0) return;
    const sure = this.pending.slice(0, n);
    this.pending = this.pending.slice(n);
    this.read(sure);
    out.push({ kind: 'reasoning', text: sure });
    this.reasoned ||= sure.trim() !== '';
  }

  /** Advances the line model (current line, its backticks, the open fence) over `text`, as `quotedPositions` reads lines. */
  private read(text: string): void {
    let from = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', from)) {
      const line = this.line + text.slice(from, newline);
      if (this.fence === undefined) this.fence = openingFence(line);
      else if (closesFence(line, this.fence, false)) this.fence = undefined;
      this.line = '';
      this.ticks = 0;
      from = newline + 1;
    }
    const tail = text.slice(from);
    this.line += tail;
    for (const c of tail) if (c === '`') this.ticks++;
  }

  /**
   * Whether a held closing tag is quoted, reading `text`, the held text's next characters (from
   * offset `base`): by an inline code span (a backtick closes it later on its line) or by a fence
   * open around it (from an earlier line, or opened by its own line) that a later line closes;
   * `through` is the held text's length up to the end of that span or fence. Undefined while that
   * is unknown; once `ended`, the last line counts as complete and what never closed quotes nothing.
   */
  private judge(hold: Hold, text: string, base: number, ended: boolean): Verdict {
    // No span open, no fence around it and none its line may open: a tag.
    if (!hold.spanOpen && hold.fence === undefined && !hold.mayOpen) return { quoted: false };
    let from = 0;
    if (hold.onTagLine) {
      const newline = text.indexOf('\n');
      const lineEnd = newline < 0 ? text.length : newline;
      if (hold.spanOpen) {
        const tick = text.indexOf('`');
        if (tick >= 0 && tick < lineEnd) return { quoted: true, through: base + tick + 1 };
      }
      hold.line += text.slice(0, lineEnd);
      if (newline < 0 && !ended) return undefined;
      hold.fence ??= openingFence(hold.lineHead + this.tags.close + hold.line);
      if (hold.fence === undefined || newline < 0) return { quoted: false };
      hold.onTagLine = false;
      hold.line = '';
      from = newline + 1;
    } else if (hold.fence === undefined) return { quoted: false };
    for (;;) {
      const newline = text.indexOf('\n', from);
      const line = hold.line + text.slice(from, newline < 0 ? text.length : newline);
      if (newline < 0 && !ended) {
        hold.line = line;
        return undefined;
      }
      if (closesFence(line, hold.fence, false)) return { quoted: true, through: base + (newline < 0 ? text.length : newline) };
      if (newline < 0) return { quoted: false };
      hold.line = '';
      from = newline + 1;
    }
  }

  /**
   * Reasoning arrived in the server's own channel. An opening tag with nothing after it yet was
   * the server's stray: its reasoning parser sent the tag as content and the reasoning in its
   * field (lmdeploy's deepseek-r1 parser, InternLM/lmdeploy#3664), so the content after it is the reply.
   */
  channelReasoning(): void {
    if (this.state === 'thinking' && !this.reasoned && this.pending.trim() === '') {
      this.state = 'text';
      this.took = false;
      this.pending = '';
      this.hold = undefined;
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
    text = this.withoutEndTokens(text, false);
    return text.length > 0 ? [{ kind: 'text', text }] : [];
  }

  /**
   * `text` after the text held at the end so far, without the end tokens (REPLY_END_TOKENS) that
   * end it: until the reply `ended`, they are held (with a partial token and the blanks after
   * them), since more text may follow them; at the end, they are dropped. Each character is read
   * about once (held tokens are not read again), so a reply costs time linear in its length.
   */
  private withoutEndTokens(text: string, ended: boolean): string {
    const tokens = this.harmony ? HARMONY_END_TOKENS : REPLY_END_TOKENS;
    const fresh = this.heldPartial + text;
    this.heldPartial = '';
    // The run of held tokens goes on through `fresh` as far as tokens (and blanks after one) do.
    let i = 0;
    let inRun = this.heldTokens !== '';
    for (;;) {
      if (inRun && /\s/.test(fresh[i] ?? '')) i++;
      else {
        const token = tokens.find((t) => fresh.startsWith(t, i));
        if (token === undefined) break;
        i += token.length;
        inRun = true;
      }
    }
    const rest = fresh.slice(i);
    if (rest === '' || (!ended && tokens.some((t) => t.length > rest.length && t.startsWith(rest)))) {
      // Still nothing but the run (and perhaps the start of another token).
      this.heldTokens = ended ? '' : this.heldTokens + fresh.slice(0, i);
      this.heldPartial = ended ? '' : rest;
      return ended ? rest : '';
    }
    // Text broke the run: it is all text, up to a new run at the end (found within `fresh`).
    const all = this.heldTokens + fresh;
    this.heldTokens = '';
    const partial = ended ? 0 : Math.max(0, ...tokens.map((t) => partialTagAtEnd(all, t)));
    let cut = all.length - partial;
    for (;;) {
      let j = cut;
      while (j > 0 && /\s/.test(all[j - 1] ?? '')) j--;
      const token = tokens.find((t) => j >= t.length && all.startsWith(t, j - t.length));
      if (token === undefined) break;
      cut = j - token.length;
    }
    if (!ended) {
      this.heldTokens = all.slice(cut, all.length - partial);
      this.heldPartial = all.slice(all.length - partial);
    }
    return all.slice(0, cut);
  }

  /** The stream ended: what was held back. A `<think>` never closed leaves everything reasoning. */
  end(): SplitPiece[] {
    const out = this.state === 'thinking' ? this.thinking(true, '') : [];
    const rest = this.pending + (this.header ?? '');
    const text = this.state === 'thinking' ? rest : this.withoutEndTokens(rest, true);
    this.pending = '';
    this.header = undefined;
    if (text.length === 0) return out;
    return [...out, { kind: this.state === 'thinking' ? 'reasoning' : 'text', text }];
  }
}
