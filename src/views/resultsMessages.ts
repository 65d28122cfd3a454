// Messages between the host and the evaluation results view (webview/src/results), validated
// on both sides like the solve panel's.
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

const runSchema = z.object({
  label: z.string(),
  file: z.string(),
  overall: statsSchema,
  macroAccuracy: z.number(),
  tasks: z.array(statsSchema.extend({ task: z.string() })),
});
export type ResultsRun = z.infer<typeof runSchema>;

const failureSchema = z.object({
  run: z.number().int().min(0),
  id: z.string(),
  task: z.string(),
  answer: z.string().nullable(),
  expected: z.string().optional(),
  reason: z.string(),
  error: z.boolean(),
});
export type ResultsFailure = z.infer<typeof failureSchema>;

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

export const resultsWebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('show-trajectory'), run: z.number().int().min(0).max(1), id: z.string() }),
  z.object({ type: z.literal('export'), format: z.enum(['markdown', 'csv']) }),
  z.object({ type: z.literal('compare') }),
]);
export type ResultsWebviewMessage = z.infer<typeof resultsWebviewMessageSchema>;
