// Entry points for scoring: dispatch on the record's scorer spec.

import { formatStacks, scoreBlocksworld } from './scorers/blocksworld';
import { scoreArithmeticTarget } from './scorers/arithmeticTarget';
import { scoreChoice, scoreExact, scoreList, scoreMatrix, scoreNumber } from './scorers/basic';
import { scoreLogicPuzzle, scoreQueens, scoreSudoku } from './scorers/puzzles';
import { familyExpected, scoreFamily } from './scorers/families';
import type { PythonCheckRunner } from './scorers/python';
import { extractFinalAnswer } from './answerText';
import { splitInlineReasoning } from '../agent/finalAnswer';
import { scoreReasoningGymRecord } from './scorers/reasoningGym';
import { pyStrip } from '../text/pythonStrip';
import type { ScoreResult, TaskRecord } from './types';

/**
 * Scores a final answer (the content of the model's last `<<<...>>>`, or null when it gave
 * none). Synchronous and total: it never throws. Records with a Python checker cannot be
 * scored here (they need a runner) and score as not correct; use `scoreAnswerAsync`.
 */
export function scoreAnswer(record: TaskRecord, answer: string | null): ScoreResult {
  const spec = record.scorer;
  // Reasoning-Gym scores the answer exactly as given, blank included (some datasets give 0.01).
  if (spec.kind === 'reasoning_gym' && answer !== null) return scoreReasoningGymRecord(spec, answer);
  // An empty <<<>>> is an answer only where nothing can be right (a Blocksworld task whose start
  // already is the goal: the empty plan); elsewhere it is no answer.
  if (answer === null || (answer.trim() === '' && spec.kind !== 'blocksworld')) {
    return { correct: false, score: 0, reason: 'no final answer', ...expectedOf(record) };
  }
  switch (spec.kind) {
    case 'exact':
      return scoreExact(spec.expected, answer);
    case 'number':
      return scoreNumber(spec.expected, answer, spec.relTol);
    case 'choice':
      return scoreChoice(spec.expected, answer, spec.options);
    case 'list':
      return scoreList(spec.expected, answer);
    case 'matrix':
      return scoreMatrix(spec.expected, answer);
    case 'sudoku':
      return scoreSudoku(spec.puzzle, spec.solution, answer, spec.jsonOnly ?? false);
    case 'queens':
      return scoreQueens(spec, answer);
    case 'logic_puzzle':
      return scoreLogicPuzzle(spec, answer);
    case 'blocksworld':
      return scoreBlocksworld(spec, answer);
    case 'arithmetic_target':
      return scoreArithmeticTarget(spec, answer);
    case 'family':
      return scoreFamily(spec.family, spec.data, pyStrip(answer));
    case 'reasoning_gym':
      return scoreReasoningGymRecord(spec, answer);
    case 'python':
      return { correct: false, score: 0, reason: 'needs a Python checker runner (use scoreAnswerAsync)', ...expectedOf(record) };
  }
}

/**
 * What `r1ci score` reads per line: the final answer as already extracted, or a whole model
 * reply from which it is extracted exactly as in a run.
 */
export type Submission = { readonly answer: string | null } | { readonly text: string };

/**
 * The final answer of a submission: `answer` as given, or the last `<<<...>>>` of `text` (null
 * when none). As in a run (runAgent.ts), a reply that is all reasoning (an unclosed `<think>`,
 * or text before a lone `</think>`) answers from its reasoning; a reply with text of its own never does.
 */
export function submittedAnswer(submission: Submission): string | null {
  if (!('text' in submission)) return submission.answer;
  const own = extractFinalAnswer(submission.text);
  if (own !== null) return own;
  const inline = splitInlineReasoning(submission.text);
  return inline.reply.trim() === '' ? extractFinalAnswer(inline.reasoning) : null;
}

export interface AsyncScoreOptions {
  readonly python?: PythonCheckRunner;
}

/** Like `scoreAnswer`, and also runs custom Python checkers through the injected runner. */
export async function scoreAnswerAsync(record: TaskRecord, answer: string | null, options: AsyncScoreOptions = {}): Promise<ScoreResult> {
  const spec = record.scorer;
  if (spec.kind !== 'python' || answer === null || answer.trim() === '') return scoreAnswer(record, answer);
  const shown = expectedOf(record);
  if (!options.python) return { correct: false, score: 0, reason: 'no Python checker runner available', ...shown };
  let verdict: boolean | { error: string };
  try {
    verdict = await options.python.check(spec.checkerFile, answer, record);
  } catch (e) {
    verdict = { error: e instanceof Error ? e.message : String(e) };
  }
  if (typeof verdict !== 'boolean') return { correct: false, score: 0, reason: `checker failed: ${verdict.error}`, ...shown };
  return { correct: verdict, score: verdict ? 1 : 0, reason: verdict ? 'the checker accepted the answer' : 'the checker rejected the answer', ...shown };
}

/** The stored answer for display, when the record has one. */
export function expectedOf(record: TaskRecord): { expected?: string } {
  const spec = record.scorer;
  switch (spec.kind) {
    case 'exact':
    case 'number':
    case 'choice':
      return { expected: spec.expected };
    case 'list':
      return { expected: JSON.stringify(spec.expected) };
    case 'matrix':
      return { expected: spec.expected.map((r) => r.join(', ')).join('\n') };
    case 'sudoku':
      return spec.solution ? { expected: spec.solution.map((r) => r.join(', ')).join('\n') } : {};
    case 'queens':
    case 'logic_puzzle':
      return spec.solution ? { expected: spec.solution.map(([r, c]) => `${r} ${c}`).join(', ') } : {};
    case 'blocksworld':
      return { expected: formatStacks(spec.goal) };
    case 'arithmetic_target':
      return spec.solution !== undefined ? { expected: spec.solution } : {};
    case 'family': {
      const expected = familyExpected(spec.family, spec.data);
      return expected !== undefined ? { expected } : {};
    }
    case 'reasoning_gym':
      return spec.answer !== null ? { expected: spec.answer } : {};
    case 'python':
      return spec.expected !== undefined ? { expected: spec.expected } : {};
  }
}
