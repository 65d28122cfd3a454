// Folders that each hold one question, in the layouts CodeSteer-v1.0 publishes SymBench in:
// <family>/sample_N/question.txt + solution.json, Blocksworld, number_multiply, Letters, BoxLift
// and BoxNet1. The family is read from the folder names (nearest first), never guessed from the
// keys of solution.json: families share key names (`solution`) with different meanings.
// docs/task-files.md has the table.

import path from 'node:path';
import { z } from 'zod';
import { parseIntMatrix } from '../answerText';
import { add, div, mul, rational, type Rational } from '../rational';
import { readDatasetText } from '../safeRead';
import { parseBookRules, parseEquation, type FamilyName, FAMILY_CHECKERS, type Equation } from '../scorers/families';
import { ANSWER_FORMAT_INSTRUCTION, type LoadedItem, type LoadProblem, type ScorerSpec } from '../types';
import { loadBlocksworldSample } from './blocksworld';
import { boxLiftQuestion, estimateBoxLiftSteps } from './boxLift';
import { boxNetQuestion, boxNetSize } from './boxNet';

const cells = z.array(z.tuple([z.number().int(), z.number().int()]));
const intGrid = z.array(z.array(z.number().int()));

type Built = { ok: true; scorer: ScorerSpec } | { ok: false; error: string };
type Builder = (data: unknown, question: string) => Built;

