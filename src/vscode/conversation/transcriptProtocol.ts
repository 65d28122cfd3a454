// The part of the webview protocol both transcript views share (the solve panel,
// solve/protocol.ts, and the side-bar chat, chat/protocol.ts): the agent events a transcript
// renders, and the commands (webview → host) and notifications (host → webview) of a
// transcript. Each view's protocol adds its own messages to these, so neither view's schema
// accepts the other's. Declared once for host and webview client and validated on receipt (the
// webview is a separate, less trusted context; the host only acts on messages of a known shape).
import { z } from 'zod';
import { artifactSchema, execResultSchema } from '../../trajectory/execResult';
import { turnStatsSchema } from '../../trajectory/trajectory';
import {
  codeEventSchema,
  doneEventSchema,
  errorEventSchema,
  execResultEventSchema,
  execStartEventSchema,
  reasoningEventSchema,
  tokenEventSchema,
  turnEndEventSchema,
  turnStartEventSchema,
  warningEventSchema,
} from '../../agent/events';
import { problemActionIdSchema, problemActionSchema } from '../models/problemActions';

/** An artifact as a view sees it: no host path, and a webview URI for images it may show. */
const viewArtifactSchema = artifactSchema.pick({ name: true, sizeBytes: true, mimeType: true }).extend({
  /** A webview URI, set for images the view may show. */
  src: z.string().optional(),
});

/** A cell's result as a view sees it (derived from the record's ExecResult: no host paths). */
const viewExecResultSchema = execResultSchema.omit({ fullOutputPath: true, artifacts: true }).extend({ artifacts: z.array(viewArtifactSchema) });
export type ViewExecResult = z.infer<typeof viewExecResultSchema>;

/**
 * The agent events a view renders, in a form that crosses postMessage: the agent's own event
 * schemas (src/agent/events.ts), a result without host paths, turn stats the view shows, and
 * errors and warnings as the sentence the user reads.
 */
export const viewEventSchema = z.discriminatedUnion('type', [
  turnStartEventSchema,
  tokenEventSchema,
  reasoningEventSchema,
  codeEventSchema,
  execStartEventSchema,
  execResultEventSchema.extend({ result: viewExecResultSchema }),
  turnEndEventSchema.extend({ stats: turnStatsSchema.pick({ modelMs: true, promptTokens: true, outputTokens: true, tokensPerSecond: true }) }),
  z.object({ type: z.literal('approval-request'), index: z.number() }),
  errorEventSchema.omit({ kind: true }),
  /** Something the user should know that did not stop the run (context truncated, a retry). */
  warningEventSchema.pick({ type: true, message: true }),
  /** A question of the conversation (the chat shows each one; the panel shows it in its header). */
  z.object({ type: z.literal('question'), text: z.string(), model: z.string() }),
  /** Something the user should know that is neither model text nor program output (e.g. a fresh sandbox). */
  z.object({ type: z.literal('notice'), message: z.string() }),
  doneEventSchema,
]);
export type ViewEvent = z.infer<typeof viewEventSchema>;

export const sessionInfoSchema = z.object({
  question: z.string(),
  model: z.string(),
  maxCodeCalls: z.number(),
  /** 'isolated' | 'basic' | 'off' (code not executed) | 'unrecorded' (a replayed result from before tiers were stored). */
  tier: z.enum(['isolated', 'basic', 'off', 'unrecorded']),
  tierNote: z.string(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export type { ProblemAction } from '../models/problemActions';

/** Host → webview notifications of a transcript. Events arrive in batches so a fast token stream costs one message per frame. */
export const transcriptNotifications = [
  z.object({ type: z.literal('events'), events: z.array(viewEventSchema) }),
  /** Clears the transcript (the chat switches conversations, or replays one). */
  z.object({ type: z.literal('reset') }),
  /** Buttons for the error card of the run that just failed (not recorded: they act on this window's run). */
  z.object({ type: z.literal('problem-actions'), actions: z.array(problemActionSchema) }),
] as const;
export type TranscriptNotification = z.infer<(typeof transcriptNotifications)[number]>;

/**
 * Longest text a view hands back (a cell's code or an answer to copy or insert), in UTF-16
 * units: far above what a model writes within its context window, so only a page that is not
 * ours sends more, and it is refused before the clipboard or an editor sees it.
 */
export const MAX_VIEW_TEXT_CHARS = 4 * 1024 * 1024;
/** Longest link a view asks the host to open (a web address; browsers stop far below). */
export const MAX_LINK_CHARS = 16 * 1024;

/** Webview → host commands of a transcript (its cells, links, answer card and Stop). */
export const transcriptCommands = [
  /** The page listens: the host may post (messages posted before wait for this). */
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('approve'), index: z.number().int().min(0), run: z.boolean() }),
  z.object({ type: z.literal('copy'), text: z.string().max(MAX_VIEW_TEXT_CHARS) }),
  z.object({ type: z.literal('insert-code'), code: z.string().max(MAX_VIEW_TEXT_CHARS) }),
  z.object({ type: z.literal('open-link'), href: z.string().max(MAX_LINK_CHARS) }),
  /** Runs a cell's code again in the conversation's sandbox. */
  z.object({ type: z.literal('rerun'), index: z.number().int().min(0) }),
  /** Opens the solution of the run-th question of the conversation as a notebook. */
  z.object({ type: z.literal('open-notebook'), run: z.number().int().min(0) }),
  /** A fix button of a failed run's error card (pull the model, open settings, retry, …). */
  z.object({ type: z.literal('problem-action'), id: problemActionIdSchema }),
] as const;
export type TranscriptCommand = z.infer<(typeof transcriptCommands)[number]>;
