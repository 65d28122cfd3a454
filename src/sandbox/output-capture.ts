// Captures one stream (stdout or stderr) of one cell: finds the worker's end-of-cell
// marker, turns the stream into text as a terminal would leave it (redraws collapsed, escape
// sequences removed: terminalText.ts) and keeps the first bytes of that text for the model,
// and spills the raw bytes to a file once the stream grows past that, so "show all" can still
// read it. Collapsing comes before the limit (issue 11 item 6): a progress bar redrawn
// 3,000 times is one line, not 64 KiB of stale redraws. The spill file
// lives in the runner's host-private folder (never in scratch), is created new without
// following links, and is read back through the descriptor it was written with.
import { close, openSync, read, writeSync, constants } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { RedrawCollapser } from './terminalText';

export class StreamCapture {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private pending: Buffer = Buffer.alloc(0);
  private spillFd: number | undefined;
  /** Bytes the cell wrote to this stream (marker excluded). */
  total = 0;
  /** True once the end-of-cell marker was seen. */
  ended = false;
  /** Set when the spill file could not be created or written; the head is still kept. */
  failure: string | undefined;
  // The model's view, streamed: at most `keepBytes` bytes of it are kept.
  private readonly decoder = new StringDecoder('utf8');
  private readonly collapser: RedrawCollapser;
  private readonly shown: string[] = [];
  private shownBytes = 0;
  private collapsedBytes = 0;

  constructor(
    private readonly marker: Buffer,
    private readonly keepBytes: number,
    /** Where to spill once the stream outgrows `keepBytes`. */
    readonly spillPath: string,
  ) {
    // A line longer than the limit is cut anyway: keeping more of it would only cost memory.
    this.collapser = new RedrawCollapser({ removeEscapes: true, maxLineChars: keepBytes });
  }

  /** Bytes (UTF-8) of the collapsed text (see `text`), including what was not kept. */
  get textTotal(): number {
    return this.collapsedBytes + this.collapser.droppedBytes;
  }

  get spilled(): boolean {
    return this.spillFd !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.ended) return; // output of background threads after the cell ended is dropped
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const at = data.indexOf(this.marker);
    if (at >= 0) {
      this.commit(data.subarray(0, at));
      this.pending = Buffer.alloc(0);
      this.finish();
      return;
    }
    // Keep a possible partial marker back until the next chunk arrives.
    const keep = Math.min(data.length, this.marker.length - 1);
    this.commit(data.subarray(0, data.length - keep));
    this.pending = Buffer.from(data.subarray(data.length - keep));
  }

  /** Flushes what is pending (the process ended without a marker). */
  end(): void {
    if (this.ended) return;
    this.commit(this.pending);
    this.pending = Buffer.alloc(0);
    this.finish();
  }

  /** Everything the cell wrote to this stream (read back from the spill file when there is one), asynchronously. */
  async readAll(): Promise<Buffer> {
    const fd = this.spillFd;
    if (fd === undefined) return Buffer.concat(this.head, this.headBytes);
    const all = Buffer.alloc(this.total);
    let offset = 0;
    while (offset < all.length) {
      const got = await new Promise<number>((resolve, reject) => read(fd, all, offset, all.length - offset, offset, (error, bytes) => (error ? reject(error) : resolve(bytes))));
      if (got === 0) break;
      offset += got;
    }
    return all.subarray(0, offset);
  }

  /** The first `maxBytes` (≤ keepBytes) bytes of the collapsed text, cut on a UTF-8 character boundary. */
  text(maxBytes: number): string {
    const all = this.shown.join('');
    return this.shownBytes <= maxBytes ? all : cutUtf8(Buffer.from(all), maxBytes).toString('utf8');
  }

  /** Closes the spill file (asynchronously; nothing to do when the stream never spilled). */
  async closeSpill(): Promise<void> {
    const fd = this.spillFd;
    this.spillFd = undefined;
    if (fd !== undefined) await new Promise<void>((resolve) => close(fd, () => resolve()));
  }

  private finish(): void {
    this.ended = true;
    this.show(this.collapser.push(this.decoder.end()) + this.collapser.end());
  }

  /** Adds collapsed text to the model's view, keeping at most `keepBytes` bytes of it. */
  private show(text: string): void {
    if (text.length === 0) return;
    const bytes = Buffer.byteLength(text);
    this.collapsedBytes += bytes;
    const room = this.keepBytes - this.shownBytes;
    if (room <= 0) return;
    const kept = bytes <= room ? text : cutUtf8(Buffer.from(text), room).toString('utf8');
    this.shown.push(kept);
    this.shownBytes += Math.min(bytes, room);
  }

  private commit(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.total += bytes.length;
    this.show(this.collapser.push(this.decoder.write(bytes)));
    if (this.headBytes < this.keepBytes) {
      const room = this.keepBytes - this.headBytes;
      const kept = Buffer.from(bytes.subarray(0, room));
      this.head.push(kept);
      this.headBytes += kept.length;
    }
    if (this.failure !== undefined || this.total <= this.keepBytes) return;
    try {
      if (this.spillFd === undefined) {
        this.spillFd = openExclusive(this.spillPath, constants.O_RDWR);
        // Everything so far: the head plus the part of this chunk beyond it.
        writeSync(this.spillFd, Buffer.concat(this.head, this.headBytes));
        const alreadyInHead = Math.max(0, bytes.length - (this.total - this.headBytes));
        writeSync(this.spillFd, bytes.subarray(alreadyInHead));
      } else {
        writeSync(this.spillFd, bytes);
      }
    } catch (error) {
      // Never thrown out of a stream handler: the caller turns it into the cell's failure.
      this.failure = error instanceof Error ? error.message : String(error);
    }
  }
}

/**
 * Creates a new file (mode 0600), refusing an existing one and a link in its place, so
 * nothing planted there is ever followed or reused. Throws (EEXIST, ELOOP) otherwise.
 */
export function openExclusive(path: string, access: number = constants.O_WRONLY): number {
  return openSync(path, access | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
}

/** At most `maxBytes` bytes of `buf`, never ending inside a multi-byte UTF-8 character. */
export function cutUtf8(buf: Buffer, maxBytes: number): Buffer {
  if (buf.length <= maxBytes) return buf;
  let end = maxBytes;
  // Step back over continuation bytes to the start of the character that was cut.
  let back = 0;
  while (end - back > 0 && back < 4 && ((buf[end - back - 1] ?? 0) & 0xc0) === 0x80) back++;
  const leadIndex = end - back - 1;
  const lead = buf[leadIndex] ?? 0;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (leadIndex >= 0 && needed > back + 1) end = leadIndex;
  return buf.subarray(0, end);
}
