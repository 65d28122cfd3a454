// boxnet: RG replays a JSON list of steps, each `{"Agent[r, c]": "move(box_x, square[r, c])"}` or
// `"move(box_x, target_x)"`, on `metadata.initial_state` (square "r_c" → items) and scores the
// share of boxes delivered (at least 0.05). Invalid actions are skipped, as RG does.

import { metaRecord, RgDataError, type RgScorer } from './entry';
import { jsonLoads } from './codeio';
import { pyAsciiDigits, pyFloatRepr } from './py';
import { PY_WS } from '../../text/pythonStrip';

/** RG's `map(float, re.findall(r"\d+\.?\d*", s))`: Python's `\d` takes every Unicode digit, which float() reads (`2.5,٣` is 2.5 and 3). */
const floats = (s: string): number[] => (s.match(/\p{Nd}+\.?\p{Nd}*/gu) ?? []).map((f) => Number(pyAsciiDigits(f)));

/** Whether `c` ends a line for `.` in a Python regular expression (only \n; JavaScript's `.` also stops at \r, U+2028 and U+2029). */
const isLineBreak = (c: string | undefined): boolean => c === '\n';

/** Python's `\s`: U+001C-U+001F and U+0085 are blanks, U+FEFF is not (JavaScript's `trim()` has it the other way). */
const PY_BLANK = new RegExp(`^[${PY_WS}]$`);

/**
 * The item and the place of an action `move(item, place)…`, or null: what RG's
 * `/^move\((.*?),\s(.*?)\)/` captures (the first `, ` on the first line whose place has a `)` after
 * it on its line; the blank after the comma may be a line break), in linear time (that regex tried
 * every `, ` up to the end of the line: seconds on 32,000 of them without a `)`).
 */
export function moveArguments(action: string): [string, string] | null {
  if (!action.startsWith('move(')) return null;
  const lineEnd = (from: number): number => {
    let i = from;
    while (i < action.length && !isLineBreak(action[i])) i++;
    return i;
  };
  const firstLineEnd = lineEnd(5);
  const lastClose = action.lastIndexOf(')', firstLineEnd - 1);
  for (let comma = action.indexOf(',', 5); comma >= 0 && comma < firstLineEnd; comma = action.indexOf(',', comma + 1)) {
    const blank = action[comma + 1] ?? '';
    if (!PY_BLANK.test(blank)) continue;
    const from = comma + 2;
    if (isLineBreak(blank)) {
      // The place is on the next line, and nothing comes after this comma on the first.
      const close = action.indexOf(')', from);
      return close >= 0 && close < lineEnd(from) ? [action.slice(5, comma), action.slice(from, close)] : null;
    }
    if (lastClose >= from) return [action.slice(5, comma), action.slice(from, action.indexOf(')', from))];
  }
  return null;
}

/** Where RG's scorer raises (malformed steps), the answer scores 0. */
class Malformed extends Error {}

function replay(initial: Record<string, unknown>, steps: unknown): Map<string, string[]> {
  const state = new Map<string, string[]>();
  for (const [k, v] of Object.entries(initial)) {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new RgDataError('metadata.initial_state is malformed');
    state.set(k, [...v]);
  }
  // Python iterates whatever json.loads gave: a list's items, a string's characters, a dict's keys.
  let items: unknown[];
  if (Array.isArray(steps)) items = steps;
  else if (typeof steps === 'string') items = [...steps];
  else if (typeof steps === 'object' && steps !== null) items = Object.keys(steps);
  else throw new Malformed('not iterable');
  for (const step of items) {
    if (typeof step !== 'object' || step === null || Array.isArray(step)) throw new Malformed('a step is not an object');
    // Later keys with the same coordinates replace earlier ones but keep their place (a Python dict).
    const moves = new Map<string, { coords: number[]; item: string; location: string | number[] }>();
    for (const [key, value] of Object.entries(step as Record<string, unknown>)) {
      const coords = floats(key);
      if (typeof value !== 'string') throw new Malformed('an action is not a string');
      const m = moveArguments(value);
      if (!m) continue;
      const [item, loc] = m;
      if (coords.length < 2) throw new Malformed('an agent without coordinates');
      moves.set(coords.map(pyFloatRepr).join(','), { coords, item, location: loc.includes('square') ? floats(loc) : loc });
    }
    for (const { coords, item, location } of moves.values()) {
      const here = state.get(`${pyFloatRepr(coords[0] ?? 0)}_${pyFloatRepr(coords[1] ?? 0)}`);
      if (!here) continue;
      if (here.includes(item) && typeof location === 'string' && here.includes(location) && item.startsWith('box_') && location.startsWith('target_') && item.slice(4) === location.slice(7)) {
        here.splice(here.indexOf(item), 1);
        here.splice(here.indexOf(location), 1);
      } else if (here.includes(item) && typeof location !== 'string') {
        if (location.length < 2) throw new Malformed('a square without coordinates');
        const dr = Math.abs((coords[0] ?? 0) - (location[0] ?? 0));
        const dc = Math.abs((coords[1] ?? 0) - (location[1] ?? 0));
        if ((dr === 0 && dc === 1) || (dr === 1 && dc === 0)) {
          const there = state.get(`${pyFloatRepr(location[0] ?? 0)}_${pyFloatRepr(location[1] ?? 0)}`);
          here.splice(here.indexOf(item), 1);
          if (!there) throw new Malformed('a move off the grid');
          there.push(item);
        }
      }
    }
  }
  return state;
}

/** The share of boxes put on their targets, at least 0.05 for a JSON answer; 0 when not JSON or malformed. */
export const boxnet: RgScorer = (answer, entry) => {
  const parsed = jsonLoads(answer);
  if (!parsed.ok) return 0;
  const initial = metaRecord(entry, 'initial_state');
  const boxes = (m: Iterable<unknown>): number => {
    let n = 0;
    for (const items of m) if (Array.isArray(items)) n += items.filter((i) => typeof i === 'string' && i.startsWith('box_')).length;
    return n;
  };
  const before = boxes(Object.values(initial));
  if (before === 0) throw new RgDataError('the item has no boxes');
  let after: number;
  try {
    after = boxes(replay(initial, parsed.value).values());
  } catch (e) {
    if (e instanceof Malformed) return 0;
    throw e;
  }
  return Math.max(0.05, (before - after) / before);
};
