// Named sandbox sessions for callers outside our own agent: the VS Code language-model tool and
// the MCP server. A session is one persistent interpreter (later cells see earlier variables);
// it ends after an idle timeout, when evicted to stay under the maximum count, on reset, or when
// the registry is disposed — and ending it always disposes the sandbox (no process is left).
// No `vscode` import: the extension and the CLI share this.
import type { CodeRunner, ExecResult, IsolationTier } from '../sandbox';
import { readArtifactImages, type ArtifactImage } from './artifactImages';

/** A started sandbox plus whatever must happen after it is disposed (e.g. removing its scratch folder). */
export interface SessionSandbox {
  readonly runner: CodeRunner;
  /** Called after `runner.dispose()`; errors are ignored. */
  readonly release?: () => Promise<void>;
}

/**
 * Starts a sandbox for a new session (or a one-off cell). May throw to refuse, e.g. when the
 * tier is not allowed; the message is shown to the caller as is.
 */
export type SessionSandboxFactory = (signal?: AbortSignal) => Promise<SessionSandbox>;

export interface SessionRegistryOptions {
  readonly createSandbox: SessionSandboxFactory;
  /** A session nobody used for this long is ended (ms, 1 to MAX_IDLE_TIMEOUT_MS; default 15 minutes; the constructor throws a RangeError outside that). A running cell keeps it alive. */
  readonly idleTimeoutMs?: number;
  /** Sandboxes alive at once, sessions and one-off cells together (default 4). When full, the least recently used idle session is ended. */
  readonly maxSessions?: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;
/**
 * The longest idle timeout, 2^31 - 1 ms (24.8 days): Node runs a timer set any longer at once
 * (TimeoutOverflowWarning), which would end every session 1 ms after its cell.
 */
export const MAX_IDLE_TIMEOUT_MS = 0x7fffffff;
export const DEFAULT_MAX_SESSIONS = 4;

/**
 * Session ids come from agents (models): short, printable, no path characters, because they are
 * echoed into results and logs. 1–64 of [A-Za-z0-9._-].
 */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** What one cell run through the registry produced, with where it ran. */
export interface SessionCellRun {
  /** The session the cell ran in; null for a one-off interpreter (disposed right after the cell). */
  readonly sessionId: string | null;
  readonly tier: IsolationTier;
  readonly tierNote: string;
  /** True when this call started the session's interpreter (no earlier variables). */
  readonly newSession: boolean;
  /** The scratch folder the cell ran in; artifacts are inside it. Gone after a one-off run. */
  readonly scratchDir: string;
  readonly result: ExecResult;
  /** The images the cell wrote, when asked for with `withImages` (read before the next cell or the disposal can change them). */
  readonly images: readonly ArtifactImage[];
}

export interface RunOptions {
  /** Run in this session (started on first use); without, in a one-off interpreter. */
  readonly sessionId?: string;
  /** Cancels the cell (SIGINT, then the tree is killed). */
  readonly signal?: AbortSignal;
  /** Also read the image artifacts (see readArtifactImages). */
  readonly withImages?: boolean;
  /**
   * Asked with the tier the cell's sandbox has, once it has started and right before the cell
   * runs: a refusal message stops the cell (a SessionError with that message; the session and
   * its variables stay), undefined lets it run. The VS Code tool checks here that the tier is
   * the one the user was shown when the call was approved.
   */
  readonly allowTier?: (tier: IsolationTier) => string | undefined;
}

/** One row of `list()`. Times are epoch ms. */
export interface SessionInfo {
  readonly id: string;
  readonly tier: IsolationTier | 'starting';
  /** The sandbox's own description of its tier ('' while starting). */
  readonly tierNote: string;
  readonly cells: number;
  readonly busy: boolean;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** When an idle session will be ended if nobody uses it (epoch ms); null while a cell runs. */
  readonly expiresAt: number | null;
}

/** A refusal that is the caller's to read (bad id, registry full, tier not allowed): not a crash. */
export class SessionError extends Error {
  override readonly name = 'SessionError';
}

interface Entry {
  readonly id: string;
  readonly sandbox: Promise<SessionSandbox>;
  /** Aborted when the session ends (reset, idle, evicted, shut down): its running cell is cancelled. */
  readonly ended: AbortController;
  tier: IsolationTier | undefined;
  tierNote: string;
  /** Cells that finished, and turns that started (the first turn is the one with no earlier variables). */
  cells: number;
  turns: number;
  pending: number;
  queue: Promise<unknown>;
  readonly createdAt: number;
  lastUsedAt: number;
  timer: NodeJS.Timeout | undefined;
}

const SHUT_DOWN = 'The sandbox sessions were shut down.';

export class SessionRegistry {
  private readonly sessions = new Map<string, Entry>();
  private oneOffs = 0;
  private disposed = false;
  /** One-off cells and session ends still going: `dispose` waits for them, so no sandbox outlives it. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Aborted by `dispose`: a cell still running then is cancelled (its result says so), not cut off as a crash. */
  private readonly shutdown = new AbortController();
  private readonly idleTimeoutMs: number;
  private readonly maxSessions: number;

