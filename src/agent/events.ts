// Typed events the agent yields; both front ends (VS Code views and the CLI) consume them.
import type { BackendErrorKind } from './backends/types';
import type { ExecResult } from '../sandbox/types';
import type { AnswerSource } from './finalAnswer';

/** Where the code of a cell came from. */
export type CodeSource =
  /** A python fence in the model's text (the R1-CI way). */
  | 'text'
  /** A python fence in the model's reasoning, run because the reply had neither code nor answer (see docs/backends.md). */
  | 'reasoning'
  /** A native tool call (the `tools` protocol). */
  | 'tool-call';

/** Per model request: what it cost. Time in code is the following `exec-result`'s durationMs. */
export interface TurnStats {
  /** Prompt tokens the server evaluated (Ollama: may exclude a cached prefix, and is capped at num_ctx). */
  readonly promptTokens?: number;
  readonly outputTokens?: number;
  /** Output tokens per second (from the server's generation time, else measured from the first token). */
  readonly tokensPerSecond?: number;
  /** Wall-clock time spent waiting on the model for this turn (including retries). */
  readonly modelMs: number;
  /** From sending the request to the first token; absent when no token came. */
  readonly firstTokenMs?: number;
  /** The server's reason for stopping ('stop', 'length', ...); absent when we cut at a closing fence. */
  readonly doneReason?: string;
  /** Automatic retries this turn needed (0 or 1). */
  readonly retries?: number;
  /** Our lower-bound estimate of the prompt's tokens, for comparing with promptTokens. */
  readonly promptTokensEstimate?: number;
}

export type AgentWarningKind =
  /** The conversation no longer fits the context window: the server dropped part of it. */
  | 'context-truncated'
  /** A transient failure (stall, dropped connection, HTTP 5xx) before any token: retried once. */
  | 'retry'
  /** The server stopped at its token limit ('length'), not because the model finished (a code block cut there is not run). */
  | 'output-truncated'
  /** The reply had no code and no answer outside its reasoning; the python block in the reasoning was run. */
  | 'code-in-reasoning';

export type StopReason =
  /** The model gave `<<<answer>>>` (or a recognised fallback). */
  | 'answer'
  /** The model stopped without an answer. */
  | 'no-answer'
  /** The code-call budget was used up and the model asked for more. */
  | 'budget'
  | 'cancelled'
  | 'error';

export type AgentEvent =
  | { readonly type: 'start'; readonly question: string; readonly model: string; readonly maxCodeCalls: number }
  /** A new model request begins (turn 0 is the first). */
  | { readonly type: 'turn-start'; readonly turn: number }
  /** Streamed model text (prose and code alike, as the model wrote it; reasoning excluded). */
  | { readonly type: 'token'; readonly turn: number; readonly text: string }
  /** Streamed reasoning (a server's reasoning channel, or inline `<think>`): shown folded, never searched for the answer. */
  | { readonly type: 'reasoning'; readonly turn: number; readonly text: string }
  /** A code block closed; it is about to run (or is skipped, see `skipped`). */
  | {
      readonly type: 'code';
      readonly index: number;
      readonly turn: number;
      readonly language: string;
      readonly code: string;
      /** Where the block's opening fence starts in this turn's text (views render the block as a cell from there); the text's end for code from reasoning or a tool call. */
      readonly offsetInTurn: number;
      /** Absent = 'text'. */
      readonly source?: CodeSource;
    }
  | { readonly type: 'exec-start'; readonly index: number }
  | { readonly type: 'exec-result'; readonly index: number; readonly result: ExecResult }
  | { readonly type: 'turn-end'; readonly turn: number; readonly stats: TurnStats }
  | {
      readonly type: 'done';
      readonly reason: StopReason;
      /** The final answer (content of the last `<<<...>>>`), or null when none was given. */
      readonly answer: string | null;
      /** Where the answer came from; absent when there is none. */
      readonly answerSource?: AnswerSource;
      readonly codeCalls: number;
      readonly turns: number;
      readonly message?: string;
    }
  | { readonly type: 'error'; readonly message: string; readonly kind: AgentErrorKind }
  /** Something the user should know that does not end the run; the message says what to do. */
  | { readonly type: 'warning'; readonly kind: AgentWarningKind; readonly turn: number; readonly message: string };

export type AgentErrorKind = BackendErrorKind | 'sandbox' | 'internal';
