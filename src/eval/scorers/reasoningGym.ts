// Bridges a Reasoning-Gym task record to its dataset's scorer (src/eval/reasoningGym).

import { scoreReasoningGym } from '../reasoningGym';
import type { ScoreResult, ScorerSpec } from '../types';

type RgSpec = Extract<ScorerSpec, { kind: 'reasoning_gym' }>;

/** Scores like RG's `score_answer`; `correct` only for a full score of 1. */
export function scoreReasoningGymRecord(spec: RgSpec, answer: string): ScoreResult {
  const out = scoreReasoningGym(spec.dataset, answer, { answer: spec.answer, metadata: spec.metadata });
  const shown = spec.answer !== null ? { expected: spec.answer } : {};
  const score = out.score;
  const correct = score === 1;
  const reason = out.error
    ? `not scored: ${out.error}`
    : correct
      ? `full score (Reasoning-Gym ${spec.dataset})`
      : score > 0
        ? `partial score ${Number(score.toFixed(4))} (Reasoning-Gym ${spec.dataset})`
        : `score 0 (Reasoning-Gym ${spec.dataset})`;
  return { correct, score, reason, ...shown };
}
