// The handle VS Code gives a webview to talk to its host. acquireVsCodeApi may be called once
// per page, so every module shares this one; each posts through poster<M>() typed with its
// view's protocol (solve/protocol.ts, chat/protocol.ts, conversation/transcriptProtocol.ts on
// the host side), and each view's app listens with its own notification schema.
import type { z } from 'zod';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

/** The page's persisted state (survives the webview being hidden and shown). */
export const vscode: Pick<VsCodeApi, 'getState' | 'setState'> = api;

/** postMessage, typed with one protocol's webview → host commands. */
export function poster<M>(): (message: M) => void {
  return (message) => api.postMessage(message);
}

/** Hands each host → webview message that `schema` accepts to `handle`; others are logged and dropped. */
export function listen<M>(schema: z.ZodType<M>, handle: (message: M) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const parsed = schema.safeParse(event.data);
    if (!parsed.success) {
      console.error('r1ci webview: ignored a malformed message', parsed.error.issues[0]);
      return;
    }
    handle(parsed.data);
  });
}
