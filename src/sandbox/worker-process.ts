// One running worker.py (possibly inside bubblewrap) and the protocol spoken with it.
// Every handler of the worker's streams catches its own errors: whatever goes wrong there
// (a spill file that cannot be created, a reply that is not the protocol) ends that cell
// with a message, never an uncaught exception or a cell that never settles.
// node:child_process, not execa (used for every other subprocess): execa handles the extra fds and
// `detached`, but its promise and stream wrappers add ~2.5 ms to each worker spawn (measured), the
// whole group is killed with process.kill(-pid) either way, and a worker ends on purpose all the time.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Duplex, Readable, Writable } from 'node:stream';
import { StreamCapture } from './output-capture';
import type { KillReason } from './types';
import { readFileSync } from 'node:fs';
import { findDescendants, killProcessTree } from './process-tree';
import type { ControlSocket } from './diskBudget';
import { BoundedLineSplitter, MAX_REPLY_LINE_BYTES, ProtocolError, workerMessageSchema, type DoneMessage, type WorkerMessage } from './protocol';

export interface WorkerLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
  /**
   * Host pids of every process the launch started, from a list the kernel keeps (its memory
   * cgroup's members, cgroup.ts); undefined where there is none or it cannot be read. Finding
   * and killing the worker's processes then reads only theirs, not the host's whole /proc.
   */
  readonly members?: () => readonly number[] | undefined;
}

/** How a cell ended, before the runner turns it into an ExecResult. */
export interface CellOutcome {
  readonly stdout: StreamCapture;
  readonly stderr: StreamCapture;
  /** Exit code reported by the worker; undefined when the worker died or was killed. */
  readonly exitCode: number | undefined;
  readonly workerError: DoneMessage['error'];
  /** The supervisor's report of the cell; undefined when the worker died or was killed first. */
  readonly done?: DoneMessage;
  /** Why the parent stopped the cell, if it did. `host-error` and `protocol`: see `hostError`. */
  readonly stoppedBy?: Extract<KillReason, 'timeout' | 'cancelled' | 'output-limit' | 'host-error' | 'protocol'>;
  /** What went wrong on the host's side of the cell (a stream handler or the reply channel). */
  readonly hostError?: string;
  /** True when the worker process is gone (killed or crashed): its state is lost. */
  readonly workerLost: boolean;
  /**
   * The worker had ended between cells before it read this cell (its "gone" came and no "done"):
   * the cell never ran, and a fresh worker may run it.
   */
  readonly notRun?: boolean;
}

export interface CellRunOptions {
  readonly timeoutMs: number;
  readonly outputBytes: number;
  /** Total bytes (both streams) after which the cell is killed. */
  readonly hardOutputBytes: number;
  readonly spillPaths: { readonly stdout: string; readonly stderr: string };
  readonly signal?: AbortSignal;
  /** Time between SIGINT and killing the tree. */
  readonly graceMs: number;
}

type Waiter = { accept: (message: WorkerMessage) => boolean; reject: (error: Error) => void };

export class WorkerExitedError extends Error {}

/** Random bytes for cell nonces, drawn 64 nonces at a time (one draw per cell cost ~10 µs). */
const nonceBytes = { pool: Buffer.alloc(0), used: 0 };

/** A fresh unpredictable 128-bit nonce, hex. Each is used once. */
function nextNonce(): string {
  if (nonceBytes.used + 16 > nonceBytes.pool.length) {
    nonceBytes.pool = randomBytes(16 * 64);
    nonceBytes.used = 0;
  }
  const nonce = nonceBytes.pool.toString('hex', nonceBytes.used, nonceBytes.used + 16);
  nonceBytes.used += 16;
  return nonce;
}

/** How long the output of a cell may take to end after its "done" (ms); then the worker goes. */
const OUTPUT_END_WAIT_MS = 5_000;
const OUTPUT_NEVER_ENDED = "the cell's output did not end after the cell did";

/** The cell's message when it stopped the supervisor (see `supervisorStopped`). */
const SUPERVISOR_STOPPED = "the cell stopped the sandbox's supervisor (SIGSTOP), so it could not report the cell's end";

