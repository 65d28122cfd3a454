// Typed events the agent yields; both front ends (VS Code views and the CLI) consume them.
import type { ExecResult } from '../sandbox/types';

/** Per model request: what it cost. */
export interface TurnStats {
  readonly promptTokens?: number;
  readonly outputTokens?: number;
  /** Output tokens per second as reported by the server, when it reports it. */
  readonly tokensPerSecond?: number;
  /** Wall-clock time spent waiting on the model for this turn. */
  readonly modelMs: number;
}

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
  /** Streamed model text (reasoning and code alike, as the model wrote it). */
  | { readonly type: 'token'; readonly turn: number; readonly text: string }
  /** A code block closed; it is about to run (or is skipped, see `skipped`). */
  | {
      readonly type: 'code';
      readonly index: number;
      readonly turn: number;
      readonly language: string;
      readonly code: string;
      /** Where the block's opening fence starts in this turn's text (views render the block as a cell from there). */
      readonly offsetInTurn: number;
    }
  | { readonly type: 'exec-start'; readonly index: number }
  | { readonly type: 'exec-result'; readonly index: number; readonly result: ExecResult }
  | { readonly type: 'turn-end'; readonly turn: number; readonly stats: TurnStats }
  | {
      readonly type: 'done';
      readonly reason: StopReason;
      /** The final answer (content of the last `<<<...>>>`), or null when none was given. */
      readonly answer: string | null;
      readonly codeCalls: number;
      readonly turns: number;
      readonly message?: string;
    }
  | { readonly type: 'error'; readonly message: string; readonly kind: AgentErrorKind };

export type AgentErrorKind = 'server-unreachable' | 'model-missing' | 'http' | 'protocol' | 'sandbox' | 'context-overflow' | 'stalled' | 'internal';
