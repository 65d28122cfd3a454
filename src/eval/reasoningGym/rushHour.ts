// rush_hour: RG simulates "F+1 K+1 M-1 ..." on its 6×6 board (Fogleman's Rush Hour
// representation: cells as bits, pieces indexed A, B, ... in sorted label order, walls last).
// Moves that are blocked or leave the board stop where they are (RG clamps, never fails).

import { metaString, type RgScorer } from './entry';
import { pyAsciiDigits } from './py';
import { PY_INT_MAX_STR_DIGITS } from '../pythonStr';

const SIZE = 6;
const CELLS = SIZE * SIZE;
const H = 1;
const V = SIZE;
/** The red car (piece A) must end at row 2, in the two rightmost cells. */
const TARGET = 2 * SIZE + SIZE - 2;

function rowMask(y: number): bigint {
  let m = 0n;
  for (let x = 0; x < SIZE; x++) m |= 1n << BigInt(y * SIZE + x);
  return m;
}
function colMask(x: number): bigint {
  let m = 0n;
  for (let y = 0; y < SIZE; y++) m |= 1n << BigInt(y * SIZE + x);
  return m;
}
const TOP = rowMask(0);
const BOTTOM = rowMask(SIZE - 1);
const LEFT = colMask(0);
const RIGHT = colMask(SIZE - 1);

interface Piece {
  position: number;
  readonly size: number;
  readonly stride: number;
  mask: bigint;
}

function piece(position: number, size: number, stride: number): Piece {
  let mask = 0n;
  for (let i = 0, p = position; i < size; i++, p += stride) mask |= 1n << BigInt(p);
  return { position, size, stride, mask };
}

/** The board from RG's config string; null where RG's Board() raises (bad length or shape). */
function buildBoard(desc: string): Piece[] | null {
  if (desc.length !== CELLS) return null;
  const positions = new Map<string, number[]>();
  const walls: number[] = [];
  [...desc].forEach((label, i) => {
    if (label === 'o') return;
    if (label === 'x') walls.push(i);
    else positions.set(label, [...(positions.get(label) ?? []), i]);
  });
  const pieces: Piece[] = [];
  for (const label of [...positions.keys()].sort()) {
    const ps = positions.get(label) ?? [];
    if (ps.length < 2 || ps.length > 3) return null;
    const stride = (ps[1] ?? 0) - (ps[0] ?? 0);
    if (stride !== H && stride !== V) return null;
    for (let i = 2; i < ps.length; i++) if ((ps[i] ?? 0) - (ps[i - 1] ?? 0) !== stride) return null;
    pieces.push(piece(ps[0] ?? 0, ps.length, stride));
  }
  for (const w of walls) pieces.push(piece(w, 1, 1));
  return pieces;
}

/** rush_hour: 1 when the moves leave the red car at the exit, 0.01 otherwise, 0 for an unknown piece. */
export const rushHour: RgScorer = (answer, entry) => {
  if (answer.length === 0) return 0;
  const pieces = buildBoard(metaString(entry, 'board_config'));
  if (!pieces) return 0;
  // Python's \d matches every Unicode decimal digit, and int() reads it.
  for (const m of answer.matchAll(/([A-Z])([+-])(\p{Nd}+)/gu)) {
    const i = (m[1] ?? 'A').charCodeAt(0) - 65;
    const digits = pyAsciiDigits(m[3] ?? '0');
    if (digits.length > PY_INT_MAX_STR_DIGITS) return 0; // RG's int() raises; its except gives 0
    const steps = Number(digits) * (m[2] === '+' ? 1 : -1);
    if (i > pieces.length) continue; // RG ignores it
    const p = pieces[i];
    if (!p) return 0; // RG indexes one past the end and raises
    if (p.size === 1) continue; // walls never move
    let board = 0n;
    for (const q of pieces) board |= q.mask; // taken once per move, as RG does
    for (let s = 0; s < Math.abs(steps); s++) {
      const edgeBack = p.stride === H ? LEFT : TOP;
      const edgeFwd = p.stride === H ? RIGHT : BOTTOM;
      const by = BigInt(p.stride);
      if ((p.mask & edgeBack) === 0n && steps < 0) {
        const next = (p.mask >> by) & ~p.mask;
        if ((board & next) === 0n) {
          p.position -= p.stride;
          p.mask >>= by;
          continue;
        }
      }
      if ((p.mask & edgeFwd) === 0n && steps > 0) {
        const next = (p.mask << by) & ~p.mask;
        if ((board & next) === 0n) {
          p.position += p.stride;
          p.mask <<= by;
          continue;
        }
      }
      // Blocked: the piece and the board are unchanged, so RG's remaining steps (which it still
      // loops through, one by one, however many the answer asks for) change nothing either.
      break;
    }
  }
  return pieces[0]?.position === TARGET ? 1 : 0.01;
};
