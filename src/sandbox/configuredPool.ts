// The sandbox pool of the configuration asked for (interpreter, limits, state, isolation): when
// a setting changes, the next caller gets a pool for the new configuration and the old one ends.
// The old one ends only once nobody waits on it: a conversation that asked a moment before the
// change (its question's settings are read as it starts) still gets its sandbox.
import { SandboxPool, type SandboxPoolOptions } from './pool';
import type { CodeRunner } from './types';

interface Slot {
  readonly key: string;
  readonly pool: SandboxPool;
  /** Acquires of this pool still going. */
  pending: number;
  /** Replaced by another configuration's pool (or this was disposed): ended when `pending` is 0. */
  retired: boolean;
}

export class ConfiguredSandboxPool {
  private current: Slot | undefined;
  private disposed = false;

  /** Starts the spare of the pool for `options` (see SandboxPool.prewarm); nothing once disposed. */
  prewarm(options: SandboxPoolOptions): void {
    if (!this.disposed) this.slotFor(options).pool.prewarm();
  }

  /**
   * A runner of the configuration `options` in `scratchDir`, the caller's to dispose (see
   * SandboxPool.acquire: scratchDir, warm spare, errors). A configuration change while it is being
   * handed out does not fail it. Throws when this was disposed.
   */
  async acquire(options: SandboxPoolOptions, scratchDir: string, signal?: AbortSignal): Promise<CodeRunner> {
    if (this.disposed) throw new Error('The sandbox pool was disposed.');
    const slot = this.slotFor(options);
    slot.pending++;
    try {
      return await slot.pool.acquire(scratchDir, signal);
    } finally {
      slot.pending--;
      if (slot.retired && slot.pending === 0) void endPool(slot.pool);
    }
  }

  /** Ends the current pool (and its spare); acquires still going on it fail. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const slot = this.current;
    this.current = undefined;
    if (!slot) return;
    slot.retired = true;
    await endPool(slot.pool);
  }

  private slotFor(options: SandboxPoolOptions): Slot {
    const key = JSON.stringify(options);
    if (this.current?.key === key) return this.current;
    const old = this.current;
    if (old) {
      old.retired = true;
      if (old.pending === 0) void endPool(old.pool);
    }
    this.current = { key, pool: new SandboxPool(options), pending: 0, retired: false };
    return this.current;
  }
}

function endPool(pool: SandboxPool): Promise<void> {
  return pool.dispose().catch(() => undefined);
}
