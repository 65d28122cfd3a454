// The plain progress lines of `r1ci eval` (no terminal): each question's mark, and why when it has no answer.
import { describe, expect, it } from 'vitest';
import { createProgressReporter } from '../../../src/cli/evalProgress';
import type { EvalEvent } from '../../../src/eval/runner';
import type { ResultRecord } from '../../../src/eval/results';
import { aResult } from '../../support/resultRecords';
import type { TaskRecord } from '../../../src/eval/types';

function taskRecord(record: ResultRecord): TaskRecord {
  return { id: record.id, task: record.task, question: record.question, scorer: { kind: 'number', expected: '42' }, source: { file: 'q.jsonl', index: 0 }, metadata: {} };
}

function resultEvent(result: Partial<ResultRecord>, done = 1, toRun = 2): EvalEvent {
  const record = aResult('q/0', result);
  return { type: 'result', record: taskRecord(record), result: record, done, toRun, correctSoFar: record.correct ? 1 : 0, elapsedMs: 10, etaMs: 10 };
}

function printed(event: EvalEvent, samples = 1): string {
  let out = '';
  createProgressReporter({ write: (t) => (out += t) }, false, samples)(event);
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

  it('with --samples, each line names its sample and a resumed run counts samples, not questions', () => {
    expect(printed(resultEvent({ answer: '42', correct: true, reason: 'matches', sample: 3 }), 4)).toMatch(/^\[1\/2\] q\/0 sample 3: ok \(42\) · /);
    expect(printed(resultEvent({ answer: '42', correct: true, reason: 'matches' }))).toMatch(/^\[1\/2\] q\/0: ok /);
    const start: EvalEvent = { type: 'start', total: 12, skipped: 6, toRun: 6, previous: [], outside: 0, repairedTail: false };
    expect(printed(start, 4)).toBe('Resuming: 6 of 12 samples already done, 6 to go.\n');
    expect(printed({ ...start, total: 3, skipped: 1, toRun: 2 })).toBe('Resuming: 1 of 3 questions already done, 2 to go.\n');
    expect(printed({ ...start, total: 3, skipped: 0, toRun: 3, outside: 6 })).toBe(
      'The results file also holds 6 results of other questions or samples (another task set, ids of an older version, or more samples); the summary leaves them out.\n',
    );
  });

  it('on a terminal the bar is drawn at the start and counts the questions running, before any is scored', () => {
    let out = '';
    const report = createProgressReporter({ write: (t) => (out += t), columns: 80 }, true);
    report({ type: 'start', total: 4, skipped: 0, toRun: 4, previous: [], outside: 0, repairedTail: false });
    expect(out).toBe('[------------------------------] 0/4');
    const started = (id: string): EvalEvent => ({ type: 'question-start', record: taskRecord(aResult(id)), worker: 0, sample: 0 });
    report(started('q/0'));
    report(started('q/1'));
    expect(out.split('\r\x1b[2K').at(-1)).toBe('[------------------------------] 0/4 · 2 running');
    report(resultEvent({ answer: '42', correct: true, reason: 'matches' }, 1, 4));
    expect(out.split('\r\x1b[2K').at(-1)).toMatch(/^\[#{8}-{22}\] 1\/4 · 1 running · 100% right · ETA /);
  });
});
