// The SymBench/BBH/game-24 conformance corpus (../shared/conformance/symbench.jsonl) as a test:
// every candidate reply is scored through the same path as `r1ci score` (load the folder, find
// the item by its id, extract the answer from the whole reply, score it), and the verdict must
// equal `statement_verdict` (the question's own rules) wherever that is not null. Cases of the
// same format in test/fixtures (FIXTURES) are checked alongside.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadTasks } from '../../../src/eval/load';
import { indexTasks, scoreSubmission, type TaskIndex } from '../../../src/eval/scoreAnswers';
import type { TaskRecord } from '../../../src/eval/types';
import { sharedConformanceCases, sharedTasksDir } from '../../support/sharedTasks';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const caseSchema = z.object({
  family: z.string(),
  sample: z.string(),
  question_path: z.string(),
  candidate: z.string(),
  authors_verdict: z.boolean().nullable(),
  statement_verdict: z.boolean().nullable(),
  case_id: z.string(),
});
type Case = z.infer<typeof caseSchema>;

/**
 * Further cases in the corpus's format, checked against the authors' validators run for real:
 * the answer's surrounding characters stripped as Python's `str.strip()` strips them (their
 * extraction), in the families where the question and the authors agree; logical_equation
 * values as the authors' eval() reads them (ASCII digits only); BBH answers extracted as their
 * `<<<(.*?)>>>` pairs markers (answer lines starting with `>`, several answers in one fence).
 * Where the question's rules and the stored answer or the authors' check part (statement_verdict
 * follows the question): new_operator's exact value (7/5 stored as 1.4000000000000001),
 * mahjong answers by the rules the question states (no Chi below complexity 3), logical_equation
 * numbers each used once, Letters positions each listed once. Blocksworld plans checked against
 * the authors' validate_response (detours, moves onto the same stack, moves to a stack that does
 * not exist or to "table", which the question forbids: "You cannot create new stacks").
 * Number and list shapes (symbench_number_forms.jsonl: statistical_counting, new_operator,
 * mahjong, light_puzzles, pooling, reversi, matrix_transformation, string_insertion,
 * string_synthesis): blanks and newlines, Unicode
 * minus signs and digits, thousands separators, fractions, scientific notation, brackets, case,
 * trailing punctuation, LaTeX, partial lists, each checked against the authors' validator.
 * Answers whose marker sits in an inline code span (symbench_code_spans.jsonl, every family:
 * `` `<<<42>>>` ``, `**Final answer:** `<<<42>>>``): the authors' `<<<(.*?)>>>` reads the same
 * text as in the corpus case each one was made from, so that case's verdicts hold.
 * standard_sudoku grids in other forms (symbench_sudoku_forms.jsonl), the authors' validator run
 * for real: floats, exponents, rows on lines, strings, tuples, NaN; a blank cell's digit written
 * `5.5` or `7.000000000000001` passes theirs and breaks the question's 1–9 (statement false).
 * BBH targets in other forms (symbench_bbh_forms.jsonl, 3 examples of each of the 27 tasks:
 * spaces, period, bold, backticks, quotes, case, `\boxed{}`, a prefix, brackets added or
 * dropped, doubled spaces), against the corpus's exact-match stand-in.
 * Answer order (symbench_answer_order.jsonl, made from the code-span cases): a guess in prose
 * before the answer in a code span or an answer-only fenced block, and a guess in a code span
 * before the answer in prose; the authors read the last marker, the same text as the case's.
 * Markers written for the reader outside prose (symbench_written_markers.jsonl): a labelled
 * answer in a fenced block that does not run (bare, `text`, `markdown`, `output`), an answer-only
 * block holding the guess and the answer or the answer and a period, each after a guess in prose,
 * made from corpus cases as above; BoxNet plans (JSON, braces) in an inline code span, a text
 * block or printed as a literal by the only code block, the authors' extract_and_check and
 * score_in_training_set run for real.
 */
const FIXTURES = [
  'symbench_python_strip.jsonl',
  'symbench_logical_equation.jsonl',
  'symbench_extraction.jsonl',
  'symbench_new_operator.jsonl',
  'symbench_mahjong.jsonl',
  'symbench_letters.jsonl',
  'symbench_blocksworld_plans.jsonl',
  'symbench_number_forms.jsonl',
  'symbench_code_spans.jsonl',
  'symbench_sudoku_forms.jsonl',
  'symbench_bbh_forms.jsonl',
  'symbench_answer_order.jsonl',
  'symbench_written_markers.jsonl',
];
const fixtureCases = FIXTURES.flatMap((name) =>
  readFileSync(path.join(repoRoot, 'test', 'fixtures', name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => caseSchema.parse(JSON.parse(l))),
);
const cases: Case[] = [...sharedConformanceCases(repoRoot, 'symbench.jsonl').map((c) => caseSchema.parse(c)), ...fixtureCases];
let index: TaskIndex = indexTasks({ records: [], problems: [] });
/** game-24 rows are named by their Rank in the corpus: `<file id>|<rank>` → record. */
const byRank = new Map<string, TaskRecord>();

beforeAll(async () => {
  const loaded = await loadTasks(sharedTasksDir(repoRoot));
  expect(loaded.problems).toEqual([]);
  index = indexTasks(loaded);
  for (const r of loaded.records) {
    const rank = r.metadata['rank'];
    if (typeof rank === 'number') byRank.set(`${r.id.split('#')[0]}|${rank}`, r);
  }
});

/** The documented id of a corpus case's item (docs/task-files.md, "Ids"). */
function idOf(c: Case): string | undefined {
  const bbh = /^examples\[(\d+)\]$/.exec(c.sample);
  if (bbh) return `${c.question_path}#${bbh[1]}`;
  const rank = /^Rank=(\d+)$/.exec(c.sample);
  if (rank) return byRank.get(`${c.question_path}|${rank[1]}`)?.id;
  return path.posix.dirname(c.question_path);
}

describe('SymBench conformance corpus', () => {
  it('finds the item of every case by its documented id', () => {
    const missing = cases.filter((c) => !index.records.has(idOf(c) ?? '')).map((c) => c.case_id);
    expect(missing).toEqual([]);
  });

  const families = [...new Set(cases.map((c) => c.family))].sort();
  it.each(families)('%s: agrees with statement_verdict wherever it is not null', async (family) => {
    const decided = cases.filter((c) => c.family === family && c.statement_verdict !== null);
    expect(decided.length).toBeGreaterThan(0);
    const disagreements: string[] = [];
    for (const c of decided) {
      // The path of `r1ci score` with {"id", "text"}: the whole reply, the answer extracted as in a run.
      const verdict = await scoreSubmission(index, idOf(c) ?? '', { text: c.candidate });
      if (verdict.correct !== c.statement_verdict) disagreements.push(`${c.case_id}: expected ${String(c.statement_verdict)}, got ${String(verdict.correct)} (${verdict.reason}) answer=${JSON.stringify(verdict.answer)}`);
    }
    expect(disagreements).toEqual([]);
  });

  it('decides most cases (the corpus is not mostly null)', () => {
    expect(cases.filter((c) => c.statement_verdict !== null).length).toBeGreaterThan(900);
  });
});
