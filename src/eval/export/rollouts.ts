// RL rollouts from a multi-sample run (`r1ci eval --samples k`): one JSON line per question with
// its k samples, each with its reward and the character spans of the injected execution
// results, which a trainer masks from the loss as the paper does (the model never learned to
// predict them). Rewards follow the paper: 1 right / 0 wrong; the v2 reward adds +0.1 / −0.1
// for the answer format and −0.1 when the trajectory took more than six turns
// (../shared/docs/r1ci-protocol.md, "Reward in v2").
import { latestById, type ResultRecord } from '../results';
import { codeWasRefused, trajectorySegments } from './segments';

export interface RewardOptions {
  /**
   * v2 format term: +0.1 when the model wrote its answer as `<<<answer>>>`, −0.1 otherwise (no
   * answer, only `\boxed{}`, or `<<<…>>>` printed by its code rather than written).
   */
  readonly format?: boolean;
  /** v2 turn penalty: −0.1 when the trajectory made more than `maxTurns` model requests. */
  readonly turnPenalty?: boolean;
}

/** The v2 reward's turn threshold: more than six turns costs 0.1. */
export const V2_MAX_TURNS = 6;
/** Size of the v2 reward's format and turn terms. */
export const V2_TERM = 0.1;

/** A sample's reward: 1 right / 0 wrong, plus the optional v2 terms. */
export function reward(result: ResultRecord, options: RewardOptions = {}): number {
  let r = result.correct ? 1 : 0;
  const inFormat = result.answer !== null && (result.answerSource === undefined || result.answerSource === 'model');
  if (options.format) r += inFormat ? V2_TERM : -V2_TERM;
  if (options.turnPenalty && result.turns > V2_MAX_TURNS) r -= V2_TERM;
  // Sums of tenths in floating point: keep the values a trainer compares exact-looking.
  return Math.round(r * 1e9) / 1e9;
}

export interface RolloutSample {
  readonly sample: number;
  /** Everything after the prompt, as the model saw it: its own text with the results injected. */
  readonly response: string;
  /**
   * [start, end) ranges of `response` that the harness injected (mask from the loss), counted in
   * Unicode code points: the indices of Python's `str`, where a trainer slices and aligns the
   * tokenizer's offsets (`response[start:end]`). Not UTF-16 code units (JavaScript's string
   * indices, which the results file's `executionSpans` use): those drift by one for every emoji
   * or other character outside the Basic Multilingual Plane before the span.
   */
  readonly mask_spans: Array<[number, number]>;
  readonly reward: number;
  readonly correct: boolean;
  readonly answer: string | null;
  readonly turns: number;
  readonly code_calls: number;
  /**
   * Its code was refused, not run (the basic tier without consent): the results in `response`
   * are the refusal, not what the code printed, so a trainer that wants the environment the
   * paper trains in leaves it out (SFT export does).
   */
  readonly code_refused: boolean;
}

export interface RolloutGroup {
  readonly id: string;
  readonly task: string;
  /** The prompt the model was given (head prompt and question), system prompt first when there was one. */
  readonly prompt: string;
  /** Share of the group's samples that are right (p), for advantage baselines and curricula. */
  readonly p: number;
  readonly samples: RolloutSample[];
}

/**
 * Groups finished samples (no `error`, with a trajectory) by question. For the chat protocol the
 * response concatenates the assistant messages and results messages in order; for the R1-CI
 * protocol it is the one assistant message. Groups keep the order of first appearance.
 */
export function rolloutGroups(results: readonly ResultRecord[], options: RewardOptions = {}): RolloutGroup[] {
  const groups = new Map<string, { task: string; prompt: string; samples: RolloutSample[] }>();
  for (const r of latestById(results)) {
    if (r.error !== undefined || r.trajectory === undefined) continue;
    const segments = trajectorySegments(r);
    const firstModel = segments.findIndex((s) => s.kind === 'model');
    if (firstModel < 0) continue;
    const prompt = segments
      .slice(0, firstModel)
      .map((s) => s.text)
      .join('\n\n');
    let response = '';
    // The response's length so far in code points (see RolloutSample.mask_spans).
    let at = 0;
    const spans: Array<[number, number]> = [];
    for (const s of segments.slice(firstModel)) {
      const length = codePointLength(s.text);
      if (s.kind === 'result') spans.push([at, at + length]);
      response += s.text;
      at += length;
    }
    const g = groups.get(r.id) ?? { task: r.task, prompt, samples: [] };
    g.samples.push({ sample: r.sample ?? 0, response, mask_spans: spans, reward: reward(r, options), correct: r.correct, answer: r.answer, turns: r.turns, code_calls: r.codeCalls, code_refused: codeWasRefused(r) });
    groups.set(r.id, g);
  }
  return [...groups.entries()].map(([id, g]) => {
    const samples = g.samples.sort((a, b) => a.sample - b.sample);
    return { id, task: g.task, prompt: g.prompt, p: samples.filter((s) => s.correct).length / samples.length, samples };
  });
}

/**
 * `text`'s length in Unicode code points, as Python's `len(str)` counts it: a surrogate pair is
 * one, a lone surrogate (which JSON carries as `\udXXX` and Python reads as one character) is one.
 */
function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point: skip the low half.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * The rollout export as JSONL, one group per line, with `short`: the groups with fewer samples
 * than the largest group (`k`), whose missing samples ended in an error or were never asked (an
 * unfinished run). A trainer that needs groups of one size (GRPO) is told which ones differ.
 */
export function rolloutsJsonl(results: readonly ResultRecord[], options: RewardOptions = {}): { text: string; groups: number; samples: number; k: number; short: Array<{ id: string; samples: number }> } {
  const groups = rolloutGroups(results, options);
  const k = groups.reduce((m, g) => Math.max(m, g.samples.length), 0);
  return {
    text: groups.map((g) => `${JSON.stringify(g)}\n`).join(''),
    groups: groups.length,
    samples: groups.reduce((s, g) => s + g.samples.length, 0),
    k,
    short: groups.filter((g) => g.samples.length < k).map((g) => ({ id: g.id, samples: g.samples.length })),
  };
}