export class WorkerProcess {
  private readonly waiters = new Set<Waiter>();
  private exited = false;
  /** The supervisor said the interpreter ended between cells ("gone"): the worker is ending. */
  private goneBetweenCells = false;
  /** `kill` was called: the worker is as good as gone, though its 'exit' may not have come yet. */
  private killed = false;
  private readonly exitPromise: Promise<void>;
  private readonly replyLines = new BoundedLineSplitter(MAX_REPLY_LINE_BYTES);
  /** Set while a cell runs; `fatal`: the reply channel is corrupt, so the worker must go. */
  private onHostError: ((message: string, fatal: boolean) => void) | undefined;
  private currentStdout: StreamCapture | undefined;
  private currentStderr: StreamCapture | undefined;
  private onOutput: (() => void) | undefined;
  /** The supervisor's pid as the sandbox sees it (its "ready" message). */
  private supervisorPid: number | undefined;
  /** The current interpreter's control socket, as the supervisor said when it made it ("ready", "reset"). */
  private control: ControlSocket | undefined;
  /** The last cell made a process, or its end is unknown: read the streams dry before the next (see `runCell`). */
  private strayWritersPossible = true;

  private constructor(
    private readonly child: ChildProcess,
    private readonly requests: Writable,
    /** fd 5: cell code straight to the interpreter (which never holds fds 3/4). */
    private readonly code: Writable,
    private readonly members: WorkerLaunch['members'],
  ) {
    // Wait for 'exit', never 'close': escaped grandchildren can hold the pipes open.
    this.exitPromise = new Promise((resolve) => {
      const onGone = (): void => {
        if (this.exited) return;
        this.exited = true;
        for (const waiter of this.waiters) waiter.reject(new WorkerExitedError('The Python worker exited.'));
        this.waiters.clear();
        this.currentStdout?.end();
        this.currentStderr?.end();
        this.onOutput?.();
        resolve();
      };
      child.once('exit', onGone);
      // A spawn failure (ENOENT) emits 'error' and no 'exit'.
      child.once('error', () => {
        if (child.pid === undefined) onGone();
      });
    });
  }

  /** False once the worker exited, said it is ending ("gone"), or a kill of it began (the next cell then starts a fresh one). */
  get alive(): boolean {
    return !this.exited && !this.killed && !this.goneBetweenCells;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The current interpreter's control socket (its number and /proc link), from the supervisor; undefined when it did not say. */
  get controlSocket(): ControlSocket | undefined {
    return this.control;
  }

  /** Spawns the worker and waits for its "ready" message. */
  static async start(launch: WorkerLaunch, signal?: AbortSignal, startTimeoutMs = 30_000): Promise<WorkerProcess> {
    const child = spawn(launch.command, [...launch.args], {
      cwd: launch.cwd,
      env: launch.env,
      // fd 3: requests to the supervisor, fd 4: its replies, fd 5: code for the interpreter;
      // user output stays on 1/2.
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      // Own process group and session, so the group can be killed as one.
      detached: true,
      windowsHide: true,
    });
    child.on('error', () => {
      // Handled in the constructor; this listener keeps an ENOENT from crashing the host.
    });
    const requests = child.stdio[3] as Writable | null;
    const replies = child.stdio[4] as Readable | null;
    const pipes: ReadonlyArray<Readable | Writable | null | undefined> = child.stdio;
    const code = pipes[5] as Duplex | null | undefined;
    if (!requests || !replies || !code || !child.stdout || !child.stderr) {
      killProcessTree(child.pid ?? -1, launch.members);
      throw new Error('Could not open the pipes to the Python worker.');
    }
    // EPIPE when the worker died mid-write: the 'exit' handler reports it.
    requests.on('error', () => undefined);
    replies.on('error', () => undefined);
    code.on('error', () => undefined);
    // A socket whose reading side ends also ends its writing side (Node's default): a cell that
    // shut the code channel down for writing (shutdown(SHUT_WR) on fd 5, which nothing inside
    // writes) made the host stop sending code, and every later cell of the conversation ended at
    // once, "exit 0" with no output and no word. Only the host ends its side (kill).
    code.allowHalfOpen = true;
    const worker = new WorkerProcess(child, requests, code, launch.members);
    // The pipes are socket pairs: the code channel could be written back. Nothing may come.
    code.on('data', () =>
      worker.guard(() => {
        throw new ProtocolError('data written back on the code channel');
      }),
    );
    replies.on('data', (chunk: Buffer) => worker.guard(() => worker.onReplyData(chunk)));
    child.stdout.on('data', (chunk: Buffer) => worker.guard(() => worker.onStream('stdout', chunk)));
    child.stderr.on('data', (chunk: Buffer) => worker.guard(() => worker.onStream('stderr', chunk)));
    const startupErrors: Buffer[] = [];
    const collect = (chunk: Buffer): void => {
      if (startupErrors.length < 64) startupErrors.push(chunk);
    };
    child.stderr.on('data', collect);
    try {
      const ready = await worker.waitFor((m) => m.type === 'ready', startTimeoutMs, signal);
      if (ready.type === 'ready') {
        worker.supervisorPid = ready.pid;
        worker.control = controlSocket(ready.control);
      }
    } catch (error) {
      await worker.kill();
      const detail = Buffer.concat(startupErrors).toString('utf8').trim().split('\n').slice(-3).join(' ');
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`The Python worker did not start: ${reason}${detail ? ` (${detail})` : ''}`);
    } finally {
      child.stderr.off('data', collect);
    }
    return worker;
  }

