// Messages between the extension host and its webviews, declared once for both sides and
// validated on receipt (the webview is a separate, less trusted context; and the host only
// acts on messages of a known shape).
import { z } from 'zod';
import { answerSourceSchema } from '../agent/finalAnswer';

const artifactSchema = z.object({
  name: z.string(),
  sizeBytes: z.number(),
  mimeType: z.string(),
  /** A webview URI, set for images the view may show. */
  src: z.string().optional(),
});

const execResultSchema = z.object({
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number().nullable(),
  durationMs: z.number(),
  timedOut: z.boolean(),
  killed: z.string().optional(),
  killMessage: z.string().optional(),
  /** Set on the first cell after the interpreter restarted (earlier variables are gone). */
  notice: z.string().optional(),
  truncated: z.boolean(),
  artifacts: z.array(artifactSchema),
});
export type ViewExecResult = z.infer<typeof execResultSchema>;

/** The agent events a view renders, in a form that crosses postMessage. */
export const viewEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('turn-start'), turn: z.number() }),
  z.object({ type: z.literal('token'), turn: z.number(), text: z.string() }),
  /** The model's reasoning, streamed: shown folded above the turn's text. */
  z.object({ type: z.literal('reasoning'), turn: z.number(), text: z.string() }),
  z.object({
    type: z.literal('code'),
    index: z.number(),
    turn: z.number(),
    language: z.string(),
    code: z.string(),
    offsetInTurn: z.number(),
    /** 'reasoning' or 'tool-call' when the code is not in the turn's text. */
    source: z.enum(['text', 'reasoning', 'tool-call']).optional(),
  }),
  z.object({ type: z.literal('exec-start'), index: z.number() }),
  z.object({ type: z.literal('exec-result'), index: z.number(), result: execResultSchema }),
  z.object({
    type: z.literal('turn-end'),
    turn: z.number(),
    stats: z.object({ modelMs: z.number(), promptTokens: z.number().optional(), outputTokens: z.number().optional(), tokensPerSecond: z.number().optional() }),
  }),
  z.object({ type: z.literal('approval-request'), index: z.number() }),
  z.object({ type: z.literal('error'), message: z.string() }),
  /** Something the user should know that did not stop the run (context truncated, a retry). */
  z.object({ type: z.literal('warning'), message: z.string() }),
  /** A question of the conversation (the chat shows each one; the panel shows it in its header). */
  z.object({ type: z.literal('question'), text: z.string(), model: z.string() }),
  /** Something the user should know that is neither model text nor program output (e.g. a fresh sandbox). */
  z.object({ type: z.literal('notice'), message: z.string() }),
  z.object({
    type: z.literal('done'),
    reason: z.enum(['answer', 'no-answer', 'budget', 'cancelled', 'error']),
    answer: z.string().nullable(),
    /** 'code-output': the answer was printed by the code, not written by the model. */
    answerSource: answerSourceSchema.optional(),
    codeCalls: z.number(),
    turns: z.number(),
    message: z.string().optional(),
  }),
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

export const conversationSummarySchema = z.object({ id: z.string(), title: z.string(), updatedAt: z.number() });
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;

/**
 * What the side-bar chat shows around its transcript. History, model choice and new chat are
 * title-bar actions handled on the host, so the page only needs these.
 */
export const chatStateSchema = z.object({
  busy: z.boolean(),
  /** The model the next question goes to ("r1ci.model"). */
  model: z.string(),
  tier: z.enum(['isolated', 'basic', 'off', 'not-started']),
  tierNote: z.string(),
});
export type ChatState = z.infer<typeof chatStateSchema>;

/** The fix buttons of a failed run (host/models/backendErrorActions.ts decides which apply). */
export const problemActionIdSchema = z.enum(['retry', 'open-settings', 'install-ollama', 'pull', 'select-model', 'set-api-key']);
export const problemActionSchema = z.object({ id: problemActionIdSchema, label: z.string() });
export type ProblemAction = z.infer<typeof problemActionSchema>;

/** Host → webview. Events arrive in batches so a fast token stream costs one message per frame. */
export const hostMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('session'), session: sessionInfoSchema }),
  z.object({ type: z.literal('events'), events: z.array(viewEventSchema) }),
  /** Clears the transcript (the chat switches conversations, or replays one). */
  z.object({ type: z.literal('reset') }),
  z.object({ type: z.literal('chat-state'), state: chatStateSchema }),
  /** Buttons for the error card of the run that just failed (not recorded: they act on this window's run). */
  z.object({ type: z.literal('problem-actions'), actions: z.array(problemActionSchema) }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

/** Webview → host. */
export const webviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('approve'), index: z.number(), run: z.boolean() }),
  z.object({ type: z.literal('copy'), text: z.string() }),
  z.object({ type: z.literal('insert-code'), code: z.string() }),
  z.object({ type: z.literal('open-link'), href: z.string() }),
  /** Runs a cell's code again in the conversation's sandbox. */
  z.object({ type: z.literal('rerun'), index: z.number().int().min(0) }),
  /** Opens the solution of the run-th question of the conversation as a notebook. */
  z.object({ type: z.literal('open-notebook'), run: z.number().int().min(0) }),
  /** A fix button of a failed run's error card (pull the model, open settings, retry, …). */
  z.object({ type: z.literal('problem-action'), id: problemActionIdSchema }),
  // The side-bar chat.
  z.object({ type: z.literal('ask'), question: z.string().min(1).max(100_000) }),
]);
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;
