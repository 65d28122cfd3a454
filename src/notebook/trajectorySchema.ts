// Validates a Trajectory handed to a command (by the solve panel, a test, another extension):
// the notebook is built from it, so a malformed one must be refused with a clear message.
import { z } from 'zod';
import type { Trajectory } from '../agent/trajectory';
import { answerSourceSchema } from '../agent/finalAnswer';
import { KILL_REASONS } from '../sandbox/types';

const artifactSchema = z.object({ name: z.string(), path: z.string().optional(), sizeBytes: z.number(), mimeType: z.string() });

const execResultSchema = z.object({
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number().nullable(),
  durationMs: z.number(),
  timedOut: z.boolean(),
  killed: z.enum(KILL_REASONS).optional(),
  killMessage: z.string().optional(),
  truncated: z.boolean(),
  fullOutputPath: z.string().optional(),
  artifacts: z.array(artifactSchema),
  notice: z.string().optional(),
});

const turnSchema = z.object({
  turn: z.number().int(),
  text: z.string(),
  reasoning: z.string().optional(),
  cell: z
    .object({ index: z.number().int(), language: z.string(), code: z.string(), source: z.enum(['text', 'reasoning', 'tool-call']).optional(), result: execResultSchema.optional() })
    .optional(),
});

export const trajectorySchema = z.object({
  question: z.string(),
  model: z.string(),
  turns: z.array(turnSchema),
  answer: z.string().nullable(),
  answerSource: answerSourceSchema.optional(),
  reason: z.enum(['answer', 'no-answer', 'budget', 'cancelled', 'error', 'running']),
  codeCalls: z.number().int(),
  error: z.string().optional(),
  modelMs: z.number(),
  codeMs: z.number(),
});

/** The trajectory, or a sentence saying what is wrong with it. */
export function parseTrajectory(raw: unknown): { ok: true; trajectory: Trajectory } | { ok: false; message: string } {
  const parsed = trajectorySchema.safeParse(raw);
  if (parsed.success) return { ok: true, trajectory: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, message: `That is not a solution this extension produced (${issue?.message ?? 'invalid'}${where}).` };
}
