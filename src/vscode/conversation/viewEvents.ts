// The one mapping from a conversation's events (the core record, conversation/events.ts) to the
// events a transcript webview renders: live (ConversationSession) and when a stored conversation
// is replayed (the chat) alike. What a view must not see is dropped here: host paths of
// artifacts and spilled output, the cell's code in an approval request (the view has the cell).
// No vscode import: the caller turns a host-private image copy into a URI its webview may load.
import type { ConversationEvent } from '../../conversation/events';
import { DRAWN_IMAGE_TYPES } from '../../sandbox/imageSize';
import type { ExecResult } from '../../sandbox/types';
import type { ViewEvent, ViewExecResult } from './transcriptProtocol';

/** Turns the absolute path of an image's host-private copy into a URI the view may load. */
export type ImageSrc = (path: string) => string;

/** The view event of `event`, or undefined for what a transcript does not show ('start', 'sandbox'). Without `imageSrc` no image is shown (artifacts are listed). */
export function toViewEvent(event: ConversationEvent, imageSrc: ImageSrc | undefined): ViewEvent | undefined {
  switch (event.type) {
    case 'start':
    case 'sandbox':
      return undefined;
    case 'question':
      return { type: 'question', text: event.text, model: event.model };
    case 'approval-request':
      return { type: 'approval-request', index: event.index };
    case 'exec-result':
      return { type: 'exec-result', index: event.index, result: toViewResult(event.result, imageSrc) };
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
export function toViewEvents(events: readonly ConversationEvent[], imageSrc: ImageSrc | undefined): ViewEvent[] {
  return events.flatMap((e) => toViewEvent(e, imageSrc) ?? []);
}

/** A cell's result as a view sees it: no host paths; pictures a view may draw (DRAWN_IMAGE_TYPES) get a webview URI. */
export function toViewResult(result: ExecResult, imageSrc: ImageSrc | undefined): ViewExecResult {
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
      // Only host-private copies are served (the webview's resource root is the private root),
      // and only pictures whose decoding their header bounds: never an SVG (DRAWN_IMAGE_TYPES).
      src: imageSrc && a.path && DRAWN_IMAGE_TYPES.has(a.mimeType) ? imageSrc(a.path) : undefined,
    })),
  };
}
