// word_ladder: RG accepts any ladder from the start to the end word that changes one letter per
// step, and halves the score for each word missing from its word list (resources/reasoning-gym/
// words.csv, RG's data/words.csv, read once on first use).

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { metaString, RgDataError, type RgScorer } from './entry';
import { pyLen, pyStrip } from './py';

const RELATIVE = join('resources', 'reasoning-gym', 'words.csv');
/** RG's default word_ladder configuration loads only the 4-letter column. */
const WORD_LENGTHS = [4];

let cache: Map<number, Set<string>> | undefined;

/** Where the word list may be: bundled (dist/, dist/bench/) and from source (src/eval/reasoningGym/). */
function candidates(): string[] {
  const out: string[] = [];
  const fromEnv = process.env['R1CI_RESOURCES_DIR'];
  if (fromEnv) out.push(join(fromEnv, 'reasoning-gym', 'words.csv'));
  for (const up of ['..', join('..', '..'), join('..', '..', '..')]) out.push(resolve(__dirname, up, RELATIVE));
  out.push(resolve(process.cwd(), RELATIVE));
  return out;
}

/** Word length → upper-case words of RG's list; throws (an item error, score 0) when the file is missing. */
function wordSets(): Map<number, Set<string>> {
  if (cache) return cache;
  const file = candidates().find((c) => existsSync(c));
  if (!file) throw new RgDataError(`the word list ${RELATIVE} was not found (set R1CI_RESOURCES_DIR)`);
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  const sets = new Map<number, Set<string>>();
  for (const length of WORD_LENGTHS) {
    const col = header.indexOf(`${length}_letter`);
    const words = new Set<string>();
    for (const line of lines.slice(1)) {
      const w = line.split(',')[col] ?? '';
      if (w !== '') words.add(w.toUpperCase());
    }
    sets.set(length, words);
  }
  cache = sets;
  return sets;
}

/** A valid ladder 1, halved for each word not in RG's list; anything else 0. */
export const wordLadder: RgScorer = (answer, entry) => {
  const words = answer.toUpperCase().split(',').map(pyStrip);
  const start = metaString(entry, 'start_word');
  const end = metaString(entry, 'end_word');
  const length = pyLen(end);
  if (words.length < 2) return 0;
  if (words[0] !== start || words[words.length - 1] !== end) return 0;
  const known = wordSets().get(length);
  if (!known) return 0; // RG raises: no list for this length in its default configuration
  if (!words.every((w) => pyLen(w) === length)) return 0;
  for (let i = 1; i < words.length; i++) {
    const a = [...(words[i - 1] ?? '')];
    const b = [...(words[i] ?? '')];
    if (a.filter((c, j) => c !== b[j]).length !== 1) return 0;
  }
  return words.reduce((r, w) => (known.has(w) ? r : r * 0.5), 1);
};
