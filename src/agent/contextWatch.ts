// Detects that the conversation outgrew the context window. Ollama does not fail when the
// prompt is longer than num_ctx: it drops the oldest messages (or tokens) and reports only
// what it kept, so the question itself can vanish without a word. Three signals, all
// conservative (a false alarm would teach users to ignore the warning):
//  1. the server's prompt_eval_count is at the window (it was capped), or
//  2. it is half the window and a few tokens while the prompt is surely longer: Ollama ≥ 0.32
//     cuts a prompt over num_ctx to num_ctx/2 + 2 tokens (ollama/ollama#17427, #17889: 2,050 of
//     4,096; itayinbarr/little-coder#128: 16,386 of 32,768), so signal 1 never fires there, or
//  3. a lower bound on the prompt's size already exceeds the window. The bound is the larger
//     of a deliberately low character estimate (6 characters per token; real tokenizers
//     average 3–4.5 on prose and code) and what earlier turns proved: this prompt contains
//     the previous prompt plus the model's previous output.
// A prompt_eval_count far *below* the estimate is not a signal: Ollama leaves out the
// prefix it found in its KV cache, which is the normal case from the second turn on.
//
// OpenAI-compatible servers ('reported' kind) that truncate instead of refusing (Ollama's /v1,
// llama.cpp with context shift) report usage.prompt_tokens; we compare it with a lower bound of
// only the part of the prompt that is new to the server since the previous request: neither the
// previous prompt nor the previous reply (the server generated that reply into its KV cache, and
// Ollama's /v1 and llama.cpp count only what they evaluate), so a cached prefix cannot explain a
// count below it; for a follow-up question, the conversation before it is not new either.
// Before, the previous reply (and a follow-up's whole conversation) counted as new: after a long
// code turn, the next count (the results alone) raised a false alarm. The window, when the server names it (vLLM's
// max_model_len in /v1/models), is checked as for Ollama.
import type { ChatMessage } from './backends/types';
import { knob } from '../text/frontEnd';

/** Characters per token for the lower bound (generous: more characters per token = fewer tokens). */
const LOW_CHARS_PER_TOKEN = 6;
/** prompt_eval_count within this share of num_ctx counts as capped. */
const AT_WINDOW = 0.98;
/** Tokens above half the window that Ollama's cut keeps (2 and 3 observed; see signal 2). */
const HALF_WINDOW_EXTRA = 4;
/** 'reported': the count must fall below the new part's lower bound by this factor (tokenizers differ). */
const REPORTED_SLACK = 1.25;

export interface ContextVerdict {
  readonly truncated: boolean;
  /** The lower-bound estimate of this prompt, in tokens. */
  readonly estimate: number;
}

export class ContextWatch {
  /** Proven lower bound carried from the previous turn (its prompt + its output). */
  private carried = 0;
  /** Characters of the prompt being sent and of the previous one. */
  private chars = 0;
  private previousChars = 0;
  /** Characters of the previous reply (text, reasoning, tool-call arguments): cached by the server that wrote them. */
  private previousReplyChars = 0;
  /** 'reported', or Ollama's cut to half the window: the last prompt count that gave the truncation away. */
  private reportedTokens: number | undefined;

  /**
   * @param contextTokens the window in tokens (Ollama: the num_ctx we send; OpenAI-compatible: what
   *   the server names, or undefined when it does not).
   * @param kind 'capped': the server caps its count at the window (Ollama); 'reported': it reports
   *   what it kept (OpenAI-compatible usage.prompt_tokens).
   */
  constructor(
    private readonly contextTokens: number | undefined,
    private readonly kind: 'capped' | 'reported' = 'capped',
  ) {}

  /** Lower bound on the tokens of `messages` before sending them. */
  estimate(messages: readonly ChatMessage[]): number {
    this.chars = charsOf(messages);
    return Math.max(Math.ceil(this.chars / LOW_CHARS_PER_TOKEN), this.carried);
  }

