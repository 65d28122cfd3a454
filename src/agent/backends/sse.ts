// Server-Sent Events as OpenAI-compatible servers send them: `data: <json>` lines (ended by LF,
// CRLF or a lone CR), events separated by a blank line, `data: [DONE]` at the end. Comments
// (`: keep-alive`), empty `data:` heartbeats and `id:`/`retry:` fields are allowed and ignored, llama.cpp's
// `error:` lines and events named `error` (`event: error`) reported, `event: ping` keep-alives skipped; anything else is a protocol error, because a garbled line may have
// carried model text we would otherwise lose without a trace. Each event of these streams is one
// JSON value (or `[DONE]`): a `data:` line that starts a new one right after a complete one ends
// that event, though no blank line came between them (some providers stream tool calls so, e.g.
// GLM-4.7 and Kimi-K2.5, rexxars/eventsource-parser#31); the format would join the two into data
// that is not JSON.
import { MAX_LINE_BYTES } from './bounds';

/**
 * What the reader finds: an event's data; an `error:` line, which is no SSE field but the way
 * llama.cpp's server reports a failure mid-stream (server_sent_event(sink, "error", json) in
 * tools/server/utils.hpp: `error: {"code","message","type"}`); a line that is neither; or a line
 * or event beyond the bound.
 */
export type SseItem = { readonly type: 'data'; readonly data: string } | { readonly type: 'error'; readonly data: string } | { readonly type: 'malformed'; readonly line: string } | { readonly type: 'oversized' };

const KNOWN_FIELD = /^(id|retry)(:|$)/;

/** An `event:` line's event type (the SSE format: one optional space after the colon). */
function eventType(line: string): string {
  return line.slice(line[6] === ' ' ? 7 : 6);
}

/**
 * The event an event's `data:` lines make, if any. One whose data is empty is not dispatched (the
 * SSE format, WHATWG HTML §9.2.6): API gateways send `data:` alone as a heartbeat. Data of blanks
 * only is skipped alike: it cannot carry a reply's JSON. An event whose type is `error` (`event:
 * error`, OpenAI's streaming error event as gateways forward it, its data `{"type":"error",
 * "message",…}` with no `error` wrapper) is an 'error' item, whatever its data's shape. One whose
 * type is `ping` is a keep-alive, not a chunk: sse-starlette's EventSourceResponse (servers built
 * on it) sent `event: ping` with a timestamp as data every 15 s before it switched to a comment.
 */
function dispatch(data: readonly string[], type = ''): SseItem | undefined {
  const joined = data.join('\n');
  if (joined.trim() === '' || type === 'ping') return undefined;
  return type === 'error' ? { type: 'error', data: joined } : { type: 'data', data: joined };
}

/**
 * The event `data` makes when it is one complete JSON object and `next` (a `data:` line's value)
 * starts another value (`{`) or the end (`[DONE]`): the server left out the blank line between
 * two events. Undefined otherwise (most often at once: the pending data does not end in `}`).
 */
function endedWithoutBlankLine(data: readonly string[], next: string, type: string): SseItem | undefined {
  const last = data[data.length - 1];
  if (last === undefined || !last.trimEnd().endsWith('}')) return undefined;
  const start = next.trimStart();
  if (!start.startsWith('{') && start.trimEnd() !== '[DONE]') return undefined;
  const joined = data.join('\n');
  try {
    JSON.parse(joined);
  } catch {
    return undefined;
  }
  return dispatch(data, type);
}

/**
 * Splits a byte stream into the `data` payloads of its events. Linear in the input; a line over
 * MAX_LINE_BYTES (bounds.ts) without its newline, or an event whose data lines add up to more
 * than that, ends the stream with an 'oversized' item (the host's memory stays bounded).
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseItem, void, undefined> {
  const decoder = new TextDecoder('utf-8');
  const reader = body.getReader();
  /**
   * The line not yet ended, in pieces: joined only once a line end arrives, so a long line costs
   * time linear in its length (a string grown and searched at every read cost quadratic time:
   * 48 s for a 16 MiB line on a loaded machine).
   */
  let pieces: string[] = [];
  /** Their UTF-16 units. */
  let pendingChars = 0;
  let data: string[] = [];
  let dataChars = 0;
  /** The pending event's type (its `event:` line), '' when it has none. */
  let type = '';
  // Lines end with CRLF, LF or a lone CR (WHATWG HTML, "Server-sent events", §9.2.6 parsing);
  // one regex per stream, as its lastIndex is this reader's position.
  const lineEnd = /[\r\n]/g;
  /**
   * The last read ended with a CR, taken as a line end at once (the event is not held back until
   * the next read): an LF starting the next read is that CRLF's second half, not another line end.
   */
  let crEnded = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      let text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (crEnded && text.length > 0) {
        if (text.startsWith('\n')) text = text.slice(1);
        crEnded = false;
      }
      // The body's last line without its line end is still a line (read like the others: a raw
      // error document a server ends with, a last `data:` event).
      if (done && (text.length > 0 ? !/[\r\n]$/.test(text) : pendingChars > 0)) text += '\n';
      if (!done && !/[\r\n]/.test(text)) {
        // The line goes on.
        if (text.length > 0) pieces.push(text);
        pendingChars += text.length;
        if (pendingChars + dataChars > MAX_LINE_BYTES) {
          yield { type: 'oversized' };
          return;
        }
        continue;
      }
      // What lies before the new text holds no line end.
      const searched = pendingChars;
      let buffer = pieces.length > 0 ? pieces.join('') + text : text;
      let start = 0;
      lineEnd.lastIndex = searched;
      for (let end = lineEnd.exec(buffer); end !== null; end = lineEnd.exec(buffer)) {
        const at = end.index;
        const line = buffer.slice(start, at);
        start = at + (buffer[at] === '\r' && buffer[at + 1] === '\n' ? 2 : 1);
        crEnded = buffer[at] === '\r' && start === buffer.length;
        lineEnd.lastIndex = start;
        if (line === '') {
          const event = dispatch(data, type);
          if (event) yield event;
          data = [];
          dataChars = 0;
          type = '';
        } else if (line.startsWith('data:')) {
          const value = line.slice(line[5] === ' ' ? 6 : 5);
          const event = endedWithoutBlankLine(data, value, type);
          if (event) {
            yield event;
            data = [];
            dataChars = 0;
            type = '';
          }
          data.push(value);
          dataChars += line.length;
        } else if (line.startsWith('event:')) {
          // Without blank lines between events, a type line after complete data starts the next event.
          const event = endedWithoutBlankLine(data, '{', type);
          if (event) {
            yield event;
            data = [];
            dataChars = 0;
          }
          type = eventType(line);
        } else if (line.startsWith('error:')) {
          yield { type: 'error', data: line.slice(line[6] === ' ' ? 7 : 6) };
        } else if (!line.startsWith(':') && !KNOWN_FIELD.test(line)) {
          yield { type: 'malformed', line };
        }
      }
      buffer = buffer.slice(start);
      pieces = buffer.length > 0 ? [buffer] : [];
      pendingChars = buffer.length;
      // UTF-16 units: at most as many as the bytes they came from.
      if (pendingChars + dataChars > MAX_LINE_BYTES) {
        yield { type: 'oversized' };
        return;
      }
      if (done) {
        // A last event without its blank line still counts (some servers end that way).
        const event = dispatch(data, type);
        if (event) yield event;
        return;
      }
    }
  } finally {
    // Releases the socket when the consumer stops early (the agent stops at a closing fence).
    await reader.cancel().catch(() => undefined);
  }
}