  /** Sends a request line to the supervisor (fd 3), or with `toInterpreter` to the interpreter (fd 5). */
  send(message: Record<string, unknown>, toInterpreter = false): void {
    if (this.exited) return;
    (toInterpreter ? this.code : this.requests).write(`${JSON.stringify(message)}\n`);
  }

  /**
   * Resolves with the first message accepted by `predicate`; rejects after `timeoutMs` (none
   * when Infinity), on `signal`, or when the worker exits.
   */
  waitFor(predicate: (message: WorkerMessage) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<WorkerMessage> {
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(new WorkerExitedError('The Python worker exited.'));
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        accept: (message) => {
          if (!predicate(message)) return false;
          cleanup();
          resolve(message);
          return true;
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      };
      // No timer for a wait without a deadline (a cell's "done": its own time limit ends it).
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => waiter.reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs) : undefined;
      const onAbort = (): void => waiter.reject(new Error('cancelled'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /**
   * Runs one cell; never throws for anything the cell does. The caller has ended every process
   * the last cell left (the budget's leftover check): what they wrote after that cell's end is
   * then already in the stream sockets, and is read (and dropped) before this cell's capture
   * begins.
   */
  async runCell(code: string, options: CellRunOptions): Promise<CellOutcome> {
    if (this.strayWritersPossible) {
      // A poll phase of the event loop that begins after that check: bytes a process of the last
      // cell wrote after its "done" (a child the kernel reaped at once, so never a leftover) may
      // sit unread in the sockets, or come in after the poll that read that "done" (whose
      // microtasks may have started this cell): without it they would be this cell's output. The
      // first immediate runs after the current poll, the second after the next one. Only after a
      // cell that made a process: nothing else of it can write once it is stopped.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const nonce = nextNonce();
    const marker = Buffer.from(`\0${nonce}\0`, 'latin1');
    const stdout = new StreamCapture(marker, options.outputBytes, options.spillPaths.stdout);
    const stderr = new StreamCapture(marker, options.outputBytes, options.spillPaths.stderr);
    this.currentStdout = stdout;
    this.currentStderr = stderr;

    let stoppedBy: CellOutcome['stoppedBy'];
    let hostError: string | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let settle: () => void = () => undefined;
    const streamsEnded = new Promise<void>((resolve) => {
      settle = resolve;
    });
    let done: DoneMessage | undefined;
    const stop = (reason: NonNullable<CellOutcome['stoppedBy']>): void => {
      // A time limit or a cancel that comes after the cell's "done" is too late to stop it.
      if (stoppedBy || (done && (reason === 'timeout' || reason === 'cancelled'))) return;
      stoppedBy = reason;
      if (reason === 'output-limit') {
        void this.kill();
        return;
      }
      // Ended already: nothing to interrupt, and no grace whose kill would fall on the next cell.
      if (done) return;
      // SIGINT first (KeyboardInterrupt keeps the namespace), the whole tree after the grace.
      this.send({ type: 'interrupt', id: nonce });
      graceTimer = setTimeout(() => void this.kill(), options.graceMs);
    };
    this.onOutput = () => {
      if (stdout.total + stderr.total > options.hardOutputBytes) stop('output-limit');
      if ((stdout.ended && stderr.ended) || this.exited) settle();
    };
    let fatal = false;
    this.onHostError = (message, isFatal) => {
      hostError ??= message;
      if (isFatal) {
        fatal = true;
        void this.kill();
      }
      stop(isFatal ? 'protocol' : 'host-error');
    };
    // A cell can SIGSTOP its supervisor (same uid): then it could never report the end, and
    // this is not the cell's own time limit.
    const timeout = setTimeout(() => (this.supervisorStopped() ? this.onHostError?.(SUPERVISOR_STOPPED, true) : stop('timeout')), options.timeoutMs);
    const onAbort = (): void => stop('cancelled');

    try {
      // The supervisor learns of the cell (and its nonce) before the interpreter gets the code.
      this.send({ type: 'run', id: nonce });
      this.send({ type: 'run', code }, true);
      // A cancel from now on reaches this cell: sent before "run", the supervisor would not know
      // the nonce yet and ignore it (the grace would then end the interpreter).
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
      const reply = await this.waitFor((m) => m.type === 'done' && m.id === nonce, Number.POSITIVE_INFINITY);
      if (reply.type === 'done') done = reply;
      // The cell has ended: neither its time limit nor the grace of its interrupt may strike
      // now. Draining its streams and reaping what it left (a fork bomb's thousands, on a loaded
      // machine) can outlast both; a kill then would fall on the next cell, as a "crash".
      clearTimeout(timeout);
      clearTimeout(graceTimer);
      this.strayWritersPossible = done?.spawned !== false;
      // A drained stream's bytes were all handed to its capture before this reply was read
      // (one reader, in order), and it gets no marker; the others' markers were written before
      // the reply: wait until those pipes delivered them.
      for (const name of done?.drained ?? []) (name === 'stdout' ? stdout : stderr).end();
      if (stdout.ended && stderr.ended) settle();
      // Bounded: the markers were written before the reply, so they come at once; a worker whose
      // streams never end after its cell's end goes (the cell's own time limit no longer applies).
      const late = setTimeout(() => this.onHostError?.(OUTPUT_NEVER_ENDED, true), OUTPUT_END_WAIT_MS);
      await Promise.race([streamsEnded, this.exitPromise]).finally(() => clearTimeout(late));
      if (stoppedBy && stoppedBy !== 'output-limit' && !fatal) {
        // The interrupt worked, but children the cell started must not outlive it.
        this.send({ type: 'reap' });
        await this.waitFor((m) => m.type === 'reaped', 5_000).then(
          // Its direct children are the interpreter's to wait for (it reads this when continued).
          () => this.send({ type: 'reap' }, true),
          () => this.kill(),
        );
      }
    } catch {
      // The worker died (killed by us or crashed): the outcome says so below.
    } finally {
      clearTimeout(timeout);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      this.onOutput = undefined;
      this.onHostError = undefined;
      this.currentStdout = undefined;
      this.currentStderr = undefined;
    }
    // A kill the cell caused completes before its result, so the next cell never meets a dying worker.
    if (this.exited || this.killed || fatal || stoppedBy === 'output-limit') await this.kill();
    stdout.end();
    stderr.end();
    const failure = stdout.failure ?? stderr.failure;
    if (failure !== undefined && hostError === undefined) {
      hostError = describeHostError(new Error(failure));
      stoppedBy ??= 'host-error';
    }
    return {
      stdout,
      stderr,
      exitCode: this.exited ? undefined : done?.exitCode,
      workerError: done?.error ?? null,
      ...(done ? { done } : {}),
      ...(stoppedBy ? { stoppedBy } : {}),
      ...(hostError ? { hostError } : {}),
      workerLost: this.exited || this.killed,
      ...(this.goneBetweenCells && !done ? { notRun: true } : {}),
    };
  }

  /**
   * True when the supervisor is stopped (state T): found among the launched process's
   * descendants by its pid inside the sandbox (the innermost of /proc/PID/status NSpid).
   * One /proc scan, only when a cell reaches its time limit. Linux only.
   */
  private supervisorStopped(): boolean {
    const root = this.child.pid;
    if (root === undefined || this.supervisorPid === undefined) return false;
    const members = this.members?.();
    for (const pid of [root, ...findDescendants(root, members && members.length > 0 ? { among: members } : {})]) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'latin1');
        const nspid = /^NSpid:\s*(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [String(pid)];
        if (Number(nspid[nspid.length - 1]) === this.supervisorPid) return /^State:\s*T/m.test(status);
      } catch {
        // exited
      }
    }
    return false;
  }

  /**
   * Asks the supervisor to make the sandbox fresh for another question (worker.py `reset`):
   * every other process killed, scratch, /tmp and home emptied, a new interpreter forked from the
   * supervisor. Resolves true when it says so; false (and the worker is killed) otherwise.
   * Only between cells.
   */
  async reset(timeoutMs = 10_000): Promise<boolean> {
    if (this.exited) return false;
    this.send({ type: 'reset' });
    const reply = await this.waitFor((m) => m.type === 'reset', timeoutMs).catch(() => undefined);
    if (reply?.type === 'reset' && reply.ok && !this.exited) {
      this.control = controlSocket(reply.control);
      return true;
    }
    await this.kill();
    return false;
  }

  /** Kills the worker and every process it started; resolves once the worker has exited. */
  async kill(): Promise<void> {
    this.killed = true;
    const pid = this.child.pid;
    if (pid !== undefined) killProcessTree(pid, this.members);
    if (!this.exited) await this.exitPromise;
    // Escaped holders of the pipes must not keep our side open.
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    for (const stream of this.child.stdio.slice(3)) stream?.destroy();
  }

  /** Runs a stream handler; an error in it ends the current cell (or, between cells, the worker). */
  private guard(handler: () => void): void {
    try {
      handler();
    } catch (error) {
      if (this.onHostError) this.onHostError(describeHostError(error), error instanceof ProtocolError);
      else void this.kill();
    }
  }

  private onReplyData(chunk: Buffer): void {
    for (const line of this.replyLines.push(chunk)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new ProtocolError('a reply that is not JSON');
      }
      const message = workerMessageSchema.safeParse(parsed);
      if (!message.success) throw new ProtocolError('a reply that is not the protocol');
      if (message.data.type === 'gone') this.goneBetweenCells = true;
      for (const waiter of this.waiters) if (waiter.accept(message.data)) break;
    }
  }

  private onStream(which: 'stdout' | 'stderr', chunk: Buffer): void {
    const capture = which === 'stdout' ? this.currentStdout : this.currentStderr;
    if (!capture) return; // output between cells (background threads) is dropped
    capture.push(chunk);
    if (capture.failure !== undefined) throw new Error(capture.failure);
    this.onOutput?.();
  }
}

/** The supervisor's [fd, inode] of a control socket as the host compares it: its number and its /proc/PID/fd link. */
function controlSocket(said: readonly [number, number] | undefined): ControlSocket | undefined {
  return said && { fd: said[0], link: `socket:[${said[1]}]` };
}

/** A sentence for the cell's result about what failed on the host's side. */
function describeHostError(error: unknown): string {
  if (error instanceof ProtocolError) return `protocol violation: ${error.message}`;
  return `the host could not record the cell's output (${error instanceof Error ? error.message : String(error)})`;
}
