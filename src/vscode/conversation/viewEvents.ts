// The one mapping from a conversation's events (the core record, conversation/events.ts) to the
// events a transcript webview renders: live (ConversationSession) and when a stored conversation
// is replayed (the chat) alike. What a view must not see is dropped here: host paths of
// artifacts and spilled output, the cell's code in an approval request (the view has the cell).
import * as vscode from 'vscode';
import type { ConversationEvent } from '../../conversation/events';
import type { ExecResult } from '../../sandbox/types';
import type { ViewEvent, ViewExecResult } from './transcriptProtocol';

/** The view event of `event`, or undefined for what a transcript does not show ('start', 'sandbox'). `webview` turns image artifacts into URIs it may load. */
export function toViewEvent(event: ConversationEvent, webview: vscode.Webview | undefined): ViewEvent | undefined {
  switch (event.type) {
    case 'start':
    case 'sandbox':
      return undefined;
    case 'question':
      return { type: 'question', text: event.text, model: event.model };
    case 'approval-request':
      return { type: 'approval-request', index: event.index };
    case 'exec-result':
      return { type: 'exec-result', index: event.index, result: toViewResult(event.result, webview) };
    case 'error':
      return { type: 'error', message: event.message };
    case 'warning':
      return { type: 'warning', message: event.message };
    default:
      return { ...event };
  }
}

/** Whether a transcript shows `event` (toViewEvent gives it a view event). */
export function isShown(event: ConversationEvent): boolean {
  return event.type !== 'start' && event.type !== 'sandbox';
}

/** The view events of a recorded conversation, for a view that replays it. */
export function toViewEvents(events: readonly ConversationEvent[], webview: vscode.Webview | undefined): ViewEvent[] {
  return events.flatMap((e) => toViewEvent(e, webview) ?? []);
}

/** A cell's result as a view sees it: no host paths; images get a webview URI. */
export function toViewResult(result: ExecResult, webview: vscode.Webview | undefined): ViewExecResult {
  return {
    stdout: result.stdout,
    stderr: result.stderr,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    timedOut: result.timedOut,
    killed: result.killed,
    killMessage: result.killMessage,
    notice: result.notice,
    truncated: result.truncated,
    artifacts: result.artifacts.map((a) => ({
      name: a.name,
      sizeBytes: a.sizeBytes,
      mimeType: a.mimeType,
      // Only host-private copies are served (the webview's resource root is the private root).
      src: webview && a.path && a.mimeType.startsWith('image/') ? webview.asWebviewUri(vscode.Uri.file(a.path)).toString() : undefined,
    })),
  };
}
