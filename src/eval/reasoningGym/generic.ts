// Datasets scored by plain string comparisons: RG's default `score_answer` (exact, else
// partial credit len(gold)/len(answer) when the gold is inside the answer) and the small
// variations some datasets override it with.

import { oracle, type RgEntry, type RgScorer } from './entry';
import { pyLen, pyStrip, pySplit } from './py';

/** RG's `ProceduralDataset.score_answer`: 1 on equality, len(gold)/len(answer) when the gold is a substring. */
export function defaultScore(answer: string, entry: RgEntry): number {
  const gold = oracle(entry);
  if (answer.length === 0) return 0;
  if (answer === gold) return 1;
  if (answer.includes(gold)) return pyLen(gold) / pyLen(answer);
  return 0;
}

/** ab, self_reference: exact string only. */
export const exactOnly: RgScorer = (answer, entry) => (answer === oracle(entry) ? 1 : 0);

/** circuit_logic: exact, or len(gold)/len(answer) when only surrounding whitespace differs. */
export const circuitLogic: RgScorer = (answer, entry) => {
  const gold = oracle(entry);
  if (answer.length === 0) return 0;
  if (gold === answer) return 1;
  if (gold === pyStrip(answer)) return pyLen(gold) / pyLen(answer);
  return 0;
};

/** color_cube_rotation: stripped, lower-case equality; anything else 0.01. */
export const colorCubeRotation: RgScorer = (answer, entry) => (pyStrip(answer).toLowerCase() === pyStrip(oracle(entry)).toLowerCase() ? 1 : 0.01);

/** dice, zebra_puzzles: lower-case equality with newlines removed. */
export const dice: RgScorer = (answer, entry) => (answer.toLowerCase().replace(/\n/g, '') === oracle(entry).toLowerCase().replace(/\n/g, '') ? 1 : 0);

/** emoji_mystery: exact; same length → share of equal characters; else 0.01. */
export const emojiMystery: RgScorer = (answer, entry) => {
  const gold = oracle(entry);
  if (answer === gold) return 1;
  const a = [...answer];
  const g = [...gold];
  if (a.length !== g.length) return 0.01;
  if (a.length === 0) return 0.01; // RG divides by zero here and its bare except gives 0.01
  return a.filter((c, i) => c === g[i]).length / a.length;
};

/** family_relationships: stripped, lower-case equality. */
export const familyRelationships: RgScorer = (answer, entry) => (pyStrip(answer).toLowerCase() === pyStrip(oracle(entry)).toLowerCase() ? 1 : 0);

/** needle_haystack: the answer with spaces removed, stripped and lower-cased equals the gold. */
export const needleHaystack: RgScorer = (answer, entry) => (pyStrip(answer.replace(/ /g, '')).toLowerCase() === pyStrip(oracle(entry)).toLowerCase() ? 1 : 0);

/** path_star: equal after collapsing whitespace. */
export const pathStar: RgScorer = (answer, entry) => {
  if (pyStrip(answer).length === 0) return 0;
  return pySplit(answer).join(' ') === pySplit(oracle(entry)).join(' ') ? 1 : 0;
};

/** sentence_reordering: exact; same word count → share of words equal ignoring case; else 0.05. */
export const sentenceReordering: RgScorer = (answer, entry) => {
  const gold = oracle(entry);
  if (gold === answer) return 1;
  const g = pySplit(gold);
  const a = pySplit(answer);
  if (g.length !== a.length) return 0.05;
  if (g.length === 0) return 0; // ZeroDivisionError inside RG's try → 0.0
  return g.filter((w, i) => w.toLowerCase() === (a[i] ?? '').toLowerCase()).length / g.length;
};

/**
 * spell_backward: case-insensitive equality; otherwise 1/len(gold) per matching leading
 * position (RG's loop stops at the shorter string), minus 0.2 when that reaches exactly 1.
 */
export const spellBackward: RgScorer = (answer, entry) => {
  const g = [...oracle(entry).toLowerCase()];
  const a = [...answer.toLowerCase()];
  if (g.join('') === a.join('')) return 1;
  let reward = 0;
  for (let i = 0; i < g.length && i < a.length; i++) if (g[i] === a[i]) reward += 1 / g.length;
  if (reward === 1) reward -= 0.2;
  return reward;
};

/** tsumego: upper-cased exact; gold inside → len ratio; a coordinate like "C4" 0.05; else 0.01. */
export const tsumego: RgScorer = (answer, entry) => {
  const gold = pyStrip(oracle(entry));
  if (answer.length === 0) return 0;
  const a = pyStrip(answer).toUpperCase();
  if (a === gold) return 1;
  if (a.includes(gold)) return pyLen(gold) / pyLen(a);
  if (/^([A-Z])(\p{Nd}+)$/u.test(a)) return 0.05; // Python's \d matches every Unicode digit
  return 0.01;
};

/** letter_jumble: lower-case stripped equality, else the share of words in the right place. */
export const letterJumble: RgScorer = (answer, entry) => {
  const gold = pyStrip(oracle(entry)).toLowerCase();
  const a = pyStrip(answer).toLowerCase();
  if (a === gold) return 1;
  // RG's `partial`: words compared position by position over the gold's words.
  // Summed one share at a time, as RG does, so rounding matches.
  const g = pySplit(gold);
  const w = pySplit(a);
  const share = g.length > 0 ? 1 / g.length : 0;
  let sum = 0;
  g.forEach((word, i) => {
    sum += w[i] === word ? share : 0;
  });
  return Math.min(1, sum);
};

/**
 * figlet_font: the answer with spaces removed, stripped and lower-cased equal to the stripped,
 * lower-cased gold → 1; else 0.1 per position (code point) where the two agree, up to 1.
 */
export const figletFont: RgScorer = (answer, entry) => {
  const a = [...pyStrip(answer.replace(/ /g, '')).toLowerCase()];
  const g = [...pyStrip(oracle(entry)).toLowerCase()];
  if (a.join('') === g.join('')) return 1;
  let same = 0;
  for (let i = 0; i < a.length && i < g.length; i++) if (a[i] === g[i]) same++;
  // RG caps at 1.0, so a wrong answer with 10 letters in place (words of 11 letters or more)
  // would be a full score: kept below 1 here (docs/task-files.md, "Where we score differently").
  return Math.min(same * 0.1, FIGLET_WRONG_CAP);
};

/** The most a figlet_font answer that is not the word can score (RG: 1.0). */
const FIGLET_WRONG_CAP = 0.99;

/**
 * game_of_life_halting: the answer must be the gold ("True" or "False") exactly. RG's own check,
 * `bool(answer) == bool(entry["answer"])`, gives 1 to every non-empty answer (both golds are
 * non-empty strings); that breaks the question, so here only the gold scores (docs/task-files.md).
 */
export const gameOfLifeHalting: RgScorer = (answer, entry) => (answer === oracle(entry) ? 1 : 0);
