// Typed events the agent yields; both front ends (VS Code views and the CLI) consume them.
import type { BackendErrorKind } from './backends/types';
import type { ExecResult } from '../trajectory/execResult';
import type { AgentWarningKind, AnswerSource, CodeSource, StopReason, TurnStats } from '../trajectory/trajectory';

// The pieces of the record (cell sources, turn stats, warnings, stop reasons) are declared once
// with the trajectory; the events carry them as they happen.
export type { AgentWarningKind, CodeSource, StopReason, TurnStats } from '../trajectory/trajectory';

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
