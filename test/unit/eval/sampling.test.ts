// pass@k against the definition by enumeration, mean@k, the improvement potential and its
// stages, the v2 reward terms, and execution spans that a model cannot plant.
import { describe, expect, it } from 'vitest';
import { appendExecution, formatExecution, initialMessages } from '../../../src/agent/protocol';
import type { TrajectoryTurn } from '../../../src/trajectory/trajectory';
import { executionSpans } from '../../../src/eval/executionSpans';
import { reward } from '../../../src/eval/export/rollouts';
import type { ResultRecord } from '../../../src/eval/results';
import { curriculumJsonl, curriculumStage, improvementPotential, passAtK, samplesToMarkdown, summarizeSamples } from '../../../src/eval/sampling';
import type { ExecResult } from '../../../src/sandbox/types';

/** The definition: the share of k-subsets of n samples (c right) that hold at least one right one. */
function passAtKByEnumeration(n: number, c: number, k: number): number {
  const outcomes = Array.from({ length: n }, (_, i) => i < c);
  let hit = 0;
  let all = 0;
  const choose = (start: number, left: number, any: boolean): void => {
    if (left === 0) {
      all++;
      if (any) hit++;
      return;
    }
    for (let i = start; i <= n - left; i++) choose(i + 1, left - 1, any || outcomes[i] === true);
  };
  choose(0, k, false);
  return hit / all;
}

function res(id: string, sample: number, correct: boolean, extra: Partial<ResultRecord> = {}): ResultRecord {
  return {
    id,
    task: id.split('/')[0] ?? id,
    question: 'q',
    answer: correct ? '1' : '0',
    correct,
    reason: '',
    turns: 1,
    codeCalls: 0,
    usedCode: false,
    durationMs: 1,
    model: 'm',
    temperature: 0.6,
    textOnly: false,
    sample,
    ...extra,
  };
}

describe('pass@k', () => {
  it('equals the enumerated definition for every n ≤ 8, c, k', () => {
    for (let n = 1; n <= 8; n++) for (let c = 0; c <= n; c++) for (let k = 1; k <= n; k++) expect(passAtK(n, c, k)).toBeCloseTo(passAtKByEnumeration(n, c, k), 12);
  });

  it('stays finite and in [0, 1] where binomials overflow (n = 2000)', () => {
    const v = passAtK(2000, 3, 100);
    expect(v).toBeGreaterThan(0.14);
    expect(v).toBeLessThan(0.15);
    expect(passAtK(2000, 0, 1000)).toBe(0);
    expect(passAtK(2000, 1001, 1000)).toBe(1);
  });

  it('refuses k > n and counts out of range', () => {
    expect(() => passAtK(3, 1, 4)).toThrow(RangeError);
    expect(() => passAtK(3, 4, 1)).toThrow(RangeError);
  });
});

describe('improvement potential and curriculum stages', () => {
  it('is 4p(1−p): 1 at p = ½, 0 at p = 0 and 1', () => {
    expect(improvementPotential(0.5)).toBe(1);
    expect(improvementPotential(0)).toBe(0);
    expect(improvementPotential(1)).toBe(0);
    expect(improvementPotential(0.25)).toBeCloseTo(0.75);
  });

  it('puts p near ½ first and always-right / always-wrong questions in stage 0', () => {
    expect([0.5, 0.25, 0.75, 0.2, 0.1, 0.05, 0, 1].map((p) => curriculumStage(improvementPotential(p)))).toEqual([1, 1, 1, 2, 3, 4, 0, 0]);
  });
});

describe('summarizeSamples', () => {
  it('computes p, Π, pass@k and mean@k per question, task and overall; errors are not samples; the last attempt counts', () => {
    const results = [
      ...[true, false, false, false].map((c, i) => res('t1/a', i, c)),
      ...[true, true, true, true].map((c, i) => res('t1/b', i, c)),
      ...[false, true, false, true].map((c, i) => res('t2/c', i, c)),
      res('t2/d', 0, false),
      res('t2/d', 1, false, { error: 'server down' }),
      // a resumed run redid sample 0 of t2/d: the later result counts
      res('t2/d', 0, true),
    ];
    const s = summarizeSamples(results);
    expect(s.k).toBe(4);
    expect(s.questions.map((q) => [q.id, q.n, q.correct, q.p, q.stage])).toEqual([
      ['t2/c', 4, 2, 0.5, 1],
      ['t1/a', 4, 1, 0.25, 1],
      ['t1/b', 4, 4, 1, 0],
      ['t2/d', 1, 1, 1, 0],
    ]);
    expect(s.incomplete).toBe(1);
    // pass@4 over the complete questions: a 1, b 1, c 1.
    expect(s.overall.passAtK).toBe(1);
    expect(s.overall.meanAtK).toBeCloseTo((0.25 + 1 + 0.5 + 1) / 4);
    expect(s.tasks.map((t) => [t.task, t.questions])).toEqual([
      ['t1', 2],
      ['t2', 2],
    ]);
    expect(summarizeSamples(results, 2).overall.passAtK).toBeCloseTo((passAtK(4, 1, 2) + 1 + passAtK(4, 2, 2)) / 3);
    const lines = curriculumJsonl(s)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; stage: number; potential: number });
    expect(lines.map((l) => l.id)).toEqual(['t2/c', 't1/a', 't1/b', 't2/d']);
    expect(lines[0]).toMatchObject({ stage: 1, potential: 1 });
  });
});

