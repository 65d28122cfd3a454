// Detects that the conversation outgrew the context window. Ollama does not fail when the
// prompt is longer than num_ctx: it drops the oldest messages (or tokens) and reports only
// what it kept, so the question itself can vanish without a word. Two signals, both
// conservative (a false alarm would teach users to ignore the warning):
//  1. the server's prompt_eval_count is at the window (it was capped), or
//  2. a lower bound on the prompt's size already exceeds the window. The bound is the larger
//     of a deliberately low character estimate (6 characters per token; real tokenizers
//     average 3–4.5 on prose and code) and what earlier turns proved: this prompt contains
//     the previous prompt plus the model's previous output.
// A prompt_eval_count far *below* the estimate is not a signal: Ollama leaves out the
// prefix it found in its KV cache, which is the normal case from the second turn on.
import type { ChatMessage } from './backends/types';
import { knob } from './frontEnd';

/** Characters per token for the lower bound (generous: more characters per token = fewer tokens). */
const LOW_CHARS_PER_TOKEN = 6;
/** prompt_eval_count within this share of num_ctx counts as capped. */
const AT_WINDOW = 0.98;

export interface ContextVerdict {
  readonly truncated: boolean;
  /** The lower-bound estimate of this prompt, in tokens. */
  readonly estimate: number;
}

export class ContextWatch {
  /** Proven lower bound carried from the previous turn (its prompt + its output). */
  private carried = 0;

  constructor(private readonly contextTokens: number) {}

  /** Lower bound on the tokens of `messages` before sending them. */
  estimate(messages: readonly ChatMessage[]): number {
    let chars = 0;
    for (const m of messages) chars += m.content.length;
    return Math.max(Math.ceil(chars / LOW_CHARS_PER_TOKEN), this.carried);
  }

  /** After a turn: was this prompt truncated? Also records what the turn proved for the next one. */
  observe(estimate: number, promptTokens: number | undefined, outputTokens: number | undefined): ContextVerdict {
    const atWindow = promptTokens !== undefined && promptTokens >= this.contextTokens * AT_WINDOW;
    const known = Math.max(estimate, promptTokens ?? 0);
    this.carried = known + (outputTokens ?? 0);
    return { truncated: atWindow || estimate > this.contextTokens, estimate };
  }

  message(estimate: number): string {
    return (
      `The conversation (at least ${estimate.toLocaleString('en-US')} tokens) no longer fits the context window of ${this.contextTokens.toLocaleString('en-US')} tokens, ` +
      'so the server silently dropped its oldest part — possibly the question itself, and later answers may be wrong. ' +
      `Raise ${knob('contextTokens')}, if the model and your memory allow it, or lower ${knob('maxCodeCalls')}.`
    );
  }
}
