// The side-bar chat's webview protocol (GitLens' pattern): commands the page sends the host, and
// notifications the host sends the page. There are no requests (nothing waits for a reply).
// The transcript's messages are shared with the solve panel (conversation/transcriptProtocol.ts);
// the chat adds its composer and context line.
import { z } from 'zod';
import { transcriptCommands, transcriptNotifications } from '../conversation/transcriptProtocol';

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

/** Longest question the composer sends (UTF-16 code units, as `String.length` counts): the host refuses a longer `ask`. */
export const MAX_QUESTION_CHARS = 100_000;

/** Webview → host. */
export const chatCommandSchema = z.discriminatedUnion('type', [
  ...transcriptCommands,
  /** The composer's question, asked in the active conversation. */
  z.object({ type: z.literal('ask'), question: z.string().min(1).max(MAX_QUESTION_CHARS) }),
]);
export type ChatCommand = z.infer<typeof chatCommandSchema>;

/** Host → webview. */
export const chatNotificationSchema = z.discriminatedUnion('type', [...transcriptNotifications, z.object({ type: z.literal('chat-state'), state: chatStateSchema })]);
export type ChatNotification = z.infer<typeof chatNotificationSchema>;
