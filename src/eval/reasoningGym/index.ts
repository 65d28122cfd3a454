// Registry of Reasoning-Gym datasets: which scorer reproduces each dataset's `score_answer`,
// and which datasets cannot be scored here (with the reason). Scorers are reimplemented in
// TypeScript from reasoning-gym's source (open-thought/reasoning-gym, commit 49b07130).

import { RgDataError, type RgEntry, type RgScorer } from './entry';
import * as algebra from './algebra';
import { boxnet } from './boxnet';
import { intermediateIntegration } from './calculus';
import { codeio } from './codeio';
import * as games from './games';
import * as generic from './generic';
import * as grids from './grids';
import * as jsonAnswers from './jsonAnswers';
import * as numeric from './numeric';
import { propositionalLogic } from './propositionalLogic';
import * as puzzles from './puzzles';
import { rubiksCube } from './rubiksCube';
import { rushHour } from './rushHour';
import { sokoban } from './sokoban';
import { wordLadder } from './wordLadder';

export type { RgEntry, RgScorer } from './entry';

/**
 * Datasets whose `score_answer` is RG's default (exact match, else len(gold)/len(answer) when
 * the gold is a substring of the answer): they do not override it.
 */
const DEFAULT_SCORED = [
  'acre',
  'aiw',
  'arc_1d',
  'base_conversion',
  'basic_arithmetic',
  'bf',
  'binary_alternation',
  'caesar_cipher',
  'count_bits',
  'count_primes',
  'course_schedule',
  'gcd',
  'isomorphic_strings',
  'largest_island',
  'lcm',
  'leg_counting',
  'letter_counting',
  'list_functions',
  'mahjong_puzzle',
  'maze',
  'modulo_grid',
  'number_filtering',
  'number_sequence',
  'ransom_note',
  'rotate_matrix',
  'rotten_oranges',
  'simple_equations',
  'simple_geometry',
  'string_manipulation',
  'string_splitting',
  'string_synthesis',
  'syllogism',
  'word_sequence_reversal',
] as const;

const SCORERS: Readonly<Record<string, RgScorer>> = {
  ...Object.fromEntries(DEFAULT_SCORED.map((name) => [name, generic.defaultScore])),
  ab: generic.exactOnly,
  advanced_geometry: numeric.advancedGeometry,
  arc_agi: grids.rearc,
  binary_matrix: grids.binaryMatrix,
  bitwise_arithmetic: numeric.bitwiseArithmetic,
  boxnet,
  calendar_arithmetic: numeric.calendarArithmetic,
  chain_sum: numeric.decimalReward,
  circuit_logic: generic.circuitLogic,
  codeio,
  coin_flip: numeric.coinFlip,
  color_cube_rotation: generic.colorCubeRotation,
  complex_arithmetic: numeric.complexArithmetic,
  countdown: games.countdown,
  cryptarithm: puzzles.cryptarithm,
  decimal_arithmetic: numeric.decimalArithmetic,
  decimal_chain_sum: numeric.decimalChainSum,
  dice: generic.dice,
  emoji_mystery: generic.emojiMystery,
  family_relationships: generic.familyRelationships,
  figlet_font: generic.figletFont,
  fraction_simplification: numeric.fractionSimplification,
  futoshiki: grids.digitBoard,
  game_of_life: jsonAnswers.gameOfLife,
  game_of_life_halting: generic.gameOfLifeHalting,
  graph_color: puzzles.graphColor,
  group_anagrams: jsonAnswers.groupAnagrams,
  gsm_symbolic: numeric.gsmSymbolic,
  intermediate_integration: intermediateIntegration,
  jugs: puzzles.jugs,
  kakurasu: grids.kakurasu,
  knight_swap: puzzles.knightSwap,
  knights_knaves: puzzles.knightsKnaves,
  letter_jumble: generic.letterJumble,
  manipulate_matrix: grids.manipulateMatrix,
  mini_sudoku: grids.digitBoard,
  n_queens: grids.nQueens,
  needle_haystack: generic.needleHaystack,
  number_format: numeric.numberFormat,
  number_sorting: puzzles.numberSorting,
  palindrome_generation: puzzles.palindromeGeneration,
  palindrome_partitioning: puzzles.palindromePartitioning,
  path_star: generic.pathStar,
  polynomial_equations: numeric.polynomialEquations,
  polynomial_multiplication: algebra.polynomialMultiplication,
  pool_matrix: grids.poolMatrix,
  power_function: numeric.powerFunction,
  prime_factorization: numeric.primeFactorization,
  products: numeric.decimalReward,
  propositional_logic: propositionalLogic,
  puzzle24: games.puzzle24,
  quantum_lock: puzzles.quantumLock,
  rearc: grids.rearc,
  rectangle_count: numeric.rectangleCount,
  rubiks_cube: rubiksCube,
  rush_hour: rushHour,
  self_reference: generic.exactOnly,
  sentence_reordering: generic.sentenceReordering,
  shortest_path: puzzles.shortestPath,
  simple_integration: algebra.simpleIntegration,
  sokoban,
  spell_backward: generic.spellBackward,
  spiral_matrix: grids.spiralMatrix,
  string_insertion: grids.stringInsertion,
  sudoku: grids.digitBoard,
  survo: grids.survo,
  time_intervals: numeric.timeIntervals,
  tower_of_hanoi: puzzles.towerOfHanoi,
  tsumego: generic.tsumego,
  word_ladder: wordLadder,
  word_sorting: puzzles.wordSorting,
  zebra_puzzles: generic.dice,
};

/**
 * RG datasets without a scorer here, with the reason. Loading one reports it as unsupported;
 * its items are never scored as something else.
 */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  composite: 'a mix of other datasets with no items of its own; load the datasets it mixes',
};

/** How a dataset can be scored: a scorer, or why not. */
export type RgSupport = { readonly supported: true; readonly scorer: RgScorer } | { readonly supported: false; readonly reason: string };

/** Looks a dataset name up (RG's registered name, e.g. "puzzle24"). */
export function reasoningGymSupport(dataset: string): RgSupport {
  const scorer = SCORERS[dataset];
  if (scorer) return { supported: true, scorer };
  return { supported: false, reason: UNSUPPORTED[dataset] ?? 'no scorer for this Reasoning-Gym dataset yet' };
}

/** A score and, when it could not be computed, why. */
export interface RgScoreOutcome {
  /** In [0, 1]; 1 is a full score. */
  readonly score: number;
  readonly error?: string;
}

/**
 * Scores `answer` (exactly as extracted, nothing stripped) for an item of `dataset` the way
 * RG's `score_answer` does. Never throws: bad item data gives score 0 with `error`.
 */
export function scoreReasoningGym(dataset: string, answer: string, entry: RgEntry): RgScoreOutcome {
  const support = reasoningGymSupport(dataset);
  if (!support.supported) return { score: 0, error: `dataset "${dataset}" is not supported: ${support.reason}` };
  try {
    const s = support.scorer(answer, entry);
    // Clamp: a score outside [0, 1] (or NaN) would be a scorer bug; never report it as such.
    return { score: Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : 0 };
  } catch (e) {
    if (e instanceof RgDataError) return { score: 0, error: e.message };
    return { score: 0, error: e instanceof Error ? e.message : String(e) };
  }
}
