// Multi-sample evaluation figures: every question asked k times (`--samples k`), then pass@k
// (Chen et al. 2021's unbiased estimator), mean@k, each question's success rate p, and the
// R1-CI paper's improvement potential Π = 4p(1−p) with its curriculum stages, which say which
// questions have the most to gain from RL (p near ½) and which none (always right or wrong).
import { latestById, mdCell, type ResultRecord } from './results';

/**
 * Unbiased pass@k (Chen et al. 2021, "Evaluating Large Language Models Trained on Code"):
 * 1 − C(n−c, k) / C(n, k), the chance that at least one of k samples drawn without
 * replacement from n (c right) is right. Computed as 1 − ∏_{i=n−c+1..n} (1 − k/i), the
 * paper's numerically stable product (no factorials). Throws when k > n or c is out of range.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || k < 1 || k > n || c < 0 || c > n) {
    throw new RangeError(`pass@k needs whole numbers 1 ≤ k ≤ n and 0 ≤ c ≤ n (got n=${n}, c=${c}, k=${k})`);
  }
  if (n - c < k) return 1;
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

/** The paper's improvement potential of a question with success rate p: Π = 4p(1−p) ∈ [0, 1], 1 at p = ½. */
export function improvementPotential(p: number): number {
  return 4 * p * (1 - p);
}

/**
 * Curriculum stages by improvement potential, highest first. The paper partitions training
 * questions by Π and trains on the high-potential ones first; it does not publish the cut
 * points in the material we have, so these are our choice (quartiles of Π, documented in
 * docs/task-files.md): stage 1 Π ≥ 0.75 (p in [0.25, 0.75]), stage 2 Π ≥ 0.5, stage 3 Π ≥ 0.25,
 * stage 4 Π > 0; Π = 0 (every sample right, or every one wrong) is stage 0: no learning signal
 * for a group-relative method such as GRPO, where all rewards of the group are equal.
 */
export const CURRICULUM_STAGES: readonly { readonly stage: number; readonly minPotential: number }[] = [
  { stage: 1, minPotential: 0.75 },
  { stage: 2, minPotential: 0.5 },
  { stage: 3, minPotential: 0.25 },
];

/** Stage 1–4 (1 = most to gain) or 0 (nothing to gain) for potential Π. */
export function curriculumStage(potential: number): number {
  // Π is computed in floating point; a tiny tolerance keeps p = 0.25 (Π = 0.75 exactly) in stage 1.
  const pi = potential + 1e-12;
  for (const s of CURRICULUM_STAGES) if (pi >= s.minPotential) return s.stage;
  return potential > 1e-12 ? 4 : 0;
}

/** One question over its samples. */
export interface QuestionSamples {
  readonly id: string;
  readonly task: string;
  /** Finished samples (results with an `error` are not samples: a re-run retries them). */
  readonly n: number;
  /** Right among them. */
  readonly correct: number;
  /** Success rate p = correct / n. */
  readonly p: number;
  /** Π = 4p(1−p). */
  readonly potential: number;
  /** Curriculum stage, see `curriculumStage`. */
  readonly stage: number;
}

export interface SampleStats {
  readonly questions: number;
  /** Questions with at least k finished samples: those pass@k is over (0: pass@k is not known, shown as —). */
  readonly complete: number;
  /** pass@k averaged over questions with at least k finished samples; 0 when there are none (see `complete`). */
  readonly passAtK: number;
  /** Mean over questions of p: the expected accuracy of one sample (= pass@1). */
  readonly meanAtK: number;
  /** Mean Π over questions. */
  readonly meanPotential: number;
}

export interface SamplingSummary {
  /** The k of pass@k: the most samples any question has. */
  readonly k: number;
  readonly overall: SampleStats;
  readonly tasks: Array<SampleStats & { readonly task: string }>;
  /** Questions with fewer than k finished samples (left out of pass@k; the run is unfinished). */
  readonly incomplete: number;
  /** How many questions fall in each stage 0–4. */
  readonly stages: Record<number, number>;
  /** Every question, highest potential first (ties by id). */
  readonly questions: QuestionSamples[];
}

