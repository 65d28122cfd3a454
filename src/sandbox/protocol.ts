// Messages the worker's supervisor (resources/sandbox/worker.py) sends on fd 4; validated
// because they cross a process boundary. User code never holds fd 4 (it runs in a child
// process without it), but the host still reads the channel with bounded lines.
import { z } from 'zod';

/** A file the supervisor saw change in scratch during a cell; the host re-checks it before reading. */
export const listedFileSchema = z.object({
  /** Relative to scratch, forward slashes. */
  name: z.string().min(1).max(4096),
  size: z.number().int().nonnegative(),
  /** st_dev and st_ino as decimal strings (an inode number may exceed 2^53). */
  dev: z.string().regex(/^\d+$/),
  ino: z.string().regex(/^\d+$/),
});
export type ListedFile = z.infer<typeof listedFileSchema>;

/**
 * The interpreter's control socket as the supervisor made it, before any user code ran: its
 * descriptor number in the interpreter and its inode (a socket inode, below 2^32). The host's
 * in-flight look (diskBudget.ts `holdsOnlyOwnDescriptors`) checks that number still names it.
 */
export const controlSocketSchema = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]);

export const workerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int(), uid: z.number().int(), python: z.string(), control: controlSocketSchema.optional() }),
  z.object({
    type: z.literal('done'),
    id: z.string(),
    exitCode: z.number().int(),
    /**
     * `protocol`: the cell wrote to the interpreter's control channel or forged the end of an
     * earlier cell (the interpreter was replaced); `crashed`: it died of a signal.
     */
    error: z.enum(['interrupted', 'memory', 'file-size', 'protocol', 'crashed']).nullable(),
    artifacts: z.array(listedFileSchema).max(200),
    /** The interpreter ended itself during the cell (os._exit, exit of the process). */
    exited: z.boolean().optional(),
    /** The supervisor ends the worker after this reply (the interpreter is gone): the next cell starts a fresh one. */
    final: z.boolean().optional(),
    signal: z.number().int().optional(),
    detail: z.string().max(500).optional(),
    /** Threads the cell left running besides the main one: stopped with the interpreter until the next cell. */
    threads: z.number().int().nonnegative().optional(),
    /**
     * Streams the host had already read to their end when the cell ended: no end-of-cell marker
     * was written on them (worker.py `unread_bytes`), so their capture ends with this reply.
     */
    drained: z
      .array(z.enum(['stdout', 'stderr']))
      .max(2)
      .optional(),
    /** A process or thread was made during the cell (worker.py `last_pid`): something of it may write after its end. */
    spawned: z.boolean().optional(),
  }),
  z.object({ type: z.literal('reaped') }),
  /**
   * The interpreter ended between cells (worker.py `gone_between_cells`) and the worker ends: a
   * "run" sent before this was never read, so that cell never ran.
   */
  z.object({ type: z.literal('gone') }),
  /** The answer to a reset (worker.py `reset`): `pid` is the new interpreter's, as the sandbox sees it. */
  z.object({ type: z.literal('reset'), ok: z.boolean(), pid: z.number().int(), control: controlSocketSchema.optional(), detail: z.string().max(500).optional() }),
]);
export type WorkerMessage = z.infer<typeof workerMessageSchema>;
export type DoneMessage = Extract<WorkerMessage, { type: 'done' }>;

/** Start-up settings passed to worker.py as one JSON argument. */
export interface WorkerArgs {
  readonly memoryBytes: number;
  readonly fileSizeBytes: number;
  readonly maxProcesses: number;
  readonly mode: 'persistent' | 'stateless';
  readonly pidNamespace: boolean;
  /** Install the seccomp filter that refuses new user namespaces (isolated tier). */
  readonly denyUserNamespaces: boolean;
  readonly dropToUid?: number;
  readonly dropToGid?: number;
}

/** The longest reply line the host accepts; a longer one ends the cell as a protocol violation. */
export const MAX_REPLY_LINE_BYTES = 1024 * 1024;

/**
 * Splits a byte stream into lines of at most `maxBytes` (newline excluded), in time linear
 * in the input: each byte is looked at once, and a partial line is kept as a list of chunks,
 * never re-concatenated per chunk. Throws on an overlong line.
 */
export class BoundedLineSplitter {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  /** The complete lines in `chunk` (with what was pending before it). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) break;
      const piece = chunk.subarray(start, newline);
      this.grow(piece.length);
      this.parts.push(piece);
      lines.push(Buffer.concat(this.parts, this.size).toString('utf8'));
      this.parts = [];
      this.size = 0;
      start = newline + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.grow(rest.length);
      this.parts.push(Buffer.from(rest));
    }
    return lines;
  }

  private grow(bytes: number): void {
    this.size += bytes;
    if (this.size > this.maxBytes) {
      this.parts = [];
      this.size = 0;
      throw new ProtocolError(`a reply line longer than ${this.maxBytes} bytes`);
    }
  }
}

/** The worker's reply channel carried something that is not the protocol. */
export class ProtocolError extends Error {}