function issues(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validates `data` with `schema`, then builds the scorer from it. */
function using<T>(schema: z.ZodType<T>, build: (d: T, question: string) => Built): Builder {
  return (data, question) => {
    const p = schema.safeParse(data);
    return p.success ? build(p.data, question) : { ok: false, error: `solution.json: ${issues(p.error)}` };
  };
}

/** A `{kind: "family"}` scorer whose data the family's own schema accepts. */
function family(name: FamilyName, data: unknown): Built {
  const problem = FAMILY_CHECKERS[name].validate(data);
  return problem === null ? { ok: true, scorer: { kind: 'family', family: name, data } } : { ok: false, error: problem };
}

const sudoku = using(z.object({ puzzle: intGrid, solution: intGrid }), (d) => ({ ok: true, scorer: { kind: 'sudoku', puzzle: d.puzzle, solution: d.solution, jsonOnly: true } }));

const queens = using(z.object({ initial_board: z.array(z.string()).optional(), blocked_positions: cells, placed_queens: cells, solution: cells.optional() }), (d) => ({
  ok: true,
  scorer: { kind: 'queens', size: d.initial_board?.length ?? 8, placed: d.placed_queens, blocked: d.blocked_positions, solution: d.solution },
}));

const logicPuzzle = using(z.object({ grid: intGrid, solution: cells, constraints: z.object({ type: z.enum(['sum_le_4', 'product_gt_0']) }) }), (d, question) => {
  // How many to select and the forced first cell are stated only in the question text.
  const select = /select\s+(\d+)\s+different/i.exec(question)?.[1];
  const start = /square\s*\((\d+)\s*,\s*(\d+)\)\s*as the first selected/i.exec(question);
  return {
    ok: true,
    scorer: {
      kind: 'logic_puzzle',
      grid: d.grid,
      select: select ? Number(select) : d.solution.length,
      start: start?.[1] && start[2] ? [Number(start[1]), Number(start[2])] : undefined,
      constraint: d.constraints.type,
      solution: d.solution,
    },
  };
});

const combinatorial = using(z.object({ numbers: z.array(z.number()), target: z.number(), solution: z.array(z.union([z.string(), z.number()])).optional() }), (d, question) => ({
  ok: true,
  scorer: {
    kind: 'arithmetic_target',
    numbers: d.numbers.map(String),
    target: String(d.target),
    ordered: /cannot change the order|order of the numbers is determined/i.test(question),
    ...(d.solution ? { solution: `[${d.solution.map(String).join(', ')}]` } : {}),
  },
}));

const game2048 = using(z.object({ solution: z.string() }), (d) => {
  const expected = parseIntMatrix(d.solution);
  return expected ? family('rows_on_lines', { expected }) : { ok: false, error: 'solution: not a matrix of integers' };
});

const integerAnswer = using(z.object({ solution: z.number().int() }), (d) => family('integer', { solution: d.solution }));
/**
 * The exact value of a new_operator calculation, as the nearest double: `Calculate a~b.`,
 * `Calculate (a~b)&c.` or `Calculate (a~b)&c@d.`, each operator defined as `k*a+m*b`, `k*a*b` or
 * `(a + b)/b` (the generator's three templates), the steps after the parenthesis taken left to
 * right (the question gives its operators no precedence; left to right is the usual order for
 * operators of equal standing). Undefined for any other shape or an unknown operator.
 * The generator computes with Python floats (7/5 is stored as 1.4000000000000001) and, for
 * `(a~b)&c@d`, returns only the first of its operators `# @ $ & % ~` applied to the two numbers
 * around it (sample_0 stores 90 = 5@6), which no order of evaluation gives.
 */
function newOperatorExact(question: string): number | undefined {
  const defs = new Map<string, string>();
  for (const m of question.matchAll(/Define a(\S)b to be ([^\n]+?)\.\s*$/gm)) defs.set(m[1] ?? '', (m[2] ?? '').trim());
  const calc = /^Calculate (.+)\.\s*$/m.exec(question)?.[1]?.trim() ?? '';
  const m = /^(?:\((\d+)(\S)(\d+)\)((?:[^\d\s()]\d+){0,2})|(\d+)([^\d\s()])(\d+))$/.exec(calc);
  if (!m) return undefined;
  const apply = (op: string, a: Rational | null, b: Rational): Rational | null => {
    if (a === null) return null;
    const f = defs.get(op) ?? '';
    let t;
    if ((t = /^(\d+)\*a\+(\d+)\*b$/.exec(f))) return add(mul(rational(BigInt(t[1] ?? '0')), a), mul(rational(BigInt(t[2] ?? '0')), b));
    if ((t = /^(\d+)\*a\*b$/.exec(f))) return mul(mul(rational(BigInt(t[1] ?? '0')), a), b);
    if (/^\(a \+ b\)\/b$/.test(f)) return div(add(a, b), b);
    return null;
  };
  const num = (t: string | undefined): Rational => rational(BigInt(t ?? '0'));
  let value: Rational | null;
  if (m[2] !== undefined) {
    value = apply(m[2], num(m[1]), num(m[3]));
    for (const step of (m[4] ?? '').matchAll(/([^\d\s()])(\d+)/g)) value = apply(step[1] ?? '', value, num(step[2]));
  } else value = apply(m[6] ?? '', num(m[5]), num(m[7]));
  if (value === null) return undefined;
  const limit = 2n ** 53n;
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  // Both parts exact as doubles, so one IEEE division rounds the fraction correctly.
  return abs(value.num) < limit && value.den < limit ? Number(value.num) / Number(value.den) : undefined;
}

const floatAnswer = using(z.object({ solution: z.number() }), (d, question) => {
  const exact = newOperatorExact(question);
  return family('float', { solution: d.solution, ...(exact !== undefined && exact !== d.solution ? { exact } : {}) });
});
const stringInsertion = using(z.object({ modified_string: z.string() }), (d) => family('exact_string', { expected: d.modified_string }));
const cryptanalysis = using(z.object({ answer: z.array(z.string()) }), (d) => family('quoted_list', { expected: d.answer }));
const stringSplitting = using(z.object({ expected_answer: z.array(z.string()) }), (d) => family('quoted_list', { expected: d.expected_answer }));
const stringSynthesis = using(z.object({ final_counts: z.array(z.number().int()) }), (d) => family('digit_counts', { expected: d.final_counts }));
const stringDeletion = using(z.object({ final_string: z.string() }), (d) => family('quoted_string', { expected: d.final_string }));
const patternRecognition = using(z.object({ row: z.number().int(), column: z.number().int() }), (d) => family('row_column', { row: d.row, column: d.column }));
const matrixTransformation = using(z.object({ formatted_solution: z.string() }), (d) => family('comma_separated', { expected: d.formatted_solution.split(',').map((s) => s.trim()), integers: false }));
const reversi = using(z.object({ solution: z.string() }), (d) => family('comma_separated', { expected: d.solution.split(',').map((s) => s.trim()), integers: false }));
const flatIntegers = (pick: (d: { solution: unknown }) => unknown): Builder =>
  using(z.object({ solution: z.unknown() }), (d) => {
    const flat = z.array(z.number().int()).safeParse(pick(d));
    return flat.success ? family('comma_separated', { expected: flat.data.map(String), integers: true }) : { ok: false, error: 'solution: not a list of integers' };
  });
const pooling = flatIntegers((d) => (Array.isArray(d.solution) ? (d.solution as unknown[]).flat() : d.solution));
const lightPuzzles = flatIntegers((d) => d.solution);
/**
 * mahjong_pattern: the final round's result under the rules the question states, when the
 * question states no Chi rule (complexity 1 and 2): Peng (1) when the hand already holds two of
 * the added card, else Pass (0). The generator applies its Chi rule (2) at every complexity, so a
 * few stored answers are 2 where the question offers only 0 and 1 (sample_2). Undefined when the
 * question states Chi (the stored answer follows the stated rules there) or cannot be read.
 */
function mahjongStatedResult(question: string): number | undefined {
  if (/\bChi\b/.test(question)) return undefined;
  const initial = /Given the initial cards:\s*([A-Z]+)/.exec(question)?.[1];
  const rounds = [...question.matchAll(/Round \d+: Add a ([A-Z]) card(?: and remove a ([A-Z]) card)?/g)];
  if (initial === undefined || rounds.length === 0) return undefined;
  const hand = [...initial];
  let result = 0;
  for (const [, added = '', removed] of rounds) {
    result = hand.filter((c) => c === added).length >= 2 ? 1 : 0;
    hand.push(added);
    if (removed !== undefined) {
      const at = hand.indexOf(removed);
      if (at < 0) return undefined;
      hand.splice(at, 1);
    }
  }
  return result;
}

const mahjong = using(z.object({ solution: z.number().int() }), (d, question) => {
  const stated = mahjongStatedResult(question);
  return family('integer', { solution: d.solution, ...(stated !== undefined && stated !== d.solution ? { stated } : {}) });
});

const synthesis = using(z.object({ solution: z.object({ answer: z.array(z.string()).min(3) }) }), (d, question) => {
  // The question names the list it wants: "[remaining_A, remaining_B, obtained_X]".
  const asked = /as a list showing \[([^\]]+)\]/i.exec(question)?.[1];
  const length = asked ? asked.split(',').length : 3;
  return family('synthesis_list', { answer: d.solution.answer, length });
});