  /**
   * The conversation so far (`history`: a follow-up question's earlier messages) was the server's
   * prompt and replies before: it may be in its cache, so only what follows it is new to the
   * server ('reported' kind). Call before the first `estimate`.
   */
  alreadySent(history: readonly ChatMessage[]): void {
    this.previousChars = charsOf(history);
  }

  /**
   * After a turn: was this prompt truncated? Also records what the turn proved for the next one.
   * `replyChars`: characters of this turn's reply that go back in the next prompt (text,
   * reasoning, tool-call arguments); the server generated them, so they may be in its cache.
   */
  observe(estimate: number, promptTokens: number | undefined, outputTokens: number | undefined, replyChars = 0): ContextVerdict {
    const window = this.contextTokens;
    let truncated = window !== undefined && ((promptTokens !== undefined && promptTokens >= window * AT_WINDOW) || estimate > window);
    // Signal 2: half the window and a few, for a prompt surely longer than the count (a count of
    // the whole prompt is never below its lower bound; one that left out a cached prefix lands
    // in this band of a few tokens only by chance).
    if (this.kind === 'capped' && window !== undefined && promptTokens !== undefined && !truncated) {
      const half = Math.floor(window / 2);
      if (promptTokens >= half && promptTokens <= half + HALF_WINDOW_EXTRA && estimate > promptTokens) {
        truncated = true;
        this.reportedTokens = promptTokens;
      }
    }
    if (this.kind === 'reported' && promptTokens !== undefined) {
      const newPart = Math.ceil(Math.max(0, this.chars - this.previousChars - this.previousReplyChars) / LOW_CHARS_PER_TOKEN);
      if (promptTokens * REPORTED_SLACK < newPart) {
        truncated = true;
        this.reportedTokens = promptTokens;
      }
    }
    this.previousChars = this.chars;
    this.previousReplyChars = replyChars;
    const known = Math.max(estimate, promptTokens ?? 0);
    this.carried = known + (outputTokens ?? 0);
    return { truncated, estimate };
  }

  message(estimate: number): string {
    if (this.kind === 'reported') {
      const counted =
        this.reportedTokens !== undefined
          ? `the server counted only ${this.reportedTokens.toLocaleString('en-US')} prompt tokens for a prompt of at least ${estimate.toLocaleString('en-US')}`
          : `the prompt (at least ${estimate.toLocaleString('en-US')} tokens) exceeds the model's window of ${(this.contextTokens ?? 0).toLocaleString('en-US')} tokens`;
      return (
        `Context truncated: ${counted}, so the server silently dropped part of the conversation — possibly the question itself, and later answers may be wrong. ` +
        `Start the server with a larger context (llama.cpp -c, vLLM --max-model-len, Ollama OLLAMA_CONTEXT_LENGTH), or lower ${knob('maxCodeCalls')}.`
      );
    }
    const window = this.contextTokens ?? 0;
    const size =
      this.reportedTokens !== undefined && estimate <= window
        ? `The server kept only ${this.reportedTokens.toLocaleString('en-US')} tokens of the conversation (at least ${estimate.toLocaleString('en-US')}): half the context window of ${window.toLocaleString('en-US')} tokens, which is how it cuts one that no longer fits, `
        : `The conversation (at least ${estimate.toLocaleString('en-US')} tokens) no longer fits the context window of ${window.toLocaleString('en-US')} tokens, `;
    return (
      size +
      'so the server silently dropped its oldest part — possibly the question itself, and later answers may be wrong. ' +
      `Raise ${knob('contextTokens')}, if the model and your memory allow it, or lower ${knob('maxCodeCalls')}.`
    );
  }
}

/** Characters of `messages`: content, reasoning and tool-call arguments. */
function charsOf(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) chars += m.content.length + (m.reasoning?.length ?? 0) + (m.toolCalls?.reduce((n, c) => n + c.arguments.length, 0) ?? 0);
  return chars;
}
