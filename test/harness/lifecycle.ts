// Every runner holds resources that must not outlive it: a code-server process group, a
// browser, a model server. `runMain` releases them in reverse order whether the run passes,
// throws, hits its hard timeout or gets SIGINT/SIGTERM, and turns the outcome into the exit code.
import { step } from './timing';

export interface Resource {
  label: string;
  /** Orderly release; bounded by CLEANUP_TIMEOUT_MS. */
  dispose(): Promise<void> | void;
  /** Last resort from the synchronous 'exit' handler (e.g. SIGKILL a process group). */
  killSync?(): void;
}

export interface Resources {
  add<T extends Resource>(resource: T): T;
}

const CLEANUP_TIMEOUT_MS = 10_000;
export const EXIT_HARD_TIMEOUT = 124;

class ResourceStack implements Resources {
  private readonly stack: Resource[] = [];
  private releasing: Promise<void> | undefined;

  add<T extends Resource>(resource: T): T {
    this.stack.push(resource);
    return resource;
  }

  /** Releases everything once, newest first; a failing or hanging release does not stop the rest. */
  release(): Promise<void> {
    this.releasing ??= (async () => {
      for (let r = this.stack.pop(); r; r = this.stack.pop()) {
        const resource = r;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), CLEANUP_TIMEOUT_MS);
        });
        try {
          const outcome = await Promise.race([Promise.resolve(resource.dispose()).then(() => 'ok' as const), timeout]);
          if (outcome === 'timeout') {
            console.error(`cleanup of ${resource.label} timed out; killing it`);
            resource.killSync?.();
          }
        } catch (error) {
          console.error(`cleanup of ${resource.label} failed: ${describeError(error)}`);
          resource.killSync?.();
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    return this.releasing;
  }

  killAllSync(): void {
    for (const resource of this.stack) {
      try {
        resource.killSync?.();
      } catch {
        // Exiting anyway; nothing better to do.
      }
    }
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}

/**
 * Runs `main` and exits the process with its result. `main` returns the exit code (0 = all passed).
 * Never returns: the process exits once resources are released.
 */
export function runMain(name: string, hardTimeoutMs: number, main: (resources: Resources) => Promise<number>): void {
  const resources = new ResourceStack();
  let exiting = false;

  const finish = async (code: number): Promise<void> => {
    if (exiting) return;
    exiting = true;
    await resources.release();
    step(`${name} finished with exit code ${code}`);
    process.exit(code);
  };

  // Backstop: whatever happens, the process groups we spawned die with us.
  process.on('exit', () => resources.killAllSync());

  const hardTimeout = setTimeout(() => {
    console.error(`\n${name}: HARD TIMEOUT after ${hardTimeoutMs / 1000} s; stopping everything`);
    void finish(EXIT_HARD_TIMEOUT);
  }, hardTimeoutMs);

  const onSignal = (signal: NodeJS.Signals, code: number): void => {
    if (exiting) {
      // A second Ctrl-C: do not wait for orderly cleanup any more.
      resources.killAllSync();
      process.exit(code);
    }
    console.error(`\n${name}: got ${signal}; cleaning up`);
    void finish(code);
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  process.on('SIGHUP', () => onSignal('SIGHUP', 129));

  main(resources)
    .then((code) => finish(code))
    .catch(async (error: unknown) => {
      // After a signal or the hard timeout, errors from resources torn down under main are expected.
      if (!exiting) console.error(`${name} failed: ${describeError(error)}`);
      await finish(1);
    })
    .finally(() => clearTimeout(hardTimeout));
}
