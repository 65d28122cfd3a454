// Folds the agent's event stream into the record of the run (trajectory/trajectory.ts): what the
// CLI's --json prints, what evaluation stores, what SFT export keeps. The fold is written once,
// as a pure reducer, so every front end (CLI, core conversation, VS Code views) folds alike.
import type { AgentEvent } from './events';
import { emptyTrajectory, type Trajectory, type TrajectoryTurn } from '../trajectory/trajectory';

/** The events the fold reads; `start`'s maxCodeCalls and `exec-start` are not part of the record. */
export type TrajectoryEvent = AgentEvent;

/** `t` with its last turn replaced by `f(last)`; `t` itself when there is no turn yet. */
function withLastTurn(t: Trajectory, f: (turn: TrajectoryTurn) => TrajectoryTurn): Trajectory {
  const last = t.turns[t.turns.length - 1];
  return last ? { ...t, turns: [...t.turns.slice(0, -1), f(last)] } : t;
}

/**
 * The trajectory after `event`: a pure reducer (neither argument is changed; unchanged turns are
 * shared). Cost per event is O(turns), so a long token stream stays linear in its length.
 */
export function applyEvent(t: Trajectory, event: TrajectoryEvent): Trajectory {
  switch (event.type) {
    case 'start':
      return { ...t, question: event.question, model: event.model };
    case 'turn-start':
      return { ...t, turns: [...t.turns, { turn: event.turn, text: '' }] };
    case 'token':
      return withLastTurn(t, (turn) => ({ ...turn, text: turn.text + event.text }));
    case 'reasoning':
      return withLastTurn(t, (turn) => ({ ...turn, reasoning: (turn.reasoning ?? '') + event.text }));
    case 'turn-end':
      return { ...withLastTurn(t, (turn) => ({ ...turn, stats: event.stats })), modelMs: t.modelMs + event.stats.modelMs };
    case 'code': {
      const cell = { index: event.index, language: event.language, code: event.code, ...(event.source ? { source: event.source } : {}) };
      const last = t.turns[t.turns.length - 1];
      if (!last) return t;
      // Several native tool calls in one request: each further cell gets an entry of its own (same turn number, no text).
      if (last.cell) return { ...t, turns: [...t.turns, { turn: last.turn, text: '', cell }] };
      return withLastTurn(t, (turn) => ({ ...turn, cell }));
    }
    case 'exec-result': {
      const at = t.turns.findIndex((x) => x.cell?.index === event.index);
      const turns = [...t.turns];
      const turn = turns[at];
      if (turn?.cell) turns[at] = { ...turn, cell: { ...turn.cell, result: event.result }, codeMs: event.result.durationMs };
      return { ...t, turns, codeMs: t.codeMs + event.result.durationMs };
    }
    case 'error':
      return { ...t, error: event.message };
    case 'warning':
      return { ...t, warnings: [...(t.warnings ?? []), { kind: event.kind, turn: event.turn, message: event.message }] };
    case 'done':
      return { ...t, answer: event.answer, ...(event.answerSource ? { answerSource: event.answerSource } : {}), reason: event.reason, codeCalls: event.codeCalls };
    case 'exec-start':
      return t;
  }
}

/**
 * Folds a stream event by event into one live object: `trajectory` keeps its identity while it
 * fills, so whoever holds it (a conversation's list of runs) sees the run so far.
 */
export class TrajectoryBuilder {
  readonly trajectory: Trajectory = emptyTrajectory();

  add(event: TrajectoryEvent): void {
    Object.assign(this.trajectory, applyEvent(this.trajectory, event));
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
