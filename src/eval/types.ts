// The common shape every task layout is loaded into, and the scorer specs.
// Records are validated with zod so a results file or a hand-written task file can be
// re-read safely; nothing here depends on VS Code.

import { z } from 'zod';

const cell = z.tuple([z.number().int(), z.number().int()]);
const intGrid = z.array(z.array(z.number().int()));
/** Stack name → blocks from bottom to top, in the order the task lists the stacks. */
const stacks = z.array(z.object({ name: z.string(), blocks: z.array(z.string()) }));

export const scorerSpecSchema = z.discriminatedUnion('kind', [
  /** Normalised exact text (whitespace, case, quotes, trailing period ignored). */
  z.object({ kind: z.literal('exact'), expected: z.string() }),
  /** Numbers equal up to a relative tolerance; "3.0" = "3", "1/2" = "0.5". */
  z.object({ kind: z.literal('number'), expected: z.string(), relTol: z.number().nonnegative().optional() }),
  /** Multiple choice: "(B)", "B", "b)" all mean B; `options` maps letters to option text when known. */
  z.object({ kind: z.literal('choice'), expected: z.string(), options: z.record(z.string(), z.string()).optional() }),
  /** A (possibly nested) list compared element by element after normalisation. */
  z.object({ kind: z.literal('list'), expected: z.array(z.unknown()) }),
  /** A numeric matrix (2048 boards), given as rows of numbers. */
  z.object({ kind: z.literal('matrix'), expected: intGrid }),
  /**
   * `jsonOnly`: the grid must be JSON (a list of 9 lists of 9 integers). SymBench asks for "a 9*9
   * matrix" and its authors read it with json.loads; our own task files accept any grid layout.
   */
  z.object({ kind: z.literal('sudoku'), puzzle: intGrid, solution: intGrid.optional(), jsonOnly: z.boolean().optional() }),
  z.object({
    kind: z.literal('queens'),
    size: z.number().int().positive(),
    placed: z.array(cell),
    blocked: z.array(cell),
    solution: z.array(cell).optional(),
  }),
  z.object({
    kind: z.literal('logic_puzzle'),
    grid: intGrid,
    select: z.number().int().positive(),
    start: cell.optional(),
    constraint: z.enum(['sum_le_4', 'product_gt_0']),
    solution: z.array(cell).optional(),
  }),
  z.object({ kind: z.literal('blocksworld'), initial: stacks, goal: stacks }),
  /** Reach `target` using each of `numbers` exactly once (in order when `ordered`). */
  z.object({
    kind: z.literal('arithmetic_target'),
    numbers: z.array(z.string()),
    target: z.string(),
    ordered: z.boolean(),
    solution: z.string().optional(),
  }),
  /**
   * A Reasoning-Gym item, scored like RG's own `score_answer` for `dataset` (partial credit in
   * [0, 1]); `answer` and `metadata` are the item's, as RG yields them.
   */
  z.object({
    kind: z.literal('reasoning_gym'),
    dataset: z.string(),
    answer: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
  }),
  /** A user-supplied Python checker, run through a `PythonCheckRunner`. */
  z.object({ kind: z.literal('python'), checkerFile: z.string(), expected: z.string().optional() }),
  /**
   * A benchmark family checked by its own rules (src/eval/scorers/families.ts): `family` names
   * the checker, `data` is what it reads (solution.json, the question's constraints, ...),
   * validated by that family's schema when the task loads.
   */
  z.object({ kind: z.literal('family'), family: z.string(), data: z.unknown() }),
]);

export type ScorerSpec = z.infer<typeof scorerSpecSchema>;
export type Cell = z.infer<typeof cell>;
export type Stacks = z.infer<typeof stacks>;

export const taskSourceSchema = z.object({
  file: z.string(),
  /** 1-based line for JSONL and CSV rows. */
  line: z.number().int().positive().optional(),
  /** 0-based index of the record inside a JSON array / examples list. */
  index: z.number().int().nonnegative().optional(),
});

export const taskRecordSchema = z.object({
  id: z.string(),
  /** Family / task name: "standard_sudoku", "navigate", "game24", ... */
  task: z.string(),
  /** The text to send to the model, with the answer-format instruction included. */
  question: z.string(),
  scorer: scorerSpecSchema,
  source: taskSourceSchema,
  metadata: z.record(z.string(), z.unknown()),
});
export type TaskRecord = z.infer<typeof taskRecordSchema>;

/** Something in a task file or folder that could not be loaded; the rest still loads. */
export interface LoadProblem {
  readonly file: string;
  readonly line?: number;
  readonly index?: number;
  readonly message: string;
}

/**
 * Questions that were recognised but cannot be scored yet (e.g. MATH needs a judge of
 * mathematical equivalence). They are not loaded as records, so nothing scores them as
 * something else; the CLI and the extension name them with the reason.
 */
export interface UnsupportedTask {
  /** The id the question would have (same scheme as records). */
  readonly id: string;
  readonly task: string;
  readonly file: string;
  readonly reason: string;
}

/** What loading one question (a sample folder) gives: a record, a problem, or an unsupported entry. */
export interface LoadedItem {
  readonly record?: TaskRecord;
  readonly problem?: LoadProblem;
  readonly unsupported?: UnsupportedTask;
}

export interface LoadResult {
  readonly records: TaskRecord[];
  readonly problems: LoadProblem[];
  /** Recognised questions that cannot be scored yet; absent means none. */
  readonly unsupported?: UnsupportedTask[];
  /** Files of a walked folder that were not read, with why (not a problem: the run goes on); absent means none. */
  readonly skipped?: SkippedFile[];
}

/**
 * A file below the folder given that holds no tasks by design: one of r1ci's own outputs (results,
 * answers, SFT or rollout exports) or a symbolic link, which is never followed below the target.
 */
export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

export interface ScoreResult {
  /** True only for a full score (`score === 1`): accuracy counts these. */
  readonly correct: boolean;
  /**
   * Credit in [0, 1]: 1 or 0 except where a benchmark's own scorer gives partial credit
   * (Reasoning-Gym); `correct` is `score === 1`.
   */
  readonly score: number;
  /** One sentence for people: why it is right or wrong. */
  readonly reason: string;
  /** The stored answer, formatted for display, when there is one. */
  readonly expected?: string;
}

/** What the paper's harness appends where the question itself does not ask for `<<<...>>>`. */
export const ANSWER_FORMAT_INSTRUCTION = 'Output final answer with the format <<<answer>>>.';
