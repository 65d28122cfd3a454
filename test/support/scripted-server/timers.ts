// Abortable waits that keep count of their own pending timers, so a test can prove that an
// aborted or closed server leaves none behind.

export class TimerRegistry {
  private pending = 0;

  /** Timers currently scheduled by this server. */
  get active(): number {
    return this.pending;
  }

  /** Resolves `true` after `ms`, or `false` as soon as `signal` aborts (the timer is cleared). */
  sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        this.pending--;
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        this.pending--;
        resolve(true);
      }, ms);
      this.pending++;
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Waits, without any timer, until `signal` aborts: a stream that hangs until the client gives up. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
