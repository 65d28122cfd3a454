// The plain progress lines of `r1ci eval` (no terminal): each question's mark, and why when it has no answer.
import { describe, expect, it } from 'vitest';
import { createProgressReporter } from '../../../src/cli/evalProgress';
import type { EvalEvent } from '../../../src/eval/runner';
import type { ResultRecord } from '../../../src/eval/results';
import { aResult } from '../../support/resultRecords';
import type { TaskRecord } from '../../../src/eval/types';

function resultEvent(result: Partial<ResultRecord>): EvalEvent {
  const record = aResult('q/0', result);
  const task: TaskRecord = { id: record.id, task: record.task, question: record.question, scorer: { kind: 'number', expected: '42' }, source: { file: 'q.jsonl', index: 0 }, metadata: {} };
  return { type: 'result', record: task, result: record, done: 1, toRun: 2, correctSoFar: record.correct ? 1 : 0, elapsedMs: 10, etaMs: 10 };
}

function printed(event: EvalEvent): string {
  let out = '';
  createProgressReporter({ write: (t) => (out += t) }, false)(event);
  return out;
}

describe('r1ci eval progress (plain lines)', () => {
  it('a question stopped at its time limit says so, not just "wrong"', () => {
    expect(printed(resultEvent({ reason: 'timed out after 2 s' }))).toMatch(/^\[1\/2\] q\/0: wrong \(timed out after 2 s\) · 0% right · /);
  });

  it('an answer is shown instead of the reason; a right one is just "ok"', () => {
    expect(printed(resultEvent({ answer: '41', reason: 'expected 42' }))).toMatch(/^\[1\/2\] q\/0: wrong \(41\) · /);
    expect(printed(resultEvent({ answer: '42', correct: true, reason: 'matches' }))).toMatch(/^\[1\/2\] q\/0: ok \(42\) · 100% right · /);
  });
});
