// The handle VS Code gives a webview to talk to its host.
import type { WebviewMessage } from '../../../src/vscode/conversation/transcriptProtocol';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();
