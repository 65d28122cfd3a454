// rubiks_cube: RG (reasoning_gym/cognition/rubiks_cube.py, RubiksCubeDataset.score_answer) builds
// a solved magiccube `Cube(cube_size)`, turns it by `metadata.scramble_moves`, then by the answer
// after `expand_moves`, and gives 1.0 when every face is one colour. Anything else is 0.01: its
// `partial_score` reads `cube.faces`, which the magiccube it pins (0.3.0, trincaog/magiccube)
// does not have, and the AttributeError lands in the same bare `except` as bad notation (RG's own
// test expects 0.01 for a wrong answer, for "R" and for ""). A cube simulator of our own follows,
// with magiccube 0.3.0's conventions (magiccube/cube.py, cube_move.py, cube_piece.py):
//
// - Cubies sit on an n×n×n grid, axis 0 running L→R, axis 1 D→U, axis 2 B→F. Each keeps one
//   colour per axis (null where it shows no face there): the solved L face is R(ed), R is O(range),
//   D is W(hite), U is Y(ellow), B is B(lue), F is G(reen).
// - A move turns a band of layers of one axis a quarter turn, `count` times. Notation (regex of
//   `CubeMove.create`): `[0-9]*` layer, then a face letter L R D U B F with optional `w` (wide),
//   or one of X Y Z (whole cube) M E S (middle slice, odd sizes only), then an optional `'`
//   (reversed) and one optional digit (count, 0-9). Lowercase letters are not moves.
// - Layers: a face move without a number turns layer 1 (the outer one), with `w` layers 1-2; `kR`
//   turns layer k alone, `kRw` layers 1..k, counted from that face; k must be in 1..n.
// - Direction (`_get_direction`): R D F E S X Z turn one way, L U B M Y the other, so M follows L,
//   E follows D, S follows F, and X, Y, Z follow R, U, F. Colours of a turned cubie swap between
//   the two axes it turns about (`CubePiece.rotate_piece`).
//
// `expand_moves` splits the answer at whitespace (Python `str.split()`) and keeps only tokens of
// the form <non-digits><digits> (Python `\d`: every Unicode decimal digit), repeating the first part
// int(digits) times ("U2" is "U U", "R'3" is R' three times, "4" alone is nothing). Tokens with a
// digit before a letter ("2R", "3Rw", "U2'") are silently dropped, so an answer cannot use layer
// numbers: a 6×6 whose scramble leaves its third layers turned ("3R", "3Rw") cannot be solved
// by any answer (the inner centres only change face with a whole-cube turn).

import { metaNumber, metaString, RgDataError, type RgScorer } from './entry';
import { pyAsciiDigits, pySplit } from './py';

/** A sticker colour, named as magiccube names it. */
export type CubeColor = 'R' | 'O' | 'W' | 'Y' | 'B' | 'G';

/** One cubie: its colour seen along axis 0, 1, 2 (null where it shows no face along that axis). */
type Cubie = [CubeColor | null, CubeColor | null, CubeColor | null];

/** A cube: `size` and cubies indexed a0·n² + a1·n + a2 (null inside the cube). */
export interface Cube {
  readonly size: number;
  readonly cells: (Cubie | null)[];
}

/** One parsed move: quarter turns of layers [from, to) of `axis`, `turn` ±1 (numpy rot90's k), `count` times. */
export interface CubeMove {
  readonly axis: 0 | 1 | 2;
  readonly from: number;
  readonly to: number;
  readonly turn: 1 | -1;
  readonly count: number;
}

const LOW: readonly CubeColor[] = ['R', 'W', 'B'];
const HIGH: readonly CubeColor[] = ['O', 'Y', 'G'];

