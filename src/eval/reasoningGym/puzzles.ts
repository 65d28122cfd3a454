// Puzzles with many right answers: RG simulates the moves or checks the constraints, so any
// valid answer scores, with reduced credit for longer or differently written ones.

import { metaArray, metaNumber, metaRecord, metaString, metaValue, oracle, RgDataError, type RgScorer } from './entry';
import { jsonLoads } from './codeio';
import { pyAsciiDigits, pyFloat, pyInt, pySplit, pySplitlines, pyStrip } from './py';
import { parsePyLiteral, pyIter, pyStr } from './pyLiteral';
import { PY_WS } from '../../text/pythonStrip';

/** tower_of_hanoi: legal moves that stack every disk on the target peg; optimal/actual length when longer; 0.05 if unsolved. */
export const towerOfHanoi: RgScorer = (answer, entry) => {
  if (answer.length === 0) return 0;
  const moves = pySplitlines(pyStrip(answer))
    .map(pyStrip)
    .filter((l) => l !== '');
  const disks = metaNumber(entry, 'num_disks');
  const pegCount = metaNumber(entry, 'num_pegs');
  const start = metaNumber(entry, 'start_peg');
  const target = metaNumber(entry, 'target_peg');
  const pegs = new Map<number, number[]>();
  for (let p = 1; p <= pegCount; p++) pegs.set(p, []);
  for (let d = disks; d >= 1; d--) pegs.get(start)?.push(d);
  for (const move of moves) {
    const m = /Move disk (\p{Nd}+) from Peg (\p{Nd}+) to Peg (\p{Nd}+)/u.exec(move); // Python's \d matches every Unicode digit
    if (!m) return 0;
    // RG validates with the whitespace-split words 2, 5 and 8 of a 9-word line.
    const parts = pySplit(move);
    if (parts.length !== 9) return 0;
    const [disk, from, to] = [parts[2], parts[5], parts[8]].map((p) => pyInt(p ?? ''));
    if (disk === null || disk === undefined || from === null || from === undefined || to === null || to === undefined) return 0;
    const fromPeg = pegs.get(Number(from));
    const toPeg = pegs.get(Number(to));
    if (!fromPeg || fromPeg.length === 0 || fromPeg[fromPeg.length - 1] !== Number(disk)) return 0;
    if (!toPeg) return 0;
    const top = toPeg[toPeg.length - 1];
    if (top !== undefined && top < Number(disk)) return 0;
    const moving = pegs.get(Number(pyAsciiDigits(m[2] ?? '')))?.pop();
    if (moving === undefined) return 0;
    pegs.get(Number(pyAsciiDigits(m[3] ?? '')))?.push(Number(pyAsciiDigits(m[1] ?? '')));
  }
  const final = pegs.get(target) ?? [];
  const solved = final.length === disks && final.every((d, i) => d === disks - i);
  if (!solved) return 0.05;
  const optimal = typeof entry.metadata.solution_length === 'number' ? entry.metadata.solution_length : moves.length;
  return moves.length <= optimal ? 1 : optimal / moves.length;
};

/** jugs: a JSON list of "fill X" / "empty X" / "pour X->Y" that leaves the target amount in some jug. */
export const jugs: RgScorer = (answer, entry) => {
  const parsed = jsonLoads(answer);
  if (!parsed.ok) return 0;
  const puzzle = metaRecord(entry, 'puzzle');
  const caps = puzzle.jug_capacities;
  const target = puzzle.target;
  if (!Array.isArray(caps) || !caps.every((c) => typeof c === 'number') || typeof target !== 'number') throw new RgDataError('metadata.puzzle is malformed');
  const capacities = caps as number[];
  const index = (label: string | undefined): number => {
    const i = label !== undefined && label.length === 1 ? label.charCodeAt(0) - 65 : -1;
    if (i < 0 || i >= capacities.length) throw new SyntaxError('unknown jug');
    return i;
  };
  const moves = parsed.value;
  let items: unknown[];
  if (Array.isArray(moves)) items = moves;
  else if (typeof moves === 'string') items = [...moves];
  else if (typeof moves === 'object' && moves !== null) items = Object.keys(moves);
  else return 0;
  const state = capacities.map(() => 0);
  try {
    for (const move of items) {
      if (typeof move !== 'string') return 0;
      const tokens = pySplit(move);
      if (tokens[0] === 'fill') {
        const i = index(tokens[1]);
        state[i] = capacities[i] ?? 0;
      } else if (tokens[0] === 'empty') state[index(tokens[1])] = 0;
      else if (tokens[0] === 'pour') {
        const parts = (tokens[1] ?? '').split('->');
        if (tokens[1] === undefined || parts.length !== 2) return 0;
        const i = index(parts[0]);
        const j = index(parts[1]);
        const amount = Math.min(state[i] ?? 0, (capacities[j] ?? 0) - (state[j] ?? 0));
        state[i] = (state[i] ?? 0) - amount;
        state[j] = (state[j] ?? 0) + amount;
      } else return 0;
    }
  } catch {
    return 0;
  }
  return state.some((w) => w === target) ? 1 : 0.01;
};