  constructor(private readonly options: SessionRegistryOptions) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    if (!(this.idleTimeoutMs > 0 && this.idleTimeoutMs <= MAX_IDLE_TIMEOUT_MS)) throw new RangeError(`idleTimeoutMs must be from 1 to ${MAX_IDLE_TIMEOUT_MS} ms (got ${this.idleTimeoutMs})`);
    this.maxSessions = Math.max(1, options.maxSessions ?? DEFAULT_MAX_SESSIONS);
  }

  /**
   * Runs one cell. With a session id, in that session's interpreter (started on first use; cells
   * of one session run one after another); without, in a fresh interpreter that is disposed after.
   * `signal` cancels the cell (SIGINT, then the tree is killed); a cancelled one-off is disposed.
   * Calls at once each count against the maximum: a caller never starts a sandbox past it. A
   * caller cancelled while its session starts stops waiting; the session starts for the next.
   * @throws SessionError for a bad id, a full registry, a refused sandbox or a registry shut down
   * meanwhile; the factory's errors otherwise.
   */
  async run(code: string, options: RunOptions = {}): Promise<SessionCellRun> {
    if (this.disposed) throw new SessionError(SHUT_DOWN);
    const { sessionId } = options;
    const callerSignal = options.signal ? AbortSignal.any([options.signal, this.shutdown.signal]) : this.shutdown.signal;
    if (sessionId === undefined) return this.runOneOff(code, { ...options, signal: callerSignal });
    if (!SESSION_ID_PATTERN.test(sessionId)) throw new SessionError(`Invalid session id ${JSON.stringify(sessionId.slice(0, 80))}: use 1–64 letters, digits, ".", "_" or "-".`);
    let current = this.sessions.get(sessionId);
    // Checked and claimed with no await in between: callers that ask at once (the parallel tool
    // calls of one reply) each see the sessions the others started, so none passes the maximum.
    while (!current) {
      if (this.disposed) throw new SessionError(SHUT_DOWN);
      if (this.hasRoom()) current = this.startEntry(sessionId);
      else {
        await this.evictIdle();
        current = this.sessions.get(sessionId); // a concurrent first call may have started it meanwhile
      }
    }
    const entry = current;
    entry.pending++;
    this.disarm(entry);
    const signal = AbortSignal.any([callerSignal, entry.ended.signal]);
    const turn = entry.queue.then(async () => {
      const endedMeanwhile = (): SessionError => new SessionError(`Session ${sessionId} was ended (reset, idle or evicted) while this cell waited; run it again.`);
      const sandbox = await untilAborted(entry.sandbox, signal).catch((error: unknown) => {
        throw entry.ended.signal.aborted ? endedMeanwhile() : error;
      });
      if (entry.ended.signal.aborted) throw endedMeanwhile();
      signal.throwIfAborted();
      refuseTier(sandbox.runner, options.allowTier);
      const newSession = entry.turns++ === 0;
      const result = await sandbox.runner.runCell(code, { signal });
      entry.cells++;
      return cellRun(sessionId, sandbox.runner, newSession, result, options.withImages);
    });
    entry.queue = turn.catch(() => undefined);
    try {
      return await turn;
    } finally {
      entry.pending--;
      entry.lastUsedAt = Date.now();
      if (this.sessions.get(sessionId) === entry) this.arm(entry);
    }
  }

  /**
   * Ends a session and its interpreter; a cell it is running ends as cancelled (cells queued
   * behind it are refused with a SessionError). @returns false when there was no such session.
   */
  async reset(sessionId: string): Promise<boolean> {
    const entry = this.sessions.get(sessionId);
    if (!entry) return false;
    await this.end(entry);
    return true;
  }

  /** The live sessions, least recently used first. */
  list(): SessionInfo[] {
    return [...this.sessions.values()]
      .sort((a, b) => a.lastUsedAt - b.lastUsedAt)
      .map((e) => ({
        id: e.id,
        tier: e.tier ?? 'starting',
        tierNote: e.tierNote,
        cells: e.cells,
        busy: e.pending > 0,
        createdAt: e.createdAt,
        lastUsedAt: e.lastUsedAt,
        expiresAt: e.pending > 0 ? null : e.lastUsedAt + this.idleTimeoutMs,
      }));
  }

  get limits(): { readonly idleTimeoutMs: number; readonly maxSessions: number } {
    return { idleTimeoutMs: this.idleTimeoutMs, maxSessions: this.maxSessions };
  }

