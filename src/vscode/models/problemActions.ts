// The fix buttons of a failed run's error card (pull the model, open settings, retry, …), as
// they cross to a webview. No vscode import: the webview client bundles this schema too.
import { z } from 'zod';

/** Which fix a button carries out (backendErrorActions.ts decides which apply to an error). */
export const problemActionIdSchema = z.enum(['retry', 'open-settings', 'install-ollama', 'pull', 'select-model', 'set-api-key']);
export type ProblemActionId = z.infer<typeof problemActionIdSchema>;
export const problemActionSchema = z.object({ id: problemActionIdSchema, label: z.string() });
export type ProblemAction = z.infer<typeof problemActionSchema>;
