// sokoban: RG replays the answer's R/L/U/D letters (every other character ignored) on the
// board in `metadata.gamestr`; the player pushes one box at a time; solved when no box is off
// a goal. Cells: + wall, - floor, X goal, @ box, $ box on goal, * player, % player on goal.

import { metaString, type RgScorer } from './entry';

interface Cell {
  char: string;
  readonly goal: boolean;
  obj: 'wall' | 'box' | 'player' | null;
}

const MOVES: Readonly<Record<string, [number, number]>> = { R: [1, 0], L: [-1, 0], U: [0, -1], D: [0, 1] };

function load(gamestr: string): Cell[][] | null {
  const rows = gamestr
    .replace(/ /g, '')
    .trim()
    .split('\n')
    .map((l) => [...l]);
  const width = rows[0]?.length ?? 0;
  if (rows.some((r) => r.length !== width)) return null; // numpy cannot make the matrix
  return rows.map((r) =>
    r.map((c): Cell => {
      const goal = c === 'X' || c === '$' || c === '%';
      const obj = c === '+' ? 'wall' : c === '@' || c === '$' ? 'box' : c === '*' || c === '%' ? 'player' : null;
      return { char: c, goal, obj };
    }),
  );
}

/** 1 when the moves leave every box on a goal, else 0. */
export const sokoban: RgScorer = (answer, entry) => {
  const grid = load(metaString(entry, 'gamestr'));
  if (!grid) return 0;
  const h = grid.length;
  const w = grid[0]?.length ?? 0;
  // numpy indexing: negative indices wrap, indices past the end raise (RG then scores 0).
  const at = (y: number, x: number): Cell | null => {
    if (y >= h || x >= w || y < -h || x < -w) return null;
    return grid[(y + h) % h]?.[(x + w) % w] ?? null;
  };
  let py = -1;
  let px = -1;
  grid.forEach((row, y) =>
    row.forEach((c, x) => {
      if (c.obj === 'player') [py, px] = [y, x];
    }),
  );
  if (py < 0) return 0;
  for (const key of answer) {
    const move = Object.hasOwn(MOVES, key) ? MOVES[key] : undefined;
    if (!move) continue;
    const [dx, dy] = move;
    const ty = py + dy;
    const tx = px + dx;
    const target = at(ty, tx);
    if (!target) return 0;
    if (target.obj === 'wall') continue;
    if (target.obj === 'box') {
      const beyond = at(ty + dy, tx + dx);
      if (!beyond) return 0;
      if (beyond.obj === 'box' || beyond.obj === 'wall') continue;
      target.char = target.goal ? 'X' : '-';
      target.obj = null;
      beyond.char = beyond.goal ? '$' : '@';
      beyond.obj = 'box';
    }
    const here = at(py, px);
    if (!here) return 0;
    here.char = here.goal ? 'X' : '-';
    here.obj = null;
    target.char = target.goal ? '%' : '*';
    target.obj = 'player';
    // A wrapped index moves the player to the wrapped cell.
    py = (ty + h) % h;
    px = (tx + w) % w;
  }
  return grid.some((row) => row.some((c) => c.char === '@')) ? 0 : 1;
};
