// Folds the agent's event stream into one record of the whole conversation: what the CLI's
// --json prints, what evaluation stores, what SFT export keeps.
import type { AgentEvent, AgentWarningKind, CodeSource, StopReason, TurnStats } from './events';
import type { AnswerSource } from './finalAnswer';
import type { ExecResult } from '../sandbox/types';

export interface TrajectoryCell {
  readonly index: number;
  readonly language: string;
  readonly code: string;
  /** Where the code came from; absent = a fence in the model's text. */
  readonly source?: CodeSource;
  /** Absent when the code was not run (declined, cancelled). */
  result?: ExecResult;
}

export interface TrajectoryTurn {
  readonly turn: number;
  /** What the model wrote in this request (up to the closing fence when it called code), reasoning excluded. */
  text: string;
  /** The model's reasoning in this request (reasoning channel or inline <think>); absent when it gave none. */
  reasoning?: string;
  cell?: TrajectoryCell;
  stats?: TurnStats;
  /** Time the code of this turn's cell ran (the model's time is stats.modelMs). */
  codeMs?: number;
}

export interface Trajectory {
  question: string;
  model: string;
  turns: TrajectoryTurn[];
  answer: string | null;
  /** Where the answer came from (absent: no answer, or a record from before this field). */
  answerSource?: AnswerSource;
  reason: StopReason | 'running';
  codeCalls: number;
  error?: string;
  /** Warnings during the run (context truncated, a retried request, ...), in order. */
  warnings?: Array<{ kind: AgentWarningKind; turn: number; message: string }>;
  /** Time spent waiting on the model vs. in code, summed over turns. */
  modelMs: number;
  codeMs: number;
}

export class TrajectoryBuilder {
  readonly trajectory: Trajectory = { question: '', model: '', turns: [], answer: null, reason: 'running', codeCalls: 0, modelMs: 0, codeMs: 0 };

  add(event: AgentEvent): void {
    const t = this.trajectory;
    switch (event.type) {
      case 'start':
        t.question = event.question;
        t.model = event.model;
        break;
      case 'turn-start':
        t.turns.push({ turn: event.turn, text: '' });
        break;
      case 'token': {
        const turn = t.turns[t.turns.length - 1];
        if (turn) turn.text += event.text;
        break;
      }
      case 'reasoning': {
        const turn = t.turns[t.turns.length - 1];
        if (turn) turn.reasoning = (turn.reasoning ?? '') + event.text;
        break;
      }
      case 'turn-end': {
        const turn = t.turns[t.turns.length - 1];
        if (turn) turn.stats = event.stats;
        t.modelMs += event.stats.modelMs;
        break;
      }
      case 'code': {
        let turn = t.turns[t.turns.length - 1];
        // Several native tool calls in one request: each further cell gets an entry of its own (same turn number, no text).
        if (turn?.cell) t.turns.push((turn = { turn: turn.turn, text: '' }));
        if (turn) turn.cell = { index: event.index, language: event.language, code: event.code, ...(event.source ? { source: event.source } : {}) };
        break;
      }
      case 'exec-result': {
        const turn = t.turns.find((x) => x.cell?.index === event.index);
        if (turn?.cell) {
          turn.cell.result = event.result;
          turn.codeMs = event.result.durationMs;
        }
        t.codeMs += event.result.durationMs;
        break;
      }
      case 'error':
        t.error = event.message;
        break;
      case 'warning':
        (t.warnings ??= []).push({ kind: event.kind, turn: event.turn, message: event.message });
        break;
      case 'done':
        t.answer = event.answer;
        if (event.answerSource) t.answerSource = event.answerSource;
        t.reason = event.reason;
        t.codeCalls = event.codeCalls;
        break;
      case 'exec-start':
        break;
    }
  }
}

/** Runs an event stream to its end, passing each event on, and returns the folded trajectory. */
export async function collectTrajectory(events: AsyncIterable<AgentEvent>, onEvent?: (e: AgentEvent) => void): Promise<Trajectory> {
  const builder = new TrajectoryBuilder();
  for await (const e of events) {
    builder.add(e);
    onEvent?.(e);
  }
  return builder.trajectory;
}
