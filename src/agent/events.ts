// Typed events the agent yields; both front ends (VS Code views and the CLI) consume them.
// Declared once, as zod schemas with the types inferred from them, because a conversation's
// record (conversation/events.ts) is a list of these events and the chat stores it on disk:
// what is read back is checked against the same shape.
import { z } from 'zod';
import { backendErrorKindSchema } from './backends/types';
import { execResultSchema } from '../trajectory/execResult';
import { agentWarningKindSchema, answerSourceSchema, codeSourceSchema, stopReasonSchema, turnStatsSchema } from '../trajectory/trajectory';

// The pieces of the record (cell sources, turn stats, warnings, stop reasons) are declared once
// with the trajectory; the events carry them as they happen.
export type { CodeSource, StopReason, TurnStats } from '../trajectory/trajectory';

/** Why a run failed: the model server's kinds (backends/types.ts), the sandbox's, or anything else ('internal'). */
export const agentErrorKindSchema = z.union([backendErrorKindSchema, z.enum(['sandbox', 'internal'])]);
/** See `agentErrorKindSchema`. */
export type AgentErrorKind = z.infer<typeof agentErrorKindSchema>;

// Each kind of event is a named schema, so the views' transcript protocol
// (src/vscode/conversation/transcriptProtocol.ts) derives its events from these instead of
// declaring them again.
export const startEventSchema = z.object({ type: z.literal('start'), question: z.string(), model: z.string(), maxCodeCalls: z.number() });
/** A new model request begins (turn 0 is the first). */
export const turnStartEventSchema = z.object({ type: z.literal('turn-start'), turn: z.number() });
/** Streamed model text (prose and code alike, as the model wrote it; reasoning excluded). */
export const tokenEventSchema = z.object({ type: z.literal('token'), turn: z.number(), text: z.string() });
/** Streamed reasoning (a server's reasoning channel, or inline `<think>`): shown folded, never searched for the answer. */
export const reasoningEventSchema = z.object({ type: z.literal('reasoning'), turn: z.number(), text: z.string() });
/** A code block closed; it is about to run. */
export const codeEventSchema = z.object({
  type: z.literal('code'),
  index: z.number(),
  turn: z.number(),
  language: z.string(),
  code: z.string(),
  /** Where the block's opening fence starts in this turn's text (views render the block as a cell from there); the text's end for code from reasoning or a tool call. */
  offsetInTurn: z.number(),
  /** Absent = 'text'. */
  source: codeSourceSchema.optional(),
});
export const execStartEventSchema = z.object({ type: z.literal('exec-start'), index: z.number() });
export const execResultEventSchema = z.object({ type: z.literal('exec-result'), index: z.number(), result: execResultSchema });
export const turnEndEventSchema = z.object({ type: z.literal('turn-end'), turn: z.number(), stats: turnStatsSchema });
export const doneEventSchema = z.object({
  type: z.literal('done'),
  reason: stopReasonSchema,
  /** The final answer (content of the last `<<<...>>>`), or null when none was given. */
  answer: z.string().nullable(),
  /** Where the answer came from; absent when there is none. */
  answerSource: answerSourceSchema.optional(),
  codeCalls: z.number(),
  turns: z.number(),
  message: z.string().optional(),
});
export const errorEventSchema = z.object({ type: z.literal('error'), message: z.string(), kind: agentErrorKindSchema });
/** Something the user should know that does not end the run; the message says what to do. */
export const warningEventSchema = z.object({ type: z.literal('warning'), kind: agentWarningKindSchema, turn: z.number(), message: z.string() });

/** The agent's events, in the order a run yields them; see `AgentEvent`. */
export const agentEventSchema = z.discriminatedUnion('type', [
  startEventSchema,
  turnStartEventSchema,
  tokenEventSchema,
  reasoningEventSchema,
  codeEventSchema,
  execStartEventSchema,
  execResultEventSchema,
  turnEndEventSchema,
  doneEventSchema,
  errorEventSchema,
  warningEventSchema,
]);

/** One event of a run (see `agentEventSchema`); read-only like every record. */
export type AgentEvent = Readonly<z.infer<typeof agentEventSchema>>;