/** A solved cube of `size` ≥ 2 (magiccube `Cube(size)`). */
export function solvedCube(size: number): Cube {
  const n = size;
  const cells: (Cubie | null)[] = [];
  for (let a0 = 0; a0 < n; a0++)
    for (let a1 = 0; a1 < n; a1++)
      for (let a2 = 0; a2 < n; a2++) {
        const c = [a0, a1, a2];
        if (!c.some((v) => v === 0 || v === n - 1)) {
          cells.push(null);
          continue;
        }
        const col = (axis: 0 | 1 | 2): CubeColor | null => (c[axis] === 0 ? (LOW[axis] ?? null) : c[axis] === n - 1 ? (HIGH[axis] ?? null) : null);
        cells.push([col(0), col(1), col(2)]);
      }
  return { size, cells };
}

// CubeMove.create's regex; Python's `$` also matches before one final "\n".
const MOVE_RE = /^([0-9]*)(?:([LRDUBF])(w?)|([XYZMES]))('?)([0-9]?)\n?$/;
const AXIS: Readonly<Record<string, 0 | 1 | 2>> = { L: 0, R: 0, M: 0, X: 0, D: 1, U: 1, E: 1, Y: 1, B: 2, F: 2, S: 2, Z: 2 };
/** Letters magiccube turns with numpy rot90 k = -1 (the others k = +1). */
const NEGATIVE = new Set(['R', 'D', 'F', 'E', 'S', 'X', 'Z']);

/**
 * Parses one move token for a cube of `size`, as magiccube's `CubeMove.create` and
 * `Cube._move_to_slice` do. Returns null where magiccube raises (bad notation, a layer outside
 * 1..size, M/E/S on an even cube).
 */
export function parseCubeMove(token: string, size: number): CubeMove | null {
  const m = MOVE_RE.exec(token);
  if (!m) return null;
  const [, prefix = '', face, wide, special, prime, countText] = m;
  const letter = face ?? special ?? '';
  const axis = AXIS[letter];
  if (axis === undefined) return null;
  const isWide = wide === 'w';
  const layer = face === undefined ? 1 : prefix === '' ? (isWide ? 2 : 1) : Number(prefix);
  if (!(layer >= 1 && layer <= size)) return null;
  let from: number;
  let to: number;
  if (letter === 'R' || letter === 'U' || letter === 'F') [from, to] = isWide ? [size - layer, size] : [size - layer, size - layer + 1];
  else if (letter === 'L' || letter === 'D' || letter === 'B') [from, to] = isWide ? [0, layer] : [layer - 1, layer];
  else if (letter === 'M' || letter === 'E' || letter === 'S') {
    if (size % 2 !== 1) return null;
    [from, to] = [(size - 1) / 2, (size + 1) / 2];
  } else [from, to] = [0, size];
  const negative = NEGATIVE.has(letter) !== (prime === "'");
  return { axis, from, to, turn: negative ? -1 : 1, count: countText ? Number(countText) : 1 };
}

/** Turns `cube` in place by `move` (magiccube `Cube._rotate_once`). */
export function turnCube(cube: Cube, move: CubeMove): void {
  const n = cube.size;
  const [p, q] = move.axis === 0 ? [1, 2] : move.axis === 1 ? [0, 2] : [0, 1];
  const index = (c: number[]): number => (c[0] ?? 0) * n * n + (c[1] ?? 0) * n + (c[2] ?? 0);
  for (let t = 0; t < move.count; t++) {
    const before = cube.cells.slice();
    for (let layer = move.from; layer < move.to; layer++)
      for (let u = 0; u < n; u++)
        for (let v = 0; v < n; v++) {
          const src = [0, 0, 0];
          src[move.axis] = layer;
          src[p] = u;
          src[q] = v;
          // numpy rot90 over axes (p, q): k = 1 sends (u, v) to (n-1-v, u), k = -1 to (v, n-1-u).
          const dst = src.slice();
          [dst[p], dst[q]] = move.turn === 1 ? [n - 1 - v, u] : [v, n - 1 - u];
          const cubie = before[index(src)] ?? null;
          if (cubie) [cubie[p], cubie[q]] = [cubie[q] ?? null, cubie[p] ?? null];
          cube.cells[index(dst)] = cubie;
        }
  }
}

/** The stickers of each face in magiccube's `Face` order L R D U B F, each row by row as `Cube.get_face` lists them. */
export function cubeFaces(cube: Cube): CubeColor[][] {
  const n = cube.size;
  const asc = [...Array(n).keys()];
  const desc = asc.slice().reverse();
  const at = (a0: number, a1: number, a2: number, axis: 0 | 1 | 2): CubeColor => {
    const color = cube.cells[a0 * n * n + a1 * n + a2]?.[axis];
    if (!color) throw new Error('cube is not consistent');
    return color;
  };
  return [
    desc.flatMap((y) => asc.map((z) => at(0, y, z, 0))),
    desc.flatMap((y) => desc.map((z) => at(n - 1, y, z, 0))),
    desc.flatMap((z) => asc.map((x) => at(x, 0, z, 1))),
    asc.flatMap((z) => asc.map((x) => at(x, n - 1, z, 1))),
    desc.flatMap((y) => desc.map((x) => at(x, y, 0, 2))),
    desc.flatMap((y) => asc.map((x) => at(x, y, n - 1, 2))),
  ];
}

/** magiccube `Cube.is_done`: every face one colour (in any orientation of the whole cube). */
export function cubeSolved(cube: Cube): boolean {
  return cubeFaces(cube).every((face) => face.every((c) => c === face[0]));
}

/** magiccube `Cube.rotate(str)`: moves split at single spaces; null where a token does not parse. */
export function parseCubeMoves(text: string, size: number): CubeMove[] | null {
  const moves: CubeMove[] = [];
  for (const token of text.split(' ')) {
    if (token === '') continue;
    const move = parseCubeMove(token, size);
    if (!move) return null;
    moves.push(move);
  }
  return moves;
}

/**
 * Repeats beyond this make CPython's `[base] * n` raise (OverflowError at 2^63, MemoryError above
 * PY_SSIZE_T_MAX / 8); expand_moves then returns the raw text, which never parses. Smaller huge
 * counts only exhaust a real machine's memory, which also ends in RG's `except`: 0.01.
 */
const MAX_REPEAT = (2n ** 63n - 1n) / 8n;

/** RG's `expand_moves` then `Cube.rotate`: the answer's moves, or null where RG's `try` fails. */
function answerMoves(answer: string, size: number): CubeMove[] | null {
  const moves: CubeMove[] = [];
  for (const token of pySplit(answer)) {
    const m = /^(\P{Nd}*)(\p{Nd}*)$/u.exec(token);
    if (!m) continue; // dropped by expand_moves
    const [, base = '', digits = ''] = m;
    const repeat = digits === '' ? 1n : BigInt(pyAsciiDigits(digits));
    if (repeat > MAX_REPEAT) return null;
    if (base === '' || repeat === 0n) continue;
    const move = parseCubeMove(base, size);
    if (!move) return null;
    // Four quarter turns of the same layers are no turn: only the repeat modulo 4 matters.
    moves.push({ ...move, count: move.count * Number(repeat % 4n) });
  }
  return moves;
}

/** Cube sizes accepted from an item (RG's config allows 2..6; larger ones are refused, not simulated). */
const MAX_SIZE = 16;

/** rubiks_cube: 1.0 when the scramble then the answer leave every face one colour, else 0.01. */
export const rubiksCube: RgScorer = (answer, entry) => {
  const size = metaNumber(entry, 'cube_size');
  if (!Number.isInteger(size) || size < 2 || size > MAX_SIZE) throw new RgDataError(`metadata.cube_size must be an integer from 2 to ${MAX_SIZE}`);
  const scramble = parseCubeMoves(metaString(entry, 'scramble_moves'), size);
  // RG turns the scramble outside its try: a bad one raises instead of scoring.
  if (!scramble) throw new RgDataError('metadata.scramble_moves is not valid magiccube notation');
  const cube = solvedCube(size);
  for (const move of scramble) turnCube(cube, move);
  const moves = answerMoves(answer, size);
  if (!moves) return 0.01;
  for (const move of moves) turnCube(cube, move);
  return cubeSolved(cube) ? 1 : 0.01;
};
