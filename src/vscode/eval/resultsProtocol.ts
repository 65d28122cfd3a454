// The evaluation results view's webview protocol (webview/src/eval): the data notification
// (host → webview) and the page's commands (webview → host), validated on both sides like the
// solve panel's.
import { z } from 'zod';

const statsSchema = z.object({
  n: z.number(),
  correct: z.number(),
  accuracy: z.number(),
  /** Mean score in [0, 1] (partial credit included), shown beside accuracy. */
  meanScore: z.number(),
  meanTurns: z.number(),
  meanCodeCalls: z.number(),
  usedCodeShare: z.number(),
  answered: z.number(),
  errors: z.number(),
});

const sampleStatsSchema = z.object({ questions: z.number(), complete: z.number(), passAtK: z.number(), meanAtK: z.number(), meanPotential: z.number() });

/** Multi-sample figures (src/eval/sampling.ts), present when questions were asked more than once. */
const samplingSchema = z.object({
  k: z.number().int().min(2),
  overall: sampleStatsSchema,
  tasks: z.array(sampleStatsSchema.extend({ task: z.string() })),
  incomplete: z.number(),
  /** Questions per curriculum stage 0–4 (1 = most to gain, 0 = none). */
  stages: z.record(z.string(), z.number()),
  /** The questions with the most to gain (highest Π first), at most `SAMPLING_TOP`. */
  top: z.array(z.object({ id: z.string(), task: z.string(), n: z.number(), correct: z.number(), p: z.number(), potential: z.number(), stage: z.number() })),
});
export type ResultsSampling = z.infer<typeof samplingSchema>;
/** How many of the highest-potential questions the view lists. */
export const SAMPLING_TOP = 20;

const runSchema = z.object({
  label: z.string(),
  file: z.string(),
  overall: statsSchema,
  macroAccuracy: z.number(),
  tasks: z.array(statsSchema.extend({ task: z.string() })),
  sampling: samplingSchema.optional(),
});

const failureSchema = z.object({
  run: z.number().int().min(0),
  id: z.string(),
  /** Which sample of the question failed, in a multi-sample run. */
  sample: z.number().int().nonnegative().optional(),
  task: z.string(),
  answer: z.string().nullable(),
  expected: z.string().optional(),
  reason: z.string(),
  error: z.boolean(),
});

export const resultsViewDataSchema = z.object({
  /** One run, or two (A and B) side by side. */
  runs: z.array(runSchema).min(1).max(2),
  /** Per task B − A when two runs are shown. */
  deltas: z.array(z.object({ task: z.string(), a: z.number().nullable(), b: z.number().nullable(), delta: z.number().nullable() })),
  failures: z.array(failureSchema),
});
export type ResultsViewData = z.infer<typeof resultsViewDataSchema>;

export const resultsHostMessageSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('data'), data: resultsViewDataSchema })]);
export type ResultsHostMessage = z.infer<typeof resultsHostMessageSchema>;

/**
 * Longest question id the results view sends back (characters): an id is a task file's path
 * plus `#key` (docs/task-files.md), so a path's 4,096 bytes and a key fit with room to spare.
 */
export const MAX_QUESTION_ID_CHARS = 16 * 1024;

export const resultsWebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('show-trajectory'), run: z.number().int().min(0).max(1), id: z.string().max(MAX_QUESTION_ID_CHARS), sample: z.number().int().nonnegative().optional() }),
  z.object({ type: z.literal('export'), format: z.enum(['markdown', 'csv']) }),
  z.object({ type: z.literal('compare') }),
]);
export type ResultsWebviewMessage = z.infer<typeof resultsWebviewMessageSchema>;
