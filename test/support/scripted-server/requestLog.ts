// The log of every request the server received, for assertions in tests.
import { EventEmitter } from 'node:events';

export type ApiKind = 'ollama' | 'openai' | 'other';

/** One received request and what the server did with it. Fields fill in as the reply proceeds. */
export interface RecordedRequest {
  readonly id: number;
  readonly method: string;
  readonly path: string;
  readonly api: ApiKind;
  /** Epoch milliseconds. */
  readonly receivedAt: number;
  readonly authorization: string | undefined;
  /** The parsed JSON body (undefined for GET or an unparsable body). */
  body: unknown;
  model?: string;
  stream?: boolean;
  messages?: ReadonlyArray<{ readonly role: string; readonly content: string }>;
  /** The first user message, as matched against the scenarios. */
  question?: string;
  /** Matched scenario id, or null when the fallback reply was used. */
  scenarioId?: string | null;
  turnIndex?: number;
  /** How many "Code Execution Results:" the request carried (after the question). */
  resultCount?: number;
  /** The latest execution result the request carried, trimmed. */
  latestResult?: string | null;
  status?: number;
  /** Content chunks actually written to the socket. */
  chunksSent: number;
  /** The reply text actually written, concatenated. */
  textSent: string;
  /** Template failures, expectation failures, unmatched questions: anything a test should see. */
  problems: string[];
  /** True when the client closed the connection before the reply was complete. */
  aborted: boolean;
  abortedAt?: number;
  /** True when the server itself destroyed the socket (the dropAfterChunks fault). */
  dropped: boolean;
  finishedAt?: number;
}

export class RequestLog {
  private readonly entries: RecordedRequest[] = [];
  private readonly events = new EventEmitter().setMaxListeners(0);
  private nextId = 1;

  get all(): readonly RecordedRequest[] {
    return this.entries;
  }

  add(init: Pick<RecordedRequest, 'method' | 'path' | 'api' | 'authorization'>): RecordedRequest {
    const entry: RecordedRequest = {
      ...init,
      id: this.nextId++,
      receivedAt: Date.now(),
      body: undefined,
      chunksSent: 0,
      textSent: '',
      problems: [],
      aborted: false,
      dropped: false,
    };
    this.entries.push(entry);
    this.changed();
    return entry;
  }

  /** Call after mutating an entry so waiters re-check. */
  changed(): void {
    this.events.emit('change');
  }

  clear(): void {
    this.entries.length = 0;
  }

  /**
   * Resolves with the first entry satisfying `predicate`, now or when one does later.
   * Rejects when `signal` aborts (no built-in timeout: a test runner's timeout is the bound).
   */
  waitFor(predicate: (r: RecordedRequest) => boolean, signal?: AbortSignal): Promise<RecordedRequest> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.entries.find(predicate);
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const onAbort = (): void => {
        cleanup();
        reject(new Error('waitFor aborted before a matching request was recorded'));
      };
      const cleanup = (): void => {
        this.events.off('change', check);
        signal?.removeEventListener('abort', onAbort);
      };
      if (check()) return;
      if (signal?.aborted) return onAbort();
      this.events.on('change', check);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
