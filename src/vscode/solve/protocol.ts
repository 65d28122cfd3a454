// The solve panel's webview protocol (GitLens' pattern): commands the page sends the host, and
// notifications the host sends the page. There are no requests (nothing waits for a reply).
// The transcript's messages are shared with the chat (conversation/transcriptProtocol.ts); the
// panel adds its header and accepts nothing else, so a chat-only message is rejected here.
import { z } from 'zod';
import { sessionInfoSchema, transcriptCommands, transcriptNotifications } from '../conversation/transcriptProtocol';

/** Webview → host. */
export const panelCommandSchema = z.discriminatedUnion('type', [...transcriptCommands]);
export type PanelCommand = z.infer<typeof panelCommandSchema>;

/** Host → webview. */
export const panelNotificationSchema = z.discriminatedUnion('type', [
  ...transcriptNotifications,
  /** The question, model and sandbox tier shown in the panel's header; a new run starts. */
  z.object({ type: z.literal('session'), session: sessionInfoSchema }),
]);
export type PanelNotification = z.infer<typeof panelNotificationSchema>;