function sampleStats(qs: readonly QuestionSamples[], k: number): SampleStats {
  const full = qs.filter((q) => q.n >= k);
  const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);
  return {
    questions: qs.length,
    complete: full.length,
    passAtK: mean(full.map((q) => passAtK(q.n, q.correct, k))),
    meanAtK: mean(qs.map((q) => q.p)),
    meanPotential: mean(qs.map((q) => q.potential)),
  };
}

/**
 * Groups results by question (latest attempt per id and sample) and computes pass@k,
 * mean@k, p, Π and stages. `k` defaults to the largest number of samples any question has; a
 * run gives the k it asked for (`--samples k`), so an unfinished run reports pass@k over the
 * questions that have k samples, and none when no question has them yet, never pass@(fewer).
 */
export function summarizeSamples(results: readonly ResultRecord[], k?: number): SamplingSummary {
  const byId = new Map<string, { task: string; n: number; correct: number }>();
  for (const r of latestById(results)) {
    if (r.error !== undefined) continue;
    const q = byId.get(r.id) ?? { task: r.task, n: 0, correct: 0 };
    q.n++;
    if (r.correct) q.correct++;
    byId.set(r.id, q);
  }
  const questions: QuestionSamples[] = [...byId.entries()].map(([id, q]) => {
    const p = q.correct / q.n;
    const potential = improvementPotential(p);
    return { id, task: q.task, n: q.n, correct: q.correct, p, potential, stage: curriculumStage(potential) };
  });
  questions.sort((a, b) => b.potential - a.potential || a.id.localeCompare(b.id));
  const kk = k ?? questions.reduce((m, q) => Math.max(m, q.n), 1);
  const byTask = new Map<string, QuestionSamples[]>();
  for (const q of questions) byTask.set(q.task, [...(byTask.get(q.task) ?? []), q]);
  const stages: Record<number, number> = { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0 };
  for (const q of questions) stages[q.stage] = (stages[q.stage] ?? 0) + 1;
  return {
    k: kk,
    overall: sampleStats(questions, kk),
    tasks: [...byTask.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([task, qs]) => ({ task, ...sampleStats(qs, kk) })),
    incomplete: questions.filter((q) => q.n < kk).length,
    stages,
    questions,
  };
}

/**
 * The curriculum for training, one JSON line per question, highest potential first:
 * `{"id", "task", "samples", "correct", "p", "potential", "stage"}`. A trainer takes stage 1
 * first and moves down, as the paper's multi-stage RL does; stage 0 carries no signal.
 */
export function curriculumJsonl(summary: SamplingSummary): string {
  return summary.questions.map((q) => `${JSON.stringify({ id: q.id, task: q.task, samples: q.n, correct: q.correct, p: q.p, potential: q.potential, stage: q.stage })}\n`).join('');
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** A Markdown table of pass@k, mean@k and mean Π per task and overall, with the stage counts. */
export function samplesToMarkdown(s: SamplingSummary): string {
  // pass@k of a row none of whose questions has k samples is not known: —, never 0%.
  const row = (name: string, t: SampleStats): string => `| ${mdCell(name)} | ${t.questions} | ${t.complete > 0 ? pct(t.passAtK) : '—'} | ${pct(t.meanAtK)} | ${t.meanPotential.toFixed(2)} |`;
  return [
    `| Task | Questions | pass@${s.k} | mean@${s.k} | mean Π |\n|---|---:|---:|---:|---:|`,
    ...s.tasks.map((t) => row(t.task, t)),
    row('**Overall**', s.overall),
    '',
    `Curriculum stages (Π = 4p(1−p)): 1: ${s.stages[1] ?? 0} · 2: ${s.stages[2] ?? 0} · 3: ${s.stages[3] ?? 0} · 4: ${s.stages[4] ?? 0} · no signal: ${s.stages[0] ?? 0}${s.incomplete > 0 ? ` · ${s.incomplete} question(s) with fewer than ${s.k} samples left out of pass@${s.k}` : ''}`,
    ...(s.overall.complete === 0 && s.questions.length > 0 ? ['', `pass@${s.k} is not known yet: no question has ${s.k} finished samples (run the same command again to ask the rest).`] : []),
    '',
  ].join('\n');
}