  /**
   * Ends every session and one-off cell (their sandboxes are disposed, running cells end as
   * cancelled); resolves when no sandbox of this registry is left. Later runs are refused.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    // Running cells first end as cancelled (SIGINT, then the tree), so their callers are told
    // that, rather than of an interpreter that died under them.
    this.shutdown.abort();
    await Promise.all([...this.sessions.values()].map((e) => this.end(e)));
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private runOneOff(code: string, { signal, withImages, allowTier }: RunOptions): Promise<SessionCellRun> {
    return this.withSandbox(async (runner, cellSignal) => {
      refuseTier(runner, allowTier);
      return cellRun(null, runner, true, await runner.runCell(code, { signal: cellSignal }), withImages);
    }, signal);
  }

  /**
   * Lends a fresh sandbox of its own to `use` (a one-off cell, the MCP `solve` tool's agent run)
   * and disposes it after: it counts against the maximum like a session for as long as `use`
   * runs, so work asked for at once never starts sandboxes past it (an idle session is ended to
   * make room). `use` gets the caller's `signal` joined with the registry's shut-down.
   * @throws SessionError when every sandbox is busy or the registry was shut down; the factory's
   * errors (a refused tier) and `use`'s own otherwise.
   */
  async withSandbox<T>(use: (runner: CodeRunner, signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    // As in `run`: the slot is taken in the same turn as the check that there is one.
    for (;;) {
      if (this.disposed) throw new SessionError(SHUT_DOWN);
      if (this.hasRoom()) break;
      await this.evictIdle();
    }
    this.oneOffs++;
    const joined = signal ? AbortSignal.any([signal, this.shutdown.signal]) : this.shutdown.signal;
    const work = (async () => {
      const sandbox = await this.options.createSandbox(joined);
      try {
        return await use(sandbox.runner, joined);
      } finally {
        await disposeSandbox(sandbox);
      }
    })();
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
      this.oneOffs--;
    }
  }

  /**
   * A new session; its sandbox starts at once. It starts for the session, not for the caller that
   * asked first: only ending the session (or the registry) cancels the start.
   */
  private startEntry(id: string): Entry {
    const now = Date.now();
    const ended = new AbortController();
    const sandbox = this.options.createSandbox(AbortSignal.any([ended.signal, this.shutdown.signal]));
    const entry: Entry = { id, sandbox, ended, tier: undefined, tierNote: '', cells: 0, turns: 0, pending: 0, queue: Promise.resolve(), createdAt: now, lastUsedAt: now, timer: undefined };
    this.sessions.set(id, entry);
    sandbox.then(
      (s) => {
        entry.tier = s.runner.tier;
        entry.tierNote = s.runner.tierNote;
      },
      () => {
        // A session whose sandbox never started is not kept: the next call tries again.
        if (this.sessions.get(id) === entry) this.sessions.delete(id);
        this.disarm(entry);
      },
    );
    return entry;
  }

  private hasRoom(): boolean {
    return this.sessions.size + this.oneOffs < this.maxSessions;
  }

  /**
   * Ends the least recently used idle session to free a slot. The caller checks for room again
   * afterwards: while the end is awaited, a concurrent caller may have taken the freed slot.
   * @throws SessionError when every sandbox is busy.
   */
  private async evictIdle(): Promise<void> {
    const idle = [...this.sessions.values()].filter((e) => e.pending === 0).sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
    if (!idle) throw new SessionError(`All ${this.maxSessions} sandboxes are busy; wait for a cell to finish or reset a session.`);
    await this.end(idle);
  }

  /** Removes the session at once; its running cell is cancelled, then its sandbox disposed. */
  private end(entry: Entry): Promise<void> {
    this.disarm(entry);
    if (this.sessions.get(entry.id) === entry) this.sessions.delete(entry.id);
    entry.ended.abort();
    const ending = (async () => {
      // The cell the abort interrupts reports "cancelled" before its interpreter is disposed.
      await entry.queue;
      const sandbox = await entry.sandbox.catch(() => undefined);
      if (sandbox) await disposeSandbox(sandbox);
    })();
    this.inFlight.add(ending);
    return ending.finally(() => this.inFlight.delete(ending));
  }

  private arm(entry: Entry): void {
    this.disarm(entry);
    if (entry.pending > 0 || this.disposed) return;
    entry.timer = setTimeout(() => void this.end(entry), this.idleTimeoutMs);
    // An idle session never keeps the process (CLI server, test runner) alive on its own.
    entry.timer.unref();
  }

  private disarm(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
  }
}

/** @throws SessionError with `allowTier`'s message when it refuses the runner's tier. */
function refuseTier(runner: CodeRunner, allowTier: RunOptions['allowTier']): void {
  const refusal = allowTier?.(runner.tier);
  if (refusal !== undefined) throw new SessionError(refusal);
}

async function cellRun(sessionId: string | null, runner: CodeRunner, newSession: boolean, result: ExecResult, withImages: boolean | undefined): Promise<SessionCellRun> {
  const images = withImages ? await readArtifactImages(result.artifacts) : [];
  return { sessionId, tier: runner.tier, tierNote: runner.tierNote, newSession, scratchDir: runner.scratchDir, result, images };
}

/** `promise`, or a rejection with the abort reason as soon as `signal` aborts (what it waits for goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function disposeSandbox(sandbox: SessionSandbox): Promise<void> {
  try {
    await sandbox.runner.dispose();
  } finally {
    await sandbox.release?.().catch(() => undefined);
  }
}
