// Chat histories written before the chat stored the core conversation's record hold the events
// the view showed. They are read back once, here, into conversation
// events, so old conversations still open, replay and continue. What the old shape did not keep
// is not invented: a warning becomes a notice (its kind was not stored), an error counts as
// 'internal', and plots are listed by name (their host paths were not stored, only webview URIs,
// which are never turned back into paths).
import type { ConversationEvent } from '../../conversation/events';
import type { ViewEvent } from '../conversation/transcriptProtocol';

/** The conversation events of a history entry in the old (view event) shape. */
export function fromViewEvents(events: readonly ViewEvent[]): ConversationEvent[] {
  let run = 0;
  const code = new Map<number, string>();
  return events.map((e): ConversationEvent => {
    switch (e.type) {
      case 'question':
        return { ...e, run: run++ };
      case 'code':
        code.set(e.index, e.code);
        return e;
      case 'approval-request':
        return { ...e, code: code.get(e.index) ?? '' };
      case 'exec-result':
        return { ...e, result: { ...e.result, artifacts: e.result.artifacts.map((a) => ({ name: a.name, sizeBytes: a.sizeBytes, mimeType: a.mimeType })) } };
      case 'error':
        return { ...e, kind: 'internal' };
      case 'warning':
        return { type: 'notice', message: e.message };
      default:
        return e;
    }
  });
}
