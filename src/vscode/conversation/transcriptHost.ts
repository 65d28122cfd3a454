// The webview host of a transcript view (solve panel, side-bar chat): agent events are batched
// (one postMessage per ~16 ms, so a fast token stream costs one message per frame), and any
// other message first flushes the batch so the page sees everything in order.
import { WebviewHost } from '../shared/webviewHost';
import type { TranscriptNotification, ViewEvent } from './transcriptProtocol';

const FLUSH_MS = 16;

/** `In`/`Out`: the view's own protocol (its commands, and notifications that include the transcript's). */
export class TranscriptHost<In extends { readonly type: string }, Out extends { readonly type: string }> extends WebviewHost<In, Out | TranscriptNotification> {
  private batch: ViewEvent[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** Queues an event; the batch goes out on the next flush (at once for the end of a run or a question to the user). */
  push(event: ViewEvent): void {
    this.batch.push(event);
    if (event.type === 'done' || event.type === 'approval-request') return this.flush();
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const events = this.batch;
    this.batch = [];
    super.post({ type: 'events', events });
  }

  /** Sends a message after any queued events. */
  override post(message: Out | TranscriptNotification): void {
    if (message.type !== 'events') this.flush();
    super.post(message);
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    super.dispose();
  }
}
