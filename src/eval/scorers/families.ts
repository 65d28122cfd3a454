// Checkers for benchmark families whose answer format and rules are stated in each question
// (SymBench, CodeSteer-v1.0 layout; number_multiply; Letters; GSM-Hard). Each family declares
// the data it reads (validated with zod when the task loads) and a check that follows the
// question's own rules: constraint puzzles accept every valid answer, and the answer must be
// written in the format the question asks for. Where the question leaves the format open, the
// authors' parser (Python int/float/json.loads, comma splitting) decides, so verdicts stay
// comparable with theirs. docs/task-files.md lists every place where we differ from the
// authors' validators, with an example.

import { z } from 'zod';
import { numbersClose, parseLiteral, stripQuotes, type Literal } from '../answerText';
import type { ScoreResult } from '../types';
import { pyAsciiDigits } from '../reasoningGym/py';
import { commaParts, jsonValue, pyFloat, pyInt, repeatedJsonKey } from './pyText';

const right = (reason: string, expected?: string): ScoreResult => ({ correct: true, score: 1, reason, ...(expected !== undefined ? { expected } : {}) });
const wrong = (reason: string, expected?: string): ScoreResult => ({ correct: false, score: 0, reason, ...(expected !== undefined ? { expected } : {}) });

interface FamilyDef<T> {
  readonly schema: z.ZodType<T>;
  /** The stored answer for display, when there is one. */
  readonly expected: (data: T) => string | undefined;
  /** `answer` is the content of the last `<<<...>>>`, trimmed, never blank. */
  readonly check: (data: T, answer: string, expected: string | undefined) => ScoreResult;
}

/** A family's checker with its data type erased: the data is re-validated on every use. */
export interface FamilyChecker {
  /** Null when `data` fits the family, else what is wrong with it. */
  readonly validate: (data: unknown) => string | null;
  readonly expected: (data: unknown) => string | undefined;
  readonly score: (data: unknown, answer: string) => ScoreResult;
}

function define<T>(def: FamilyDef<T>): FamilyChecker {
  const parse = (data: unknown): T | null => {
    const p = def.schema.safeParse(data);
    return p.success ? p.data : null;
  };
  return {
    validate: (data) => {
      const p = def.schema.safeParse(data);
      return p.success ? null : p.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ');
    },
    expected: (data) => {
      const d = parse(data);
      return d === null ? undefined : def.expected(d);
    },
    score: (data, answer) => {
      const d = parse(data);
      if (d === null) return wrong('the task data is invalid');
      return def.check(d, answer, def.expected(d));
    },
  };
}

const letter = z.string().regex(/^[A-Za-z]$/);

/**
 * Python `int(answer) == solution` (statistical_counting, mahjong_pattern). `stated` is the
 * answer under the question's own rules where the stored one breaks them (mahjong_pattern
 * sample_2: 0, stored 2 from a rule the question does not state); both are counted right.
 */
const integerAnswer = define({
  schema: z.object({ solution: z.number().int(), stated: z.number().int().optional() }),
  expected: (d) => String(d.stated ?? d.solution),
  check: (d, answer, expected) => {
    const n = pyInt(answer);
    if (n === null) return wrong(`"${answer}" is not an integer`, expected);
    if (n === d.stated) return right(`${n} (by the question's stated rules)`, expected);
    return n === d.solution ? right(`${n}`, expected) : wrong(`${n} is not ${expected ?? d.solution}`, expected);
  },
});

/**
 * new_operator: Python `float(answer)` equal to the stored number (the authors' test), or to
 * `exact`, the nearest double of the value the question defines, where the stored number is the
 * generator's float rounding of it (sample_13: 7/5 stored as 1.4000000000000001; `1.4` is right).
 */
const floatAnswer = define({
  schema: z.object({ solution: z.number(), exact: z.number().optional() }),
  expected: (d) => String(d.exact ?? d.solution),
  check: (d, answer, expected) => {
    const n = pyFloat(answer);
    if (n === null) return wrong(`"${answer}" is not a number`, expected);
    if (n === d.exact) return right(`${n} (the exact value)`, expected);
    return n === d.solution ? right(`${n}`, expected) : wrong(`${n} is not ${expected ?? d.solution}`, expected);
  },
});

/** The answer text itself, case and inner spaces kept (string_insertion: "<<<a string>>>"). */
const exactString = define({
  schema: z.object({ expected: z.string() }),
  expected: (d) => d.expected,
  check: (d, answer, expected) => (answer === d.expected ? right('the string matches', expected) : wrong(`expected "${d.expected}", got "${answer}"`, expected)),
});

