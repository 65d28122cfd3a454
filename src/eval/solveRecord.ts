// One record, end to end: the agent solves the question (with or without a sandbox), the final
// answer is scored, and the conversation is kept for the results file (chat messages for SFT
// export, steps with code output for replaying a failure in the panel).
import type { ChatMessage } from '../agent/backends/types';
import { runAgent } from '../agent/runAgent';
import { collectTrajectory } from '../agent/trajectory';
import { ranCode, type Trajectory } from '../trajectory/trajectory';
import type { CodeRunner } from '../sandbox/types';
import type { ResultStep } from './results';
import { modelRunSettings, type ModelRunSettings } from '../agent/modelRunSettings';
import type { SolveOutcome } from './runner';
import { executionSpans, type ExecutionSpan } from './executionSpans';
import { scoreAnswerAsync } from './score';
import type { PythonCheckRunner } from './scorers/python';
import type { TaskRecord } from './types';

export interface SolveRecordOptions extends ModelRunSettings {
  /** Null = text only (the paper's baseline: code is neither cut out nor run). */
  readonly runner: CodeRunner | null;
  /** Runs custom `python:` checkers; without one such records score as not checked. */
  readonly python?: PythonCheckRunner;
  readonly signal: AbortSignal;
}

export async function solveRecord(record: TaskRecord, options: SolveRecordOptions): Promise<SolveOutcome> {
  let messages: readonly ChatMessage[] = [];
  const trajectory = await collectTrajectory(
    runAgent(record.question, {
      ...modelRunSettings(options),
      runner: options.runner,
      signal: options.signal,
      onMessages: (m) => {
        messages = m;
      },
    }),
  );
  // Scoring a cancelled question would record a wrong answer for something never finished.
  if (trajectory.reason === 'cancelled') throw new Error('cancelled');
  // A \boxed{} answer is shown to the user, but it is not the <<<…>>> format the benchmarks ask
  // for (the authors' validators reject it): it is scored as no answer, as `r1ci score` does.
  const boxed = trajectory.answerSource === 'model-boxed' || trajectory.answerSource === 'reasoning-boxed';
  const scored = await scoreAnswerAsync(record, boxed ? null : trajectory.answer, { python: options.python });
  const score = boxed ? { ...scored, reason: `answer given as \\boxed{}, not in the requested <<<…>>> format; ${scored.reason}` } : scored;
  const error = trajectory.error;
  return {
    id: record.id,
    task: record.task,
    question: record.question,
    ...(score.expected !== undefined ? { expected: score.expected } : {}),
    answer: trajectory.answer,
    correct: error === undefined && score.correct,
    score: error === undefined ? score.score : 0,
    reason: error !== undefined ? `error: ${error}` : trajectory.reason === 'budget' && trajectory.answer === null ? `code-call budget (${options.maxCodeCalls}) used up; ${score.reason}` : score.reason,
    turns: trajectory.turns.length,
    codeCalls: trajectory.codeCalls,
    // Code that ran: not code the model wrote that was refused, declined or cut (those spend codeCalls).
    usedCode: ranCode(trajectory),
    ...(error !== undefined ? { error } : {}),
    trajectory: [...messages],
    ...spansOf(messages, trajectory),
    steps: stepsOf(trajectory),
    modelMs: trajectory.modelMs,
    codeMs: trajectory.codeMs,
    stopReason: trajectory.reason,
    ...(trajectory.answerSource ? { answerSource: trajectory.answerSource } : {}),
  };
}

function spansOf(messages: readonly ChatMessage[], trajectory: Trajectory): { executionSpans?: ExecutionSpan[] } {
  const spans = trajectory.codeCalls > 0 ? executionSpans(messages, trajectory.turns) : undefined;
  return spans && spans.length > 0 ? { executionSpans: spans } : {};
}

export function stepsOf(trajectory: Trajectory): ResultStep[] {
  return trajectory.turns.map((t) => ({
    text: t.text,
    ...(t.reasoning ? { reasoning: t.reasoning } : {}),
    ...(t.cell ? { code: t.cell.code, language: t.cell.language, ...(t.cell.source ? { codeSource: t.cell.source } : {}) } : {}),
    ...(t.cell?.result
      ? {
          output: {
            stdout: t.cell.result.stdout,
            stderr: t.cell.result.stderr,
            exitCode: t.cell.result.exitCode,
            durationMs: t.cell.result.durationMs,
            timedOut: t.cell.result.timedOut,
            ...(t.cell.result.killMessage !== undefined ? { killMessage: t.cell.result.killMessage } : {}),
            truncated: t.cell.result.truncated,
          },
        }
      : {}),
  }));
}