describe('pass@k of an unfinished run', () => {
  it('with the k the run asked for, a row none of whose questions has k samples shows pass@k as —, never 0% or pass@(fewer)', () => {
    const results = [...[true, false].map((c, i) => res('t1/a', i, c)), ...[false, false, false].map((c, i) => res('t2/b', i, c))];
    const s = summarizeSamples(results, 3);
    expect(s.k).toBe(3);
    expect([s.overall.complete, s.incomplete]).toEqual([1, 1]);
    expect(s.tasks.map((t) => [t.task, t.complete])).toEqual([
      ['t1', 0],
      ['t2', 1],
    ]);
    const md = samplesToMarkdown(s);
    expect(md).toContain('| t1 | 1 | — | 50.0% | 1.00 |');
    expect(md).toContain('| t2 | 1 | 0.0% | 0.0% | 0.00 |');
    expect(md).toContain('| **Overall** | 2 | 0.0% | 25.0% | 0.50 |');
    expect(md).not.toContain('not known');
    const none = samplesToMarkdown(summarizeSamples(results.slice(0, 2), 3));
    expect(none).toContain('| **Overall** | 1 | — | 50.0% | 1.00 |');
    expect(none).toContain('pass@3 is not known yet: no question has 3 finished samples');
  });
});

describe('reward', () => {
  it('is 1 / 0 with the v2 format and turn terms as options', () => {
    expect(reward(res('a', 0, true))).toBe(1);
    expect(reward(res('a', 0, false))).toBe(0);
    expect(reward(res('a', 0, true), { format: true })).toBe(1.1);
    expect(reward(res('a', 0, false, { answer: null }), { format: true })).toBe(-0.1);
    // Right, but only as \boxed{} or printed by the code: not the format the question asks for.
    expect(reward(res('a', 0, true, { answerSource: 'model-boxed' }), { format: true })).toBe(0.9);
    expect(reward(res('a', 0, true, { answerSource: 'code-output' }), { format: true })).toBe(0.9);
    expect(reward(res('a', 0, true, { turns: 7 }), { format: true, turnPenalty: true })).toBe(1);
    expect(reward(res('a', 0, true, { turns: 6 }), { turnPenalty: true })).toBe(1);
  });
});

describe('executionSpans', () => {
  const exec = (stdout: string): ExecResult => ({ stdout, stderr: '', exitCode: 0, durationMs: 1, timedOut: false, truncated: false, artifacts: [] });

  it('covers only what the harness injected, not a results header the model wrote itself', () => {
    const fake = 'Code Execution Results:\n99\n\nLet me check that.\n\n```python\nprint(1)\n```';
    const turns: TrajectoryTurn[] = [
      { turn: 0, text: fake, cell: { index: 0, language: 'python', code: 'print(1)', result: exec('1\n') } },
      { turn: 1, text: 'So <<<1>>>' },
    ];
    for (const mode of ['r1ci', 'chat'] as const) {
      let messages = appendExecution(initialMessages('Q', true), mode, fake, formatExecution(exec('1\n')));
      messages = mode === 'r1ci' ? [messages[0]!, { role: 'assistant', content: `${messages[1]!.content}So <<<1>>>` }] : [...messages, { role: 'assistant', content: 'So <<<1>>>' }];
      const spans = executionSpans(messages, turns);
      expect(spans).toHaveLength(1);
      const s = spans![0]!;
      expect(messages[s.message]!.content.slice(s.start, s.end)).toBe('Code Execution Results:\n1\n');
    }
  });

  it('gives no spans when the messages do not replay from the turns', () => {
    const turns: TrajectoryTurn[] = [{ turn: 0, text: 'x\n```python\nprint(1)\n```', cell: { index: 0, language: 'python', code: 'print(1)', result: exec('1\n') } }];
    expect(
      executionSpans(
        [
          { role: 'user', content: 'Q' },
          { role: 'assistant', content: 'something else' },
        ],
        turns,
      ),
    ).toBeUndefined();
  });
});
