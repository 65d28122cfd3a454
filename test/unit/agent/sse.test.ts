// The event-stream reader on its own, fed one byte at a time, so every line end and every
// character falls across a read boundary (a CRLF whose CR ends one read, a character in pieces).
// Over real HTTP the same framings are in realModelVariants.test.ts.
import { describe, expect, it } from 'vitest';
import { readSse, type SseItem } from '../../../src/agent/backends/sse';

/** A body that delivers `text`'s bytes one per read. */
function byteByByte(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at < bytes.length) controller.enqueue(bytes.subarray(at, ++at));
      else controller.close();
    },
  });
}

async function items(text: string): Promise<SseItem[]> {
  const out: SseItem[] = [];
  for await (const item of readSse(byteByByte(text))) out.push(item);
  return out;
}

const EVENTS = ['data: {"a":"é✓"}', '', ': keep-alive', 'event: message', 'data:{"b":1,', 'data: "c":2}', '', 'data: [DONE]', ''];
const EXPECTED: SseItem[] = [
  { type: 'data', data: '{"a":"é✓"}' },
  { type: 'data', data: '{"b":1,\n"c":2}' },
  { type: 'data', data: '[DONE]' },
];

describe('readSse', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['a lone CR', '\r'],
  ])('lines ended by %s, read a byte at a time, give the same events', async (_name, end) => {
    expect(await items(EVENTS.join(end))).toEqual(EXPECTED);
  });

  it('a CR that ends one read and the LF that starts the next are one line end, not two (no early empty event)', async () => {
    expect(await items('data: {"x":1,\r\ndata: "y":2}\r\n\r\n')).toEqual([{ type: 'data', data: '{"x":1,\n"y":2}' }]);
  });

  it('an event whose blank line ends with a CR at the end of a read is handed on at once, not held for the next read', async () => {
    const encoder = new TextEncoder();
    // The second read's bytes come only once the first event was handed on (a server between
    // tokens): a reader that waited for them would never get there.
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls++;
        if (pulls === 1) return controller.enqueue(encoder.encode('data: {"x":1}\r\r'));
        await released;
        if (pulls === 2) controller.enqueue(encoder.encode('\ndata: {"y":2}\r\n\r\n'));
        else controller.close();
      },
    });
    const reader = readSse(body);
    expect((await reader.next()).value).toEqual({ type: 'data', data: '{"x":1}' });
    release();
    const rest: SseItem[] = [];
    for await (const item of reader) rest.push(item);
    // The LF after the CR that ended the first read is that CRLF's half: no empty line, no empty event.
    expect(rest).toEqual([{ type: 'data', data: '{"y":2}' }]);
  });

  it('a byte-order mark is dropped; a last event without its blank line, or ended by a bare CR, still counts', async () => {
    expect(await items('\uFEFFdata: {"z":3}')).toEqual([{ type: 'data', data: '{"z":3}' }]);
    expect(await items('data: {"z":3}\r')).toEqual([{ type: 'data', data: '{"z":3}' }]);
  });

  it('a data line starting a new JSON value (or [DONE]) right after a complete one ends that event, though no blank line came between (GLM-4.7, Kimi-K2.5 providers)', async () => {
    const expected: SseItem[] = [
      { type: 'data', data: '{"a":1}' },
      { type: 'data', data: '{"b":{"c":2}}' },
      { type: 'data', data: '[DONE]' },
    ];
    expect(await items('data: {"a":1}\ndata: {"b":{"c":2}}\ndata: [DONE]\n')).toEqual(expected);
    expect(await items('data: {"a":1}\r\ndata: {"b":{"c":2}}\r\ndata: [DONE]')).toEqual(expected);
    // One JSON value over several data lines stays one event, even where a line ends in } and the next starts with {.
    expect(await items('data: {"a":{"b":1}\ndata: ,"c":[{"d":2}\ndata: {"e":3}]}\n\n')).toEqual([{ type: 'data', data: '{"a":{"b":1}\n,"c":[{"d":2}\n{"e":3}]}' }]);
  });

  it("llama.cpp's `error:` line is an error item, with or without the space", async () => {
    expect(await items('data: {"a":1}\n\nerror: {"code":500,"message":"x"}\n\nerror:{}\n')).toEqual([
      { type: 'data', data: '{"a":1}' },
      { type: 'error', data: '{"code":500,"message":"x"}' },
      { type: 'error', data: '{}' },
    ]);
  });

  it("an event named `error` is an error item whatever its data (OpenAI's error event, no `error` wrapper), one named `ping` a keep-alive (sse-starlette); other event names are data; the name lasts one event", async () => {
    expect(
      await items('event: error\ndata: {"type":"error","message":"x"}\n\ndata: {"a":1}\n\nevent: ping\r\ndata: 2024-05-01 12:00:00.000123\r\n\r\nevent: message\ndata: {"b":2}\n\nevent:error\ndata: overloaded'),
    ).toEqual([
      { type: 'error', data: '{"type":"error","message":"x"}' },
      { type: 'data', data: '{"a":1}' },
      { type: 'data', data: '{"b":2}' },
      { type: 'error', data: 'overloaded' },
    ]);
    // Without blank lines between events, the name belongs to the data after it.
    expect(await items('data: {"a":1}\nevent: error\ndata: {"message":"x"}\ndata: [DONE]\n')).toEqual([
      { type: 'data', data: '{"a":1}' },
      { type: 'error', data: '{"message":"x"}' },
      { type: 'data', data: '[DONE]' },
    ]);
  });

  it("an event with empty data (a gateway's `data:` heartbeat) is not dispatched, as the SSE format says", async () => {
    expect(await items('data: {"a":1}\n\ndata:\n\ndata: \n\ndata: {"b":2}\n\ndata:')).toEqual([
      { type: 'data', data: '{"a":1}' },
      { type: 'data', data: '{"b":2}' },
    ]);
  });

  it('a line that is no SSE field is reported, not skipped', async () => {
    expect(await items('data: {"a":1}\n\n<html>\n')).toEqual([
      { type: 'data', data: '{"a":1}' },
      { type: 'malformed', line: '<html>' },
    ]);
  });
});