/** Python equality between JSON values (1 == 1.0 == true). */
function pyEq(a: unknown, b: unknown): boolean {
  const num = (x: unknown): number | null => (typeof x === 'number' ? x : typeof x === 'boolean' ? Number(x) : null);
  const na = num(a);
  const nb = num(b);
  if (na !== null || nb !== null) return na !== null && nb !== null && na === nb;
  if (typeof a === 'string' || typeof b === 'string' || a === null || b === null) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** graph_color: a JSON object vertex → colour using only the allowed colours, no edge with equal colours. */
export const graphColor: RgScorer = (answer, entry) => {
  const parsed = jsonLoads(answer);
  if (!parsed.ok) return 0;
  const puzzle = metaRecord(entry, 'puzzle');
  const { vertices, edges, color_options: colors } = puzzle;
  if (!Array.isArray(vertices) || !Array.isArray(edges) || !Array.isArray(colors)) throw new RgDataError('metadata.puzzle is malformed');
  const coloring = parsed.value;
  // RG's get_color: the key as is, else its string form (JSON keys are strings).
  const colorOf = (v: unknown): { ok: true; c: unknown } | { ok: false } => {
    if (typeof coloring !== 'object' || coloring === null) return { ok: false };
    if (Array.isArray(coloring)) {
      // `v in list` is membership, then list[v] an index: RG's odd path for a JSON list.
      if (coloring.some((x) => pyEq(x, v)) && typeof v === 'number') {
        if (v >= coloring.length || v < -coloring.length) throw new RangeError('index');
        return { ok: true, c: coloring.at(v) };
      }
      return { ok: false };
    }
    const obj = coloring as Record<string, unknown>;
    const key = String(v);
    return key in obj ? { ok: true, c: obj[key] } : { ok: false };
  };
  if (typeof coloring !== 'object' || coloring === null) return 0; // `in` on a number raises
  try {
    for (const v of vertices) if (!colorOf(v).ok) return 0.01;
    for (const v of vertices) {
      const c = colorOf(v);
      // `color not in set(...)` raises TypeError on a list or dict colour (unhashable): RG's 0.
      if (c.ok && typeof c.c === 'object' && c.c !== null) return 0;
      if (!c.ok || !colors.some((o) => pyEq(o, c.c))) return 0.01;
    }
    for (const e of edges) {
      if (!Array.isArray(e) || e.length !== 2) throw new RgDataError('metadata.puzzle.edges is malformed');
      const cu = colorOf(e[0]);
      const cv = colorOf(e[1]);
      if (!cu.ok || !cv.ok || pyEq(cu.c, cv.c)) return 0.01;
    }
  } catch (err) {
    if (err instanceof RgDataError) throw err;
    return 0;
  }
  return 1;
};

/** cryptarithm: "A=1,B=2,..." mapping every letter to a distinct digit, no leading zero, the sum right. */
export const cryptarithm: RgScorer = (answer, entry) => {
  const mapping = new Map<string, bigint>();
  for (const pair of answer.split(',')) {
    const parts = pyStrip(pair).split('=');
    if (parts.length !== 2) return 0;
    const digit = pyInt(pyStrip(parts[1] ?? ''));
    if (digit === null) return 0;
    mapping.set(pyStrip(parts[0] ?? ''), digit);
  }
  const words = metaArray(entry, 'words_letters').map((w) => {
    if (typeof w !== 'string') throw new RgDataError('metadata.words_letters is malformed');
    return w;
  });
  const result = metaString(entry, 'result_letters');
  const leadingZero = entry.metadata.allow_leading_zero === true;
  const letters = new Set([...words.join(''), ...result]);
  if (mapping.size !== letters.size || [...mapping.keys()].some((l) => !letters.has(l))) return 0.01;
  const digits = [...mapping.values()];
  if (digits.some((d) => d < 0n || d > 9n)) return 0.01;
  if (new Set(digits).size !== digits.length) return 0.01;
  if (!leadingZero) {
    for (const w of [...words, result]) if (w !== '' && mapping.get(w[0] ?? '') === 0n) return 0.01;
  }
  const value = (w: string): bigint => BigInt([...w].map((l) => String(mapping.get(l))).join('') || 'x');
  try {
    const sum = words.reduce((s, w) => s + value(w), 0n);
    return sum === value(result) ? 1 : 0.01;
  } catch {
    return 0.01;
  }
};

/** quantum_lock: the same button sequence, or one that reaches the target (1 if as short, else 0.5). */
export const quantumLock: RgScorer = (answer, entry) => {
  const norm = (s: string): string[] => s.toUpperCase().match(/[A-C]/g) ?? [];
  const user = norm(answer);
  const want = norm(oracle(entry));
  if (user.join('') === want.join('')) return 1;
  let state = metaNumber(entry, 'initial_value');
  let color = metaString(entry, 'initial_state');
  const buttons = new Map<string, Record<string, unknown>>();
  for (const b of metaArray(entry, 'buttons')) {
    if (typeof b === 'object' && b !== null && typeof (b as { name?: unknown }).name === 'string') buttons.set((b as { name: string }).name, b as Record<string, unknown>);
  }
  for (const ch of user) {
    const b = buttons.get(ch);
    if (!b) continue;
    if (b.active_state !== color && b.active_state !== 'any') continue;
    const v = typeof b.value === 'number' ? b.value : 0;
    if (b.type === 'add') state += v;
    else if (b.type === 'subtract') state -= v;
    else if (b.type === 'multiply') state *= v;
    color = color === 'red' ? 'green' : 'red';
  }
  if (state !== metaNumber(entry, 'target_value')) return 0;
  return user.length === want.length ? 1 : 0.5;
};

/** shortest_path: the gold, or a valid path from * to # avoiding X (1 when as short, else 0.5). */
export const shortestPath: RgScorer = (answer, entry) => {
  if (answer.length === 0) return 0;
  const gold = pyStrip(oracle(entry));
  const a = pyStrip(answer);
  if (a === gold) return 1;
  const matrix = metaArray(entry, 'matrix').map((r) => {
    if (!Array.isArray(r)) throw new RgDataError('metadata.matrix is malformed');
    return r as unknown[];
  });
  const find = (mark: string): [number, number] => {
    for (let r = 0; r < matrix.length; r++) {
      const c = (matrix[r] ?? []).indexOf(mark);
      if (c >= 0) return [r, c];
    }
    throw new RgDataError(`no ${mark} in metadata.matrix`);
  };
  const dirs: Readonly<Record<string, [number, number]>> = { right: [0, 1], down: [1, 0], left: [0, -1], up: [-1, 0] };
  const rows = matrix.length;
  const cols = (matrix[0] ?? []).length;
  const path = pySplit(a);
  const valid = ((): boolean => {
    let [r, c] = find('*');
    const [er, ec] = find('#');
    for (const d of path) {
      const step = Object.hasOwn(dirs, d) ? dirs[d] : undefined;
      if (!step) return false;
      r += step[0];
      c += step[1];
      if (r < 0 || r >= rows || c < 0 || c >= cols) return false;
      if (matrix[r]?.[c] === 'X') return false;
    }
    return r === er && c === ec;
  })();
  if (!valid) return 0;
  return path.length === pySplit(gold).length ? 1 : 0.5;
};

/** Sort by code point, as Python sorts strings. */
function codePointSort(list: string[]): string[] {
  return [...list].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** palindrome_generation: a palindrome of exactly the given letters 1; another palindrome 0.05; not a palindrome 0.02. */
export const palindromeGeneration: RgScorer = (answer, entry) => {
  if (answer === '') return 0;
  const a = [...pyStrip(answer).toLowerCase()];
  if (a.join('') !== [...a].reverse().join('')) return 0.02;
  const letters = metaArray(entry, 'letters').map(String);
  return codePointSort(a).join('\u0000') === codePointSort(letters).join('\u0000') ? 1 : 0.05;
};

/** Python `tuple(x)` of a JSON value as a hashable key; null where Python raises. */
function tupleKey(x: unknown): string | null {
  let items: unknown[];
  if (Array.isArray(x)) items = x;
  else if (typeof x === 'string') items = [...x];
  else if (typeof x === 'object' && x !== null) items = Object.keys(x);
  else return null;
  if (items.some((i) => typeof i === 'object' && i !== null)) return null; // unhashable
  return JSON.stringify(items.map((i) => (typeof i === 'boolean' ? Number(i) : i)));
}

function setOfTuples(v: unknown): Set<string> | null {
  let outer: unknown[];
  if (Array.isArray(v)) outer = v;
  else if (typeof v === 'string') outer = [...v];
  else if (typeof v === 'object' && v !== null) outer = Object.keys(v);
  else return null;
  const out = new Set<string>();
  for (const item of outer) {
    const k = tupleKey(item);
    if (k === null) return null;
    out.add(k);
  }
  return out;
}

/** palindrome_partitioning: the JSON list of partitions, as a set, equals the solution's. */
export const palindromePartitioning: RgScorer = (answer, entry) => {
  const parsed = jsonLoads(answer);
  if (!parsed.ok) return 0;
  const a = setOfTuples(parsed.value);
  const g = setOfTuples(metaValue(entry, 'solution'));
  if (!a || !g) return 0;
  return a.size === g.size && [...a].every((k) => g.has(k)) ? 1 : 0;
};

/** Python `float(x)` of a JSON value. */
function floatOf(x: unknown): number | null {
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return Number(x);
  if (typeof x === 'string') return pyFloat(x);
  return null;
}

/** number_sorting: a JSON list (single quotes allowed) sorted in the asked direction, each within 1 of the gold. */
export const numberSorting: RgScorer = (answer, entry) => {
  const parsed = jsonLoads(answer.replace(/'/g, '"'));
  if (!parsed.ok || !Array.isArray(parsed.value)) return 0;
  const goldLit = jsonLoads(oracle(entry));
  let expected: unknown[];
  if (goldLit.ok && Array.isArray(goldLit.value)) expected = goldLit.value;
  else {
    const lit = parsePyLiteral(oracle(entry));
    const items = lit ? pyIter(lit) : null;
    if (!items) throw new RgDataError('the stored answer is not a list');
    expected = items.map(pyStr);
  }
  if (parsed.value.length !== expected.length) return 0;
  const user = parsed.value.map(floatOf);
  const exp = expected.map(floatOf);
  if (user.some((v) => v === null) || exp.some((v) => v === null)) return 0;
  const u = user as number[];
  const e = exp as number[];
  const ascending = metaString(entry, 'direction') === 'ascending';
  for (let i = 1; i < u.length; i++) {
    const prev = u[i - 1] ?? 0;
    const cur = u[i] ?? 0;
    if (ascending ? prev > cur : prev < cur) return 0;
    if (Number.isNaN(prev) || Number.isNaN(cur)) return 0;
  }
  return u.every((v, i) => Math.abs(v - (e[i] ?? Number.NaN)) <= 1) ? 1 : 0;
};

/** RG's `re.split(r",\s*", answer)`: Python's `\s` keeps U+FEFF (JavaScript's takes it), so `a,\ufeffb` splits to `\ufeffb`. */
const COMMA_BLANKS = new RegExp(`,[${PY_WS}]*`);

/** word_sorting: the comma-separated words equal `metadata.sorted_words`; else the share in place (at least 0.2 for the right words). */
export const wordSorting: RgScorer = (answer, entry) => {
  if (answer === '') return 0;
  const gold = metaArray(entry, 'sorted_words').map(String);
  const words = answer.split(COMMA_BLANKS).map(pyStrip);
  if (words.length === gold.length && words.every((w, i) => w === gold[i])) return 1;
  let partial = words.filter((w, i) => i < gold.length && w === gold[i]).length / gold.length;
  if (codePointSort(words).join('\u0000') === codePointSort(gold).join('\u0000') && words.length === gold.length) partial = Math.max(partial, 0.2);
  return partial;
};

/** The roles RG's knights_knaves puzzles use (both sides of each pair). */
const ROLES = new Set(['knight', 'knave', 'pioneer', 'laggard', 'saint', 'sinner', 'hero', 'villain', 'angel', 'devil', 'altruist', 'egoist', 'sage', 'fool']);

function assignments(text: string): Set<string> {
  const t = pyStrip(text.toLowerCase()).replace(/[.,)(]/g, ' ');
  const out = new Set<string>();
  let name: string | null = null;
  for (const part of pySplit(t.replace(/ and /g, ' '))) {
    if (part === 'is' || part === 'a' || part === 'an') continue;
    if (ROLES.has(part)) {
      if (name) {
        out.add(`${name}\u0000${part}`);
        name = null;
      }
    } else name = part;
  }
  return out;
}

/** knights_knaves: the same (name, role) pairs 1; same count with some right 0.3 + 0.7 × share right. */
export const knightsKnaves: RgScorer = (answer, entry) => {
  if (answer.length === 0) return 0;
  const g = assignments(oracle(entry));
  const a = assignments(answer);
  const matching = [...a].filter((x) => g.has(x)).length;
  if (g.size === a.size && matching === g.size) return 1;
  if (g.size === a.size && matching > 0) return 0.3 + (0.7 * matching) / g.size;
  return 0;
};

/** knight_swap: "No" for impossible puzzles; else a JSON list of "colour,from,to" moves that swaps the knights. */
export const knightSwap: RgScorer = (answer, entry) => {
  const a = pyStrip(answer);
  if (a.length === 0) return 0;
  if (entry.metadata.is_possible !== true) return a.toLowerCase() === 'no' ? 1 : 0;
  if (a.toLowerCase() === 'no') return 0;
  const parsed = jsonLoads(a);
  if (!parsed.ok || !Array.isArray(parsed.value)) return 0;
  const moves: [string, string, string][] = [];
  for (const m of parsed.value) {
    if (typeof m !== 'string') return 0;
    const parts = m.split(',');
    if (parts.length !== 3) return 0;
    const [color, from, to] = parts as [string, string, string];
    if (color !== 'w' && color !== 'B') return 0;
    moves.push([color, from, to]);
  }
  const board = metaRecord(entry, 'board');
  const initial = metaRecord(entry, 'pieces');
  const pieces = new Map<string, unknown>(Object.entries(initial));
  let turn = metaValue(entry, 'start_turn');
  for (const [color, from, to] of moves) {
    if (color !== turn) return 0;
    if (!pieces.has(from) || pieces.get(from) !== color) return 0;
    const reach = Object.hasOwn(board, from) ? board[from] : undefined;
    if (!Array.isArray(reach)) return 0;
    if (!reach.includes(to)) return 0;
    if (pieces.has(to) && pieces.get(to) !== null) return 0;
    pieces.set(to, pieces.get(from));
    pieces.set(from, null);
    turn = turn === 'w' ? 'B' : 'w';
  }
  const where = (m: Map<string, unknown>, c: string): string =>
    [...m]
      .filter(([, p]) => p === c)
      .map(([k]) => k)
      .sort()
      .join(',');
  const start = new Map(Object.entries(initial));
  if (where(pieces, 'w') === where(start, 'B') && where(pieces, 'B') === where(start, 'w')) {
    const solution = metaValue(entry, 'solution');
    const optimal = Array.isArray(solution) ? solution.length : 0;
    return moves.length <= optimal ? 1 : optimal / moves.length;
  }
  return 0.05;
};