/**
 * A string the question asks for in double quotes (`<<< "some_final_string" >>>`,
 * string_deletion_and_modification). Unquoted text is not the requested format.
 */
const quotedString = define({
  schema: z.object({ expected: z.string() }),
  expected: (d) => `"${d.expected}"`,
  check: (d, answer, expected) => {
    const m = /^"([^"]*)"$/.exec(answer);
    if (!m) return wrong('the question asks for the string in double quotes: <<< "string" >>>', expected);
    return m[1] === d.expected ? right('the string matches', expected) : wrong(`expected "${d.expected}", got "${m[1] ?? ''}"`, expected);
  },
});

/** Scalars of a list literal as text (quotes removed), or null when the answer is not a flat list. */
function flatList(answer: string): string[] | null {
  const lit = parseLiteral(answer);
  if (!Array.isArray(lit) || !answer.trim().startsWith('[')) return null;
  return lit.every((x): x is string => typeof x === 'string') ? lit : null;
}

/** Whether a list literal's element was written in quotes (`"1"` rather than `1`). */
function quotedElements(answer: string, count: number): boolean {
  return (answer.match(/"[^"]*"|'[^']*'/g) ?? []).length === count;
}

/**
 * A list of strings in the requested form `["X", "Y", ...]` (cryptanalysis' password,
 * string_splitting's counts): the elements quoted, equal to the stored ones.
 */
const quotedList = define({
  schema: z.object({ expected: z.array(z.string()) }),
  expected: (d) => JSON.stringify(d.expected),
  check: (d, answer, expected) => {
    const got = flatList(answer);
    if (got === null || !quotedElements(answer, got.length)) return wrong(`the question asks for a list of quoted strings like ${expected ?? '["A", "B"]'}`, expected);
    if (got.length !== d.expected.length) return wrong(`${got.length} elements, need ${d.expected.length}`, expected);
    return got.every((g, i) => g === d.expected[i]) ? right('the list matches', expected) : wrong(`expected ${expected}, got ${answer}`, expected);
  },
});

/**
 * A flat comma-separated answer, each part stripped (`<<<A,B,C,D>>>`): matrix_transformation,
 * reversi (cells), pooling and light_puzzles (integers, read as Python's int()).
 */
const commaSeparated = define({
  schema: z.object({ expected: z.array(z.string()), integers: z.boolean() }),
  expected: (d) => d.expected.join(','),
  check: (d, answer, expected) => {
    const parts = commaParts(answer);
    if (parts.length !== d.expected.length) return wrong(`${parts.length} comma-separated values, need ${d.expected.length}`, expected);
    for (let i = 0; i < parts.length; i++) {
      const got = parts[i] ?? '';
      const want = d.expected[i] ?? '';
      if (d.integers) {
        const n = pyInt(got);
        if (n === null) return wrong(`value ${i + 1} ("${got}") is not an integer`, expected);
        if (n !== Number(want)) return wrong(`value ${i + 1} is ${n}, expected ${want}`, expected);
      } else if (got !== want) return wrong(`value ${i + 1} is "${got}", expected "${want}"`, expected);
    }
    return right('every value matches', expected);
  },
});

/**
 * string_synthesis: the authors drop `[`, `]`, `'`, `,` and spaces and read one digit per count,
 * so `2 0 1 1 0 0 0 0 0` and `[2, 0, 1, ...]` are both read; the question asks for "a string".
 */
const digitCounts = define({
  schema: z.object({ expected: z.array(z.number().int().min(0).max(9)) }),
  expected: (d) => d.expected.join(' '),
  check: (d, answer, expected) => {
    const digits = pyAsciiDigits(answer.replace(/[[\]', ]/g, '')); // int() reads Unicode digits too
    if (!/^\d+$/.test(digits)) return wrong('the answer must be the counts as digits, e.g. 2 0 1 1 0 0 0 0 0', expected);
    const got = [...digits].map(Number);
    return got.length === d.expected.length && got.every((g, i) => g === d.expected[i]) ? right('the counts match', expected) : wrong(`expected ${expected}, got ${got.join(' ')}`, expected);
  },
});

/** pattern_recognition: `[row, column]` as the question asks (0-based). */
const rowColumn = define({
  schema: z.object({ row: z.number().int(), column: z.number().int() }),
  expected: (d) => `[${d.row}, ${d.column}]`,
  check: (d, answer, expected) => {
    const got = flatList(answer);
    if (got === null || got.length !== 2) return wrong('the question asks for <<<[row, column]>>>', expected);
    const [r, c] = got.map((x) => pyInt(x));
    if (r === null || c === null || r === undefined || c === undefined) return wrong('row and column must be integers', expected);
    return r === d.row && c === d.column ? right('the corner matches', expected) : wrong(`[${r}, ${c}] is not [${d.row}, ${d.column}]`, expected);
  },
});

/**
 * synthesis_decomposition: the list the question asks for, `[remaining_A, remaining_B,
 * obtained_X]` (or longer). The stored `answer` holds five amounts (A, B, C, X, Y); the authors'
 * mapping takes A, B and the second-to-last for 3-element questions, the prefix for longer ones.
 */
const synthesisList = define({
  schema: z.object({ answer: z.array(z.string()).min(3), length: z.number().int().min(3).max(5) }),
  expected: (d) => `[${pickSynthesis(d.answer, d.length).join(', ')}]`,
  check: (d, answer, expected) => {
    const got = flatList(answer);
    if (got === null) return wrong('the question asks for a list like <<<[1, 0, 3]>>>', expected);
    if (got.length !== d.length) return wrong(`${got.length} values, the question asks for ${d.length}`, expected);
    const want = pickSynthesis(d.answer, d.length);
    return got.every((g, i) => pyInt(g) !== null && pyInt(g) === Number(want[i])) ? right('the amounts match', expected) : wrong(`expected ${expected}, got ${answer}`, expected);
  },
});

function pickSynthesis(answer: readonly string[], length: number): string[] {
  return length === 3 ? [answer[0] ?? '', answer[1] ?? '', answer[answer.length - 2] ?? ''] : answer.slice(0, length);
}

/** 2048: the matrix as rows on lines, cells separated by commas, as the question and the stored solution write it. */
const rowsOnLines = define({
  schema: z.object({ expected: z.array(z.array(z.number().int())) }),
  expected: (d) => d.expected.map((r) => r.join(', ')).join('\n'),
  check: (d, answer, expected) => {
    const lines = answer
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (lines.length !== d.expected.length) return wrong(`${lines.length} rows, need ${d.expected.length} (rows on lines, cells separated by commas)`, expected);
    for (let r = 0; r < lines.length; r++) {
      const cells = commaParts(lines[r] ?? '');
      const want = d.expected[r] ?? [];
      if (cells.length !== want.length || cells.some((c) => pyInt(c) === null)) return wrong(`row ${r + 1} is not ${want.length} comma-separated integers`, expected);
      if (cells.some((c, i) => pyInt(c) !== want[i])) return wrong(`row ${r + 1} differs from the expected result`, expected);
    }
    return right('the matrix matches', expected);
  },
});

/** letter_logic_diagram: a Latin square over the letters, one letter on the minor diagonal, givens kept. */
const letterLogic = define({
  schema: z.object({ grid: z.array(z.array(z.string().nullable())), letters: z.array(z.string()) }),
  expected: () => undefined,
  check: (d, answer) => {
    const n = d.grid.length;
    const rows = answer
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .map((l) => commaParts(l));
    if (rows.length !== n || rows.some((r) => r.length !== n)) return wrong(`the question asks for ${n} rows on lines, each ${n} letters separated by commas`);
    const alphabet = new Set(d.letters);
    for (let i = 0; i < n; i++) {
      const row = rows[i] ?? [];
      const col = rows.map((r) => r[i] ?? '');
      if (new Set(row).size !== n || row.some((x) => !alphabet.has(x))) return wrong(`row ${i + 1} does not hold each letter once`);
      if (new Set(col).size !== n || col.some((x) => !alphabet.has(x))) return wrong(`column ${i + 1} does not hold each letter once`);
      for (let j = 0; j < n; j++) {
        const given = d.grid[i]?.[j];
        if (given !== null && given !== undefined && row[j] !== given) return wrong(`the given ${given} at row ${i + 1}, column ${j + 1} was changed`);
      }
    }
    const diagonal = new Set(rows.map((r, i) => r[n - 1 - i]));
    if (diagonal.size !== 1) return wrong('the minor diagonal holds more than one letter');
    return right('every row, column and the minor diagonal obey the rules');
  },
});

type BookRule =
  | { readonly kind: 'position'; readonly book: string; readonly pos: number }
  | { readonly kind: 'not_position'; readonly book: string; readonly pos: number }
  | { readonly kind: 'left_of' | 'right_of' | 'adjacent'; readonly book: string; readonly other: string };

/** Reads "Book C must be adjacent to book A." and the other four kinds of line the generator writes. */
export function parseBookRules(text: string): { rules: BookRule[]; unknown: string[] } {
  const rules: BookRule[] = [];
  const unknown: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    let m;
    if ((m = /Book\s+([A-Za-z])\s+must\s+be\s+placed\s+in\s+position\s+(\d+)/.exec(line))) rules.push({ kind: 'position', book: m[1] ?? '', pos: Number(m[2]) });
    else if ((m = /Book\s+([A-Za-z])\s+cannot\s+be\s+placed\s+in\s+position\s+(\d+)/.exec(line))) rules.push({ kind: 'not_position', book: m[1] ?? '', pos: Number(m[2]) });
    else if ((m = /Book\s+([A-Za-z])\s+must\s+be\s+to\s+the\s+(left|right)\s+of\s+book\s+([A-Za-z])/.exec(line))) rules.push({ kind: m[2] === 'left' ? 'left_of' : 'right_of', book: m[1] ?? '', other: m[3] ?? '' });
    else if ((m = /Book\s+([A-Za-z])\s+must\s+be\s+adjacent\s+to\s+book\s+([A-Za-z])/.exec(line))) rules.push({ kind: 'adjacent', book: m[1] ?? '', other: m[2] ?? '' });
    else unknown.push(line);
  }
  return { rules, unknown };
}

/** permutations_and_combinations: a JSON list of all the books, every listed constraint holding. */
const bookArrangement = define({
  schema: z.object({ items: z.array(z.string()), constraints: z.string(), example: z.array(z.string()).optional() }),
  expected: (d) => (d.example ? JSON.stringify(d.example) : undefined),
  check: (d, answer, expected) => {
    const value = jsonValue(answer);
    if (!Array.isArray(value) || !value.every((x): x is string => typeof x === 'string')) return wrong('the question asks for a list of strings like ["A", "B", "C"]', expected);
    if (value.length !== d.items.length || [...value].sort().join() !== [...d.items].sort().join()) return wrong(`the answer must arrange each of ${d.items.join(', ')} once`, expected);
    const pos = new Map(value.map((b, i) => [b, i + 1]));
    const at = (b: string): number => pos.get(b) ?? -1;
    for (const r of parseBookRules(d.constraints).rules) {
      const ok =
        r.kind === 'position'
          ? at(r.book) === r.pos
          : r.kind === 'not_position'
            ? at(r.book) !== r.pos
            : r.kind === 'left_of'
              ? at(r.book) < at(r.other)
              : r.kind === 'right_of'
                ? at(r.book) > at(r.other)
                : Math.abs(at(r.book) - at(r.other)) === 1;
      if (!ok) return wrong(`breaks the constraint on book ${r.book} (${r.kind.replace('_', ' ')}${'other' in r ? ` ${r.other}` : ` ${r.pos}`})`, expected);
    }
    return right('every constraint holds', expected);
  },
});

/**
 * constrained_linear_arrangement: opponent cards that give each announced result under the
 * stated rules, no card used twice. `beats[x]` lists the cards x wins against (both directions
 * of the question's rules already folded in by the loader).
 */
const cardGame = define({
  schema: z.object({
    cards: z.array(letter),
    beats: z.record(z.string(), z.array(letter)),
    myMoves: z.array(letter),
    results: z.array(z.enum(['win', 'loss', 'draw'])),
    example: z.array(letter).optional(),
  }),
  expected: (d) => d.example?.join(','),
  check: (d, answer, expected) => {
    const parts = commaParts(answer);
    if (parts.length !== d.myMoves.length) return wrong(`${parts.length} cards, need one per round (${d.myMoves.length})`, expected);
    if (parts.some((p) => !d.cards.includes(p))) return wrong(`the cards are ${d.cards.join(', ')}, written as letters separated by commas`, expected);
    if (new Set(parts).size !== parts.length) return wrong('each card can only be used once', expected);
    for (let i = 0; i < parts.length; i++) {
      const mine = d.myMoves[i] ?? '';
      const theirs = parts[i] ?? '';
      const outcome = d.beats[mine]?.includes(theirs) ? 'win' : d.beats[theirs]?.includes(mine) ? 'loss' : 'draw';
      if (outcome !== d.results[i]) return wrong(`round ${i + 1}: ${mine} against ${theirs} is a ${outcome}, the referee announced ${d.results[i]}`, expected);
    }
    return right('every round gives the announced result', expected);
  },
});

/** One side of a logical_equation constraint: a letter with an optional factor ("3.0F"). */
interface Term {
  readonly factor: number;
  readonly letter: string;
}
const equationSchema = z.object({
  left: z
    .array(z.object({ factor: z.number(), letter: z.string() }))
    .min(1)
    .max(2),
  op: z.enum(['=', '>', '<', '+=', '-=']),
  value: z.number().optional(),
});
export type Equation = z.infer<typeof equationSchema>;

/** Reads "C + J = 186", "H = 3.0F", "A > B"; null for a line of another shape. */
export function parseEquation(line: string): Equation | null {
  const term = (t: string): Term | null => {
    const m = /^(\d+(?:\.\d+)?)?([A-Z])$/.exec(t);
    return m ? { factor: m[1] !== undefined ? Number(m[1]) : 1, letter: m[2] ?? '' } : null;
  };
  const parts = line.trim().split(/\s+/);
  if (parts.length === 3 && ['=', '>', '<'].includes(parts[1] ?? '')) {
    const a = term(parts[0] ?? '');
    const b = term(parts[2] ?? '');
    return a && b ? { left: [a, b], op: parts[1] as '=' | '>' | '<' } : null;
  }
  if (parts.length === 5 && (parts[1] === '+' || parts[1] === '-') && parts[3] === '=') {
    const a = term(parts[0] ?? '');
    const b = term(parts[2] ?? '');
    const v = Number(parts[4]);
    return a && b && Number.isFinite(v) ? { left: [a, b], op: parts[1] === '+' ? '+=' : '-=', value: v } : null;
  }
  return null;
}

/** logical_equation: a list of values for A, B, C, ..., the given numbers each used once, that satisfies every constraint. */
const letterValues = define({
  schema: z.object({ numbers: z.array(z.number()), equations: z.array(equationSchema), example: z.array(z.number()).optional() }),
  expected: (d) => (d.example ? JSON.stringify(d.example) : undefined),
  check: (d, answer, expected) => {
    // The authors eval() the answer, so bare "3, 80, 36" (a tuple) reads as the list too; quoted
    // values are strings there, not numbers, and break every equation.
    const lit = parseLiteral(answer) ?? parseLiteral(`[${answer}]`);
    if (!Array.isArray(lit)) return wrong('the question asks for a list like <<<[1, 2, 3]>>>', expected);
    if (/["']/.test(answer)) return wrong('the values must be numbers, not quoted strings', expected);
    // eval() refuses an integer literal with a leading zero ("03", "0_8"): no list at all for the authors.
    // Two tests, not /^[+-]?0[\d_]*[1-9][\d_]*$/: that one is quadratic in a long run of digits that ends in another character.
    if (lit.some((x) => typeof x === 'string' && /^[+-]?0[\d_]*$/.test(x.trim()) && /[1-9]/.test(x))) return wrong('an integer may not start with 0 (Python reads no list)', expected);
    // eval() reads Python literals: ASCII digits only (no "３" or "٣", which float() would read), no inf/nan.
    const values = lit.map((x: Literal) => (typeof x === 'string' && !/[^\x00-\x7f]|inf|nan/i.test(x) ? pyFloat(x) : null));
    if (values.some((v) => v === null)) return wrong('every value must be a number', expected);
    const vals = values as number[];
    if (vals.length !== d.numbers.length) return wrong(`${vals.length} values, need one per letter (${d.numbers.length})`, expected);
    const bad = vals.find((v) => !d.numbers.includes(v));
    if (bad !== undefined) return wrong(`${bad} is not one of the given numbers`, expected);
    // As many numbers as letters, "each representing one of the numbers": each number once (the
    // generator shuffles them; the authors check only membership).
    const unused = [...d.numbers];
    for (const v of vals) {
      const at = unused.indexOf(v);
      if (at < 0) return wrong(`${v} is used twice: each number stands for one letter (${unused.join(', ')} left unused)`, expected);
      unused.splice(at, 1);
    }
    const of = (t: Term): number => t.factor * (vals[t.letter.charCodeAt(0) - 65] ?? Number.NaN);
    for (const e of d.equations) {
      const a = of(e.left[0] ?? { factor: 1, letter: 'A' });
      const b = of(e.left[1] ?? { factor: 1, letter: 'A' });
      const holds =
        e.op === '=' ? numbersClose(a, b, 1e-9) : e.op === '>' ? a > b : e.op === '<' ? a < b : e.op === '+=' ? numbersClose(a + b, e.value ?? Number.NaN, 1e-9) : numbersClose(a - b, e.value ?? Number.NaN, 1e-9);
      if (!holds) return wrong(`a constraint does not hold (${e.left.map((t) => `${t.factor === 1 ? '' : t.factor}${t.letter}`).join(` ${e.op[0]} `)}${e.value !== undefined ? ` = ${e.value}` : ''})`, expected);
    }
    return right('every constraint holds', expected);
  },
});

/**
 * number_multiply: the exact integer, plain or comma-grouped, also with a zero fraction (`-514828.0`,
 * the same number; the authors' substring test takes it too). No format is requested.
 */
const exactInteger = define({
  schema: z.object({ expected: z.string().regex(/^-?\d+$/) }),
  expected: (d) => d.expected,
  check: (d, answer, expected) => {
    const t = stripQuotes(answer).replace(/\.$/, '').trim();
    const m = /^([+-]?(?:\d+|\d{1,3}(?:,\d{3})+))(?:\.0+)?$/.exec(t);
    if (m?.[1] === undefined) return wrong(`"${answer}" is not an integer`, expected);
    const got = BigInt(m[1].replace(/,/g, ''));
    return got === BigInt(d.expected) ? right(`${got}`, expected) : wrong(`${got} is not ${d.expected}`, expected);
  },
});

/** Letters: `Count: X, Positions: [Y, Z, ...]` (the authors' pattern; positions 1-based, in any order, each once). */
const letterCount = define({
  schema: z.object({ word: z.string(), letter: z.string().length(1) }),
  expected: (d) => {
    const pos = [...d.word].flatMap((ch, i) => (ch === d.letter ? [i + 1] : []));
    return `Count: ${pos.length}, Positions: [${pos.join(', ')}]`;
  },
  check: (d, answer, expected) => {
    // Python's `re` \d matches every Unicode decimal digit and int() reads it; int('') (a trailing
    // comma) raises, so such a list is no answer for the authors.
    const m = /Count: (\p{Nd}+), Positions: \[([\p{Nd}, ]+)\]/u.exec(answer);
    if (!m) return wrong('the question asks for <<<Count: X, Positions: [Y, Z, ...]>>>', expected);
    const want = [...d.word].flatMap((ch, i) => (ch === d.letter ? [i + 1] : []));
    const count = pyInt(m[1] ?? '') ?? -1;
    const parts = (m[2] ?? '').split(',').map((p) => pyInt(p));
    if (parts.some((p) => p === null)) return wrong('every position must be a number (an empty one after a trailing comma is not)', expected);
    const positions = new Set(parts);
    if (count !== want.length) return wrong(`count ${count}, expected ${want.length}`, expected);
    // One position per occurrence, in any order; a position listed twice is not (the authors compare sets).
    if (positions.size !== parts.length) return wrong('a position is listed twice (one position per occurrence)', expected);
    return positions.size === want.length && want.every((p) => positions.has(p)) ? right('count and positions match', expected) : wrong(`positions differ from [${want.join(', ')}]`, expected);
  },
});

/** GSM-Hard: a number within 1e-3 relative of the target (the tolerance the authors' judge prompt states). */
/**
 * The number in a GSM-Hard answer as a judge of numeric equality reads it (the authors ask GPT-4o
 * whether the values match): grouping commas, a currency sign before it (`$-5`, `-$5`) and one
 * unit word after it (`12 bolts`, `5 dollars`) are dropped; anything else stays and fails to parse.
 */
function numberText(answer: string): string {
  return stripQuotes(answer)
    .trim()
    .replace(/^([+-]?)\s*[$€£¥]\s*/, '$1')
    .replace(/(\d)\s+[A-Za-z]+\.?$/, '$1')
    .replace(/,/g, '');
}

const nearNumber = define({
  schema: z.object({ target: z.number(), relTol: z.number().positive() }),
  expected: (d) => String(d.target),
  check: (d, answer, expected) => {
    const n = pyFloat(numberText(answer));
    if (n === null) return wrong(`"${answer}" is not a number`, expected);
    return numbersClose(n, d.target, d.relTol) ? right(`${n} ≈ ${d.target}`, expected) : wrong(`${n} is not ${d.target}`, expected);
  },
});

/**
 * BoxLift: `Step k: [(weight, [lifter indices]), ...]` lines. Every assignment must follow the
 * stated rules (an unlifted box of that weight, valid lifter indices, each lifter once per step,
 * summed capacity ≥ weight) and all boxes must be lifted within `maxSteps` steps.
 */
const boxLift = define({
  schema: z.object({ boxes: z.array(z.number()), lifters: z.array(z.number()), maxSteps: z.number().int().positive() }),
  expected: () => undefined,
  check: (d, answer) => {
    const chunks = answer.split(/Step\s*\d+\s*:/i);
    if ((chunks[0] ?? '').trim() !== '' || chunks.length < 2) return wrong('the question asks for lines "Step 1: [(weight, [lifter indices]), ...]"');
    const steps = chunks.slice(1);
    if (steps.length > d.maxSteps) return wrong(`${steps.length} steps, at most ${d.maxSteps} allowed`);
    const remaining = [...d.boxes];
    for (let k = 0; k < steps.length; k++) {
      const lit = parseLiteral((steps[k] ?? '').trim());
      if (!Array.isArray(lit)) return wrong(`step ${k + 1} is not a list of (weight, [lifter indices])`);
      const used = new Set<number>();
      for (const item of lit) {
        const [w, idx] = Array.isArray(item) ? item : [];
        const weight = typeof w === 'string' ? pyFloat(w) : null;
        const ids = Array.isArray(idx) ? idx.map((x) => (typeof x === 'string' ? pyInt(x) : null)) : null;
        if (weight === null || ids === null || ids.some((x) => x === null) || (Array.isArray(item) && item.length !== 2)) return wrong(`step ${k + 1}: expected (weight, [lifter indices])`);
        const lifterIds = ids as number[];
        const at = remaining.indexOf(weight);
        if (at < 0) return wrong(`step ${k + 1}: no unlifted box weighs ${weight}`);
        if (lifterIds.length === 0 || lifterIds.some((i) => i < 0 || i >= d.lifters.length)) return wrong(`step ${k + 1}: lifter index out of range`);
        if (lifterIds.some((i) => used.has(i)) || new Set(lifterIds).size !== lifterIds.length) return wrong(`step ${k + 1}: a lifter is used more than once`);
        const capacity = lifterIds.reduce((s, i) => s + (d.lifters[i] ?? 0), 0);
        if (capacity < weight) return wrong(`step ${k + 1}: lifters [${lifterIds.join(', ')}] lift ${capacity} < ${weight}`);
        lifterIds.forEach((i) => used.add(i));
        remaining.splice(at, 1);
      }
    }
    return remaining.length === 0 ? right(`all boxes lifted in ${steps.length} step(s)`) : wrong(`${remaining.length} box(es) never lifted (${remaining.join(', ')})`);
  },
});

/** A line terminator: what `.` in a regex does not match. */
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/**
 * A BoxNet action `move(box_color, destination)` (already trimmed) as `[box, destination]`, or
 * null when it is not of that form; the same reading as `/^move\(\s*(box_\w+)\s*,\s*(.+?)\s*\)$/`
 * (the destination without whitespace at either end, on one line), but in time linear in the
 * answer's length: that regex took cubic time on a destination of long whitespace runs.
 */
export function boxNetMove(action: string): [string, string] | null {
  const m = /^move\(\s*(box_\w+)\s*,([\s\S]*)\)$/.exec(action);
  if (!m?.[1] || m[2] === undefined) return null;
  const rest = m[2];
  const core = rest.trim();
  if (core !== '') return LINE_TERMINATOR.test(core) ? null : [m[1], core];
  // Only whitespace: the regex's `.+?` takes the last character that is not a line terminator.
  for (let i = rest.length - 1; i >= 0; i--) if (!LINE_TERMINATOR.test(rest.charAt(i))) return [m[1], rest.charAt(i)];
  return null;
}

/**
 * BoxNet1: a JSON list of steps, each `{"Agent[x, y]": "move(box_color, destination)"}`, the
 * destination an adjacent `square[x, y]` or a `target_color` of the box's colour in the agent's
 * square (box and target then leave the field). All agents of a step act at once on the state at
 * the step's start, one action each, on a box in their own square. Right when every box is
 * matched; an action that breaks a stated rule makes the plan wrong, and so does an agent named
 * twice in one step (rules 1 and 2: one action per agent, unique keys), even as a repeated JSON key.
 */
const boxNet = define({
  schema: z.object({ rows: z.number().int().positive(), cols: z.number().int().positive(), squares: z.record(z.string(), z.array(z.string())) }),
  expected: () => undefined,
  check: (d, answer) => {
    const plan = jsonValue(answer);
    if (!Array.isArray(plan)) return wrong('the question asks for a JSON list of action dictionaries');
    // json.loads would keep only the last of a repeated key: the text itself is checked.
    const repeated = repeatedJsonKey(answer);
    if (repeated !== undefined) return wrong(`"${repeated}" appears twice in one step: the question asks for unique agent keys, one action per agent`);
    const state = new Map(Object.entries(d.squares).map(([k, v]) => [k, [...v]]));
    const square = (text: string): string | null => {
      const m = /^\[?\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*\]?$/.exec(text.trim());
      if (!m) return null;
      const key = `${Number(m[1])}_${Number(m[2])}`;
      return state.has(key) ? key : null;
    };
    for (let k = 0; k < plan.length; k++) {
      const step: unknown = plan[k];
      if (typeof step !== 'object' || step === null || Array.isArray(step)) return wrong(`step ${k + 1} is not an action dictionary`);
      const arrivals: Array<[string, string]> = [];
      const acted = new Set<string>();
      for (const [agent, action] of Object.entries(step as Record<string, unknown>)) {
        const at = square(/^Agent\s*(\[.*\])$/.exec(agent.trim())?.[1] ?? '');
        if (at === null) return wrong(`step ${k + 1}: "${agent}" is not an agent of this field`);
        if (acted.has(at)) return wrong(`step ${k + 1}: ${agent} is given a second action (the question allows one action per agent per step)`);
        acted.add(at);
        const move = typeof action === 'string' ? boxNetMove(action.trim()) : null;
        if (move === null) return wrong(`step ${k + 1}: "${String(action)}" is not move(box_color, destination)`);
        const [box, dest] = move;
        const items = state.get(at) ?? [];
        if (!items.includes(box)) return wrong(`step ${k + 1}: ${agent} has no ${box} in its square`);
        if (dest.startsWith('target_')) {
          if (dest.slice('target_'.length) !== box.slice('box_'.length) || !items.includes(dest)) return wrong(`step ${k + 1}: ${dest} is not a target of ${box}'s colour in ${agent}'s square`);
          items.splice(items.indexOf(box), 1);
          items.splice(items.indexOf(dest), 1);
          continue;
        }
        const to = dest.startsWith('square') ? square(dest.slice('square'.length)) : null;
        const [r1 = 0, c1 = 0] = at.split('_').map(Number);
        const [r2 = 0, c2 = 0] = (to ?? '').split('_').map(Number);
        if (to === null || Math.abs(r1 - r2) + Math.abs(c1 - c2) !== 1) return wrong(`step ${k + 1}: ${dest} is not a square next to ${agent}`);
        items.splice(items.indexOf(box), 1);
        arrivals.push([to, box]);
      }
      // Boxes moved in this step arrive after every agent has acted.
      for (const [to, box] of arrivals) state.get(to)?.push(box);
    }
    const left = [...state.values()].flat().filter((x) => x.startsWith('box_'));
    return left.length === 0 ? right(`every box matched in ${plan.length} step(s)`) : wrong(`${left.length} box(es) not matched (${left.join(', ')})`);
  },
});

/** Every family checker by name (the `family` of a `{kind: "family"}` scorer). */
export const FAMILY_CHECKERS = {
  integer: integerAnswer,
  float: floatAnswer,
  exact_string: exactString,
  quoted_string: quotedString,
  quoted_list: quotedList,
  comma_separated: commaSeparated,
  digit_counts: digitCounts,
  row_column: rowColumn,
  synthesis_list: synthesisList,
  rows_on_lines: rowsOnLines,
  letter_logic: letterLogic,
  book_arrangement: bookArrangement,
  card_game: cardGame,
  letter_values: letterValues,
  exact_integer: exactInteger,
  letter_count: letterCount,
  near_number: nearNumber,
  box_lift: boxLift,
  box_net: boxNet,
} as const satisfies Record<string, FamilyChecker>;
export type FamilyName = keyof typeof FAMILY_CHECKERS;

export function isFamilyName(name: string): name is FamilyName {
  return Object.hasOwn(FAMILY_CHECKERS, name);
}

/** Scores `answer` with the named family checker; an unknown name is reported, never guessed. */
export function scoreFamily(family: string, data: unknown, answer: string): ScoreResult {
  if (!isFamilyName(family)) return wrong(`unknown family checker "${family}"`);
  return FAMILY_CHECKERS[family].score(data, answer);
}

/** The stored answer of a family task, for display. */
export function familyExpected(family: string, data: unknown): string | undefined {
  return isFamilyName(family) ? FAMILY_CHECKERS[family].expected(data) : undefined;
}
