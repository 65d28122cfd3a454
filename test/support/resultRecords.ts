// A results-file record for tests that need one without running a question: the fields an
// evaluation writes, with plain values, and the test's own on top.
import type { ResultRecord } from '../../src/eval/results';

/** A wrong, answerless text result of question `id` (task: the id's first folder, `navigate/3` → navigate), with `overrides` on top. */
export function aResult(id: string, overrides: Partial<ResultRecord> = {}): ResultRecord {
  return {
    id,
    task: id.split('/')[0] ?? id,
    question: `question ${id}`,
    answer: null,
    correct: false,
    reason: 'no answer',
    turns: 1,
    codeCalls: 0,
    usedCode: false,
    durationMs: 10,
    model: 'm',
    temperature: 0,
    textOnly: false,
    ...overrides,
  };
}