const letterLogic = using(z.object({ grid: z.array(z.array(z.string().nullable())) }), (d, question) => {
  const letters = /letters\s*\{([a-z])\.\.([a-z])\}/i.exec(question);
  const from = letters?.[1]?.charCodeAt(0) ?? 97;
  const to = letters?.[2]?.charCodeAt(0) ?? 96 + d.grid.length;
  return family('letter_logic', { grid: d.grid, letters: Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i)) });
});

const permutations = using(z.object({ items: z.array(z.string()), constraints_text: z.string(), correct_solution: z.array(z.string()).optional() }), (d) => {
  // A constraint the checker cannot read would be skipped silently: refuse the sample instead.
  const unknown = parseBookRules(d.constraints_text).unknown;
  if (unknown.length > 0) return { ok: false, error: `constraints_text: cannot read "${unknown[0] ?? ''}"` };
  return family('book_arrangement', { items: d.items, constraints: d.constraints_text, ...(d.correct_solution ? { example: d.correct_solution } : {}) });
});

/** Who beats whom, read from the question's own rules (both directions folded in). */
export function parseCardRules(gameType: string, question: string): { cards: string[]; beats: Record<string, string[]> } | null {
  const beats: Record<string, string[]> = {};
  const win = (x: string, y: string): void => {
    (beats[x] ??= []).push(y);
  };
  if (gameType === 'elements') {
    const gen = [...question.matchAll(/\b[A-Z][a-z]+ ([A-Z]) generates [A-Z][a-z]+ ([A-Z])\b/g)];
    const over = [...question.matchAll(/\b[A-Z][a-z]+ ([A-Z]) overcomes [A-Z][a-z]+ ([A-Z])\b/g)];
    if (gen.length === 0 || over.length === 0) return null;
    // Rule 1: the holder of the generating card loses; rule 2: the holder of the overcoming card wins.
    for (const m of gen) win(m[2] ?? '', m[1] ?? '');
    for (const m of over) win(m[1] ?? '', m[2] ?? '');
    const cards = [...new Set([...gen, ...over].flatMap((m) => [m[1] ?? '', m[2] ?? '']))].sort();
    return { cards, beats };
  }
  const named = new Map([...question.matchAll(/\b([A-Z][a-z]+) \(([A-Z])\)/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
  if (named.size === 0) return null;
  const cards = [...named.values()];
  if (gameType === 'stick_game') {
    const pairs = [...question.matchAll(/\b([A-Z][a-z]+) (?:beats|eats) ([A-Z][a-z]+)/g)];
    for (const m of pairs) {
      const x = named.get(m[1] ?? '');
      const y = named.get(m[2] ?? '');
      if (!x || !y) return null;
      win(x, y);
    }
    return pairs.length > 0 ? { cards, beats } : null;
  }
  if (gameType === 'animal') {
    // Ranked from largest to smallest; a larger piece captures a smaller one.
    cards.forEach((x, i) => cards.slice(i + 1).forEach((y) => win(x, y)));
    const special = /\b([A-Z][a-z]+) can capture the ([A-Z][a-z]+)/.exec(question);
    const small = named.get(special?.[1] ?? '');
    const big = named.get(special?.[2] ?? '');
    if (small && big) {
      win(small, big);
      beats[big] = (beats[big] ?? []).filter((c) => c !== small);
    }
    return { cards, beats };
  }
  return null;
}

const cardGame = using(z.object({ game_type: z.string(), player_moves: z.array(z.string()), results: z.array(z.enum(['win', 'loss', 'draw'])), solution: z.array(z.string()).optional() }), (d, question) => {
  const rules = parseCardRules(d.game_type, question);
  if (!rules) return { ok: false, error: `cannot read the rules of the "${d.game_type}" game from question.txt` };
  return family('card_game', { ...rules, myMoves: d.player_moves, results: d.results, ...(d.solution ? { example: d.solution } : {}) });
});

/**
 * The text of a numbered line ("1. C + J = 186" → "C + J = 186"; `line` trimmed), or undefined: what
 * `/^\d+\.\s+(.*)$/` captures, in linear time (with a line break inside the text that regex gave
 * the blanks back one at a time: seconds on a line of 64,000 of them).
 */
function numberedLineText(line: string): string | undefined {
  const head = /^\d+\.\s+/.exec(line);
  const text = head ? line.slice(head[0].length) : '';
  return text !== '' && !/[\r\u2028\u2029]/.test(text) ? text : undefined;
}

const logicalEquation = using(z.array(z.number()), (d, question) => {
  const numbers = /each representing one of the numbers ([\d.,\s]+?)\.\s/i.exec(question)?.[1];
  const given = numbers ? numbers.split(',').map((s) => Number(s.trim())) : [...d];
  // The constraints are the numbered lines ("1. C + J = 186"), as the authors read them.
  const equations: Equation[] = [];
  for (const line of question.split('\n')) {
    const constraint = numberedLineText(line.trim());
    if (!constraint) continue;
    const e = parseEquation(constraint);
    if (!e) return { ok: false, error: `cannot read the constraint "${constraint}"` };
    equations.push(e);
  }
  if (equations.length === 0) return { ok: false, error: 'no numbered constraints in question.txt' };
  return family('letter_values', { numbers: given, equations, example: d });
});

/** SymBench families by folder name (nearest matching folder wins), with their builders. */
const SYMBENCH_FAMILIES: ReadonlyArray<readonly [RegExp, Builder]> = [
  [/^standard_sudoku/, sudoku],
  [/^eight_queens_dataset/, queens],
  [/^logic_puzzle_dataset/, logicPuzzle],
  [/^combinatorial_calculation/, combinatorial],
  [/^2048_dataset/, game2048],
  [/^statistical_counting_dataset/, integerAnswer],
  [/^mahjong_pattern_dataset/, mahjong],
  [/^new_operator_dataset/, floatAnswer],
  [/^string_insertion/, stringInsertion],
  [/^cryptanalysis/, cryptanalysis],
  [/^string_splitting/, stringSplitting],
  [/^string_synthesis/, stringSynthesis],
  [/^string_deletion_and_modification/, stringDeletion],
  [/^pattern_recognition/, patternRecognition],
  [/^synthesis_decomposition/, synthesis],
  [/^matrix_transformation/, matrixTransformation],
  [/^reversi/, reversi],
  [/^pooling/, pooling],
  [/^light_puzzles/, lightPuzzles],
  [/^letter_logic_diagram/, letterLogic],
  [/^permutations_and_combinations/, permutations],
  [/^constrained_linear_arrangement/, cardGame],
  [/^logical_equation/, logicalEquation],
];

/**
 * The family folder of a sample: the nearest folder above it whose name is a known family,
 * looking no higher than the folder the user gave (`id` is the sample's path relative to it),
 * so a folder name outside the data never decides.
 */
function findFamily(dir: string, id: string): { name: string; build: Builder } | undefined {
  const segments = path.resolve(dir).split(path.sep).slice(0, -1).reverse().slice(0, id.split('/').length);
  for (const seg of segments) {
    const hit = SYMBENCH_FAMILIES.find(([re]) => re.test(seg));
    if (hit) return { name: seg, build: hit[1] };
  }
  return undefined;
}

export type SampleLayout = 'symbench' | 'blocksworld' | 'number_multiply' | 'letters' | 'boxlift' | 'boxnet';

/** Which one-question folder layout a folder's file names show, if any. */
export function sampleFolderLayout(names: ReadonlySet<string>): SampleLayout | undefined {
  if (names.has('question.txt') || names.has('solution.json')) return 'symbench';
  if (names.has('blocksworld_task.txt')) return 'blocksworld';
  if (names.has('target_answer.txt') && names.has('input_prompt_1.txt')) return 'number_multiply';
  if (names.has('test_words.json')) return 'letters';
  if (names.has('BoxLift.json')) return 'boxlift';
  if ([...names].some((n) => /^pg_state\d+\.json$/.test(n))) return 'boxnet';
  return undefined;
}

async function readText(file: string): Promise<string | { problem: LoadProblem }> {
  try {
    return await readDatasetText(file);
  } catch {
    return { problem: { file, message: `cannot read ${path.basename(file)}` } };
  }
}

/**
 * Reads `file` and parses it as JSON. Returns `{ value }` or a load problem: "cannot read <name>"
 * when the file cannot be read, "invalid JSON" when it does not parse.
 */
async function readJson(file: string): Promise<{ value: unknown } | { problem: LoadProblem }> {
  const raw = await readText(file);
  if (typeof raw !== 'string') return raw;
  try {
    return { value: JSON.parse(raw) };
  } catch {
    return { problem: { file, message: 'invalid JSON' } };
  }
}

/** The Letters question, as the authors' harness writes it (`create_prompt` in run_letters_baseline_methods.py). */
export function lettersQuestion(word: string, letter: string): string {
  return (
    `How many '${letter}'s are in the word '${word}' and what are their positions? The position in the word counts from 1 not 0.\n` +
    'Surround the answer with <<<content>>>. Please respond in the format: <<<Count: X, Positions: [Y, Z, ...]>>>, such as <<<Count: 2, Positions: [1, 3]>>>.\nYour answer:\n'
  );
}

/**
 * Loads one question folder; `id` is its path relative to the folder the user gave. Never
 * throws: unreadable or invalid data is a problem, a recognised but unscored layout is
 * `unsupported`.
 */
export async function loadSampleFolder(dir: string, id: string, names: ReadonlySet<string>): Promise<LoadedItem> {
  const layout = sampleFolderLayout(names);
  const parent = path.basename(path.dirname(dir));
  switch (layout) {
    case undefined:
      return { problem: { file: dir, message: 'not a question folder' } };
    case 'blocksworld':
      return loadBlocksworldSample(path.join(dir, 'blocksworld_task.txt'), id, parent);
    case 'boxnet': {
      const name = [...names].find((n) => /^pg_state\d+\.json$/.test(n)) ?? '';
      const file = path.join(dir, name);
      const json = await readJson(file);
      if ('problem' in json) return json;
      const parsed = json.value;
      const p = z.record(z.string(), z.array(z.string())).safeParse(parsed);
      const size = p.success ? boxNetSize(p.data) : null;
      if (!p.success || !size) return { problem: { file, message: 'expected {"0.5_0.5": ["box_red", "target_red", ...], ...} covering a full grid' } };
      return {
        record: {
          id,
          task: findNamed(dir, /^BoxNet1_dataset/) ?? 'BoxNet1',
          question: boxNetQuestion(size.rows, size.cols, p.data),
          scorer: { kind: 'family', family: 'box_net', data: { ...size, squares: p.data } },
          source: { file },
          metadata: { layout: 'boxnet' },
        },
      };
    }
    case 'boxlift': {
      const file = path.join(dir, 'BoxLift.json');
      const json = await readJson(file);
      if ('problem' in json) return json;
      const parsed = json.value;
      const p = z.object({ boxes: z.array(z.number().positive()).min(1), lifters: z.array(z.number().positive()).min(1) }).safeParse(parsed);
      if (!p.success) return { problem: { file, message: `expected {"boxes": [...], "lifters": [...]}: ${issues(p.error)}` } };
      const maxSteps = estimateBoxLiftSteps(p.data.boxes, p.data.lifters);
      if (!Number.isFinite(maxSteps)) return { problem: { file, message: 'a box is heavier than all lifters together' } };
      return {
        record: {
          id,
          task: findNamed(dir, /^BoxLift_dataset/) ?? 'BoxLift',
          question: boxLiftQuestion(p.data.boxes, p.data.lifters, maxSteps),
          scorer: { kind: 'family', family: 'box_lift', data: { ...p.data, maxSteps } },
          source: { file },
          metadata: { layout: 'boxlift' },
        },
      };
    }
    case 'number_multiply': {
      const q = await readText(path.join(dir, 'input_prompt_1.txt'));
      if (typeof q !== 'string') return q;
      const t = await readText(path.join(dir, 'target_answer.txt'));
      if (typeof t !== 'string') return t;
      const expected = t.trim();
      const problem = FAMILY_CHECKERS.exact_integer.validate({ expected });
      if (problem !== null) return { problem: { file: path.join(dir, 'target_answer.txt'), message: `not an integer: "${expected}"` } };
      return {
        record: {
          id,
          task: findNamed(dir, /^number_multiply/) ?? parent,
          question: `${q.trim()}\n${ANSWER_FORMAT_INSTRUCTION}`,
          scorer: { kind: 'family', family: 'exact_integer', data: { expected } },
          source: { file: path.join(dir, 'input_prompt_1.txt') },
          metadata: { layout: 'number_multiply' },
        },
      };
    }
    case 'letters': {
      const file = path.join(dir, 'test_words.json');
      const json = await readJson(file);
      if ('problem' in json) return json;
      const word = json.value;
      // The letter is the first character of the folder name (a_1_1: letter a, frequency 1, index 1).
      const letter = path.basename(dir)[0] ?? '';
      if (typeof word !== 'string' || !/^[a-z]$/.test(letter)) return { problem: { file, message: 'expected the word as a JSON string in a folder named <letter>_<freq>_<index>' } };
      return {
        record: {
          id,
          task: 'Letters',
          question: lettersQuestion(word, letter),
          scorer: { kind: 'family', family: 'letter_count', data: { word, letter } },
          source: { file },
          metadata: { layout: 'letters' },
        },
      };
    }
    case 'symbench':
      return loadSymbenchSample(dir, id);
  }
}

function findNamed(dir: string, re: RegExp): string | undefined {
  return path
    .resolve(dir)
    .split(path.sep)
    .reverse()
    .find((s) => re.test(s));
}

/** Loads <family>/sample_N (question.txt + solution.json). */
async function loadSymbenchSample(dir: string, id: string): Promise<LoadedItem> {
  const questionFile = path.join(dir, 'question.txt');
  const solutionFile = path.join(dir, 'solution.json');
  const question = await readText(questionFile);
  if (typeof question !== 'string') return question;
  const rawSolution = await readText(solutionFile);
  if (typeof rawSolution !== 'string') return { problem: { file: solutionFile, message: 'cannot read solution.json (a SymBench sample needs question.txt and solution.json)' } };
  let data: unknown;
  try {
    data = JSON.parse(rawSolution);
  } catch (e) {
    return { problem: { file: solutionFile, message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` } };
  }
  const fam = findFamily(dir, id);
  if (!fam) {
    return {
      unsupported: {
        id,
        task: path.basename(path.dirname(dir)),
        file: dir,
        reason: `unknown SymBench family "${path.basename(path.dirname(dir))}": its answer format is not known, so it is not scored (known: ${SYMBENCH_FAMILIES.map(([re]) => re.source.slice(1)).join(', ')})`,
      },
    };
  }
  const built = fam.build(data, question);
  if (!built.ok) return { problem: { file: solutionFile, message: built.error } };
  const text = question.trimEnd();
  return {
    record: {
      id,
      task: fam.name,
      question: text.includes('<<<') ? text : `${text}\n${ANSWER_FORMAT_INSTRUCTION}`,
      scorer: built.scorer,
      source: { file: questionFile },
      metadata: { layout: 'symbench', data },
    },
  };
}
