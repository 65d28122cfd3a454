// The scenario file format, validated with zod so a typo in a test fixture fails loudly at load
// time (strict objects: an unknown key is an error, not a silently ignored option).
import { z } from 'zod';
import { findTemplateProblems } from './template';

const nonNegativeInt = z.number().int().nonnegative();

/** Faults a turn (or every turn of a scenario) injects; see docs/scripted-server.md. */
export const faultsSchema = z.strictObject({
  /** Answer with an HTTP error instead of streaming. `times` limits it to the first N matching requests. */
  http500: z
    .union([
      z.literal(true),
      z.strictObject({
        status: z.number().int().min(400).max(599).optional(),
        message: z.string().optional(),
        times: z.number().int().positive().optional(),
      }),
    ])
    .optional(),
  /** Write a line that is not valid JSON (NDJSON) or not a valid SSE event after N chunks. */
  malformedLine: z
    .union([nonNegativeInt, z.strictObject({ afterChunks: nonNegativeInt, text: z.string().optional() })])
    .optional(),
  /** After N chunks, the server's own mid-stream error (Ollama `{"error"}` line / OpenAI error event), then the end. */
  streamError: z.strictObject({ afterChunks: nonNegativeInt, message: z.string().optional() }).optional(),
  /** Destroy the socket after N chunks (no final line, no [DONE]). */
  dropAfterChunks: nonNegativeInt.optional(),
  /** Send no bytes after N chunks, for `stallMs` (then continue) or until the client aborts. */
  stallAfterChunks: nonNegativeInt.optional(),
  stallMs: nonNegativeInt.optional(),
  /** Delay before the response headers are sent (a model that is still loading). */
  slowFirstTokenMs: nonNegativeInt.optional(),
  /** Prepend filler so the reply is about this many bytes long (the scripted text still ends it). */
  huge: z.number().int().positive().optional(),
  /** Report this prompt token count instead of the estimate (simulates silent context truncation). */
  promptEvalCount: nonNegativeInt.optional(),
});
export type Faults = z.infer<typeof faultsSchema>;

const templatedText = z.string().superRefine((text, ctx) => {
  for (const problem of findTemplateProblems(text)) ctx.addIssue({ code: 'custom', message: problem });
});

export const turnSchema = z
  .strictObject({
    /** The reply, split into chunks of `chunkSize` characters. */
    text: templatedText.optional(),
    /** Or the reply's exact chunks (placeholders must not span two chunks). */
    chunks: z.array(templatedText).min(1).optional(),
    chunkSize: z.number().int().positive().optional(),
    /** Headers are sent at once; the first chunk comes after this delay. */
    firstTokenDelayMs: nonNegativeInt.optional(),
    perChunkDelayMs: nonNegativeInt.optional(),
    /** When the latest execution result does not contain this, the reply is an obvious failure text. */
    expectResultContains: z.string().optional(),
    faults: faultsSchema.optional(),
  })
  .refine((t) => (t.text === undefined) !== (t.chunks === undefined), {
    message: 'a turn needs exactly one of "text" or "chunks"',
  });
export type Turn = z.infer<typeof turnSchema>;

const regexSource = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${String(error)}` });
  }
});

/** Matched against the first user message, which the agent may prefix with its instruction prompt. */
export const matchSchema = z.union([
  z.string().min(1),
  z.strictObject({ contains: z.string().min(1) }),
  z.strictObject({ regex: regexSource, flags: z.string().regex(/^[imsu]*$/).optional() }),
]);
export type ScenarioMatch = z.infer<typeof matchSchema>;

export const scenarioSchema = z.strictObject({
  id: z.string().min(1),
  description: z.string().optional(),
  match: matchSchema,
  /** When more results were sent than there are turns, replay the last turn (a model that never stops). */
  repeatLastTurn: z.boolean().optional(),
  /** Defaults for every turn; a turn's own values win. */
  chunkSize: z.number().int().positive().optional(),
  firstTokenDelayMs: nonNegativeInt.optional(),
  perChunkDelayMs: nonNegativeInt.optional(),
  faults: faultsSchema.optional(),
  turns: z.array(turnSchema).min(1),
});
export type Scenario = z.infer<typeof scenarioSchema>;

/** The usual file shape; the loader also accepts a bare array or a single scenario. */
export const scenarioFileSchema = z.strictObject({
  $comment: z.string().optional(),
  scenarios: z.array(scenarioSchema),
});
