// Messages between the extension host and its webviews, declared once for both sides and
// validated on receipt (the webview is a separate, less trusted context; and the host only
// acts on messages of a known shape).
import { z } from 'zod';

const artifactSchema = z.object({
  name: z.string(),
  sizeBytes: z.number(),
  mimeType: z.string(),
  /** A webview URI, set for images the view may show. */
  src: z.string().optional(),
});
export type ViewArtifact = z.infer<typeof artifactSchema>;

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
  z.object({ type: z.literal('code'), index: z.number(), turn: z.number(), language: z.string(), code: z.string(), offsetInTurn: z.number() }),
  z.object({ type: z.literal('exec-start'), index: z.number() }),
  z.object({ type: z.literal('exec-result'), index: z.number(), result: execResultSchema }),
  z.object({
    type: z.literal('turn-end'),
    turn: z.number(),
    stats: z.object({ modelMs: z.number(), promptTokens: z.number().optional(), outputTokens: z.number().optional(), tokensPerSecond: z.number().optional() }),
  }),
  z.object({ type: z.literal('approval-request'), index: z.number() }),
  z.object({ type: z.literal('error'), message: z.string() }),
  z.object({
    type: z.literal('done'),
    reason: z.enum(['answer', 'no-answer', 'budget', 'cancelled', 'error']),
    answer: z.string().nullable(),
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
  /** 'isolated' | 'basic' | 'off' (code not executed). */
  tier: z.enum(['isolated', 'basic', 'off']),
  tierNote: z.string(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

/** Host → webview. Events arrive in batches so a fast token stream costs one message per frame. */
export const hostMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('session'), session: sessionInfoSchema }),
  z.object({ type: z.literal('events'), events: z.array(viewEventSchema) }),
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
]);
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;
