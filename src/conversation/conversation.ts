// One conversation with the model, without any front end: the message history carried across
// follow-ups, the sandbox kept per conversation (so later code sees earlier variables), code
// approval, cancelling a question, re-running a cell, and starting over. Front ends (the `r1ci
// chat` terminal, the VS Code chat and solve panel) supply what differs through a small host
// interface, the way Continue's core talks to its IDE, and render the events it emits.
// No `vscode` import: unit-tested with the real sandbox and real HTTP.
import type { AgentEvent } from '../agent/events';
import type { ModelRunSettings } from '../agent/modelRunSettings';
import { runAgent } from '../agent/runAgent';
import { TrajectoryBuilder } from '../agent/trajectory';
import type { CodeRunner, ExecResult } from '../sandbox/types';
import type { ChatMessage } from '../trajectory/chatMessage';
import type { Trajectory } from '../trajectory/trajectory';
import { foldConversation, renumber, type ConversationEvent, type ConversationSandbox } from './events';

/** What a front end supplies to a conversation. Every method may be called again later (a reset, a changed setting). */
export interface ConversationHost {
  /** How the model is asked, read for each question (so a changed setting applies to the next one). Throws to fail the question with its message. */
  modelSettings(signal: AbortSignal): Promise<ModelRunSettings>;
  /**
   * The sandbox for this conversation, or `{ runner: null, note }` when code must not run (the
   * model then answers from text). Called before the first question and again after a reset;
   * the conversation disposes the runner. Throws to fail the question with its message.
   */
  createRunner(signal: AbortSignal): Promise<{ readonly runner: CodeRunner } | { readonly runner: null; readonly note: string }>;
  /** Whether each cell waits for `approve` before it runs on this runner (e.g. the basic tier); absent = never ask. */
  mustApprove?(runner: CodeRunner): boolean;
  /** The record changed (a question or a re-run ended): store it. Errors are the host's to report. */
  persist?(record: ConversationRecord): void;
}

/** What is stored of a conversation and what it is restored from. */
export interface ConversationRecord {
  /** Everything the front end was shown, in order (tokens of one turn merged). */
  readonly events: readonly ConversationEvent[];
  /** The model's side of the conversation, so a follow-up continues it. */
  readonly messages: readonly ChatMessage[];
}

/** Per question: overrides of the host's model settings (tests, the eval runner). */
export interface AskOptions {
  readonly model?: string;
  readonly maxCodeCalls?: number;
}

/** What came of `rerun`. */
export type RerunOutcome = { readonly kind: 'ran'; readonly result: ExecResult } | { readonly kind: 'busy' | 'unknown-cell' | 'code-off' } | { readonly kind: 'failed'; readonly message: string };

/** What a host's createRunner resolves to. */
type MadeRunner = Awaited<ReturnType<ConversationHost['createRunner']>>;

/** A sandbox the host is starting: `made` is the host's answer, `adopted` the runner once the conversation took it. */
interface RunnerCreation {
  readonly made: Promise<MadeRunner>;
  readonly adopted: Promise<CodeRunner | null>;
}

/** Told when asking while a question or re-run is still going. */
export const BUSY_MESSAGE = 'This conversation is still working on the previous question: stop it first.';

export class Conversation {
  private runner: CodeRunner | null | undefined;
  /** The sandbox being started: whoever needs it meanwhile (startSandbox, a question) waits for this one. */
  private creation: RunnerCreation | undefined;
  private sandboxInfo: ConversationSandbox | undefined;
  private messages: ChatMessage[];
  private readonly recorded: ConversationEvent[];
  private readonly runs: Trajectory[] = [];
  private readonly cellCode = new Map<number, string>();
  private readonly approvals = new Map<number, (run: boolean) => void>();
  private readonly listeners = new Set<(event: ConversationEvent) => void>();
  private controller: AbortController | undefined;
  /** Resolves when the running question or re-run has ended (its last event recorded). */
  private finished: Promise<void> = Promise.resolve();
  private nextCell = 0;
  private nextTurn = 0;
  private questions = 0;
  /** A restored conversation whose cells ran in a sandbox that is gone. */
  private restoredWithCells: boolean;
  private disposed = false;

  constructor(
    private readonly host: ConversationHost,
    restored?: ConversationRecord,
  ) {
    this.recorded = [...(restored?.events ?? [])];
    this.messages = [...(restored?.messages ?? [])];
    for (const e of this.recorded) this.track(e);
    this.runs.push(...foldConversation(this.recorded));
    this.restoredWithCells = this.nextCell > 0;
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe function. */
  onEvent(listener: (event: ConversationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A question or a re-run is going. */
  get busy(): boolean {
    return this.controller !== undefined;
  }

  /** The sandbox once it exists (or code was ruled out); undefined before the first question and after a reset. */
  get sandbox(): ConversationSandbox | undefined {
    return this.sandboxInfo;
  }

  /** The record so far (what a front end replays and stores). */
  get record(): ConversationRecord {
    return { events: this.recorded, messages: this.messages };
  }

  /** The trajectory of the run-th question (live while it runs; a restored one folded from the record). */
  trajectory(run: number): Trajectory | undefined {
    return this.runs[run];
  }

  /** Stops the running question or re-run (model request and code alike). */
  cancel(): void {
    this.controller?.abort();
  }

  /** Answers the approval request of cell `index`: `run` false declines it (the model is told). */
  approve(index: number, run: boolean): void {
    this.approvals.get(index)?.(run);
    this.approvals.delete(index);
  }

  /** Starts the sandbox ahead of the first question (a front end that shows the tier at once). */
  async startSandbox(signal?: AbortSignal): Promise<ConversationSandbox> {
    await this.ensureRunner(signal ?? new AbortController().signal);
    return this.sandboxInfo ?? { tier: 'off', note: '' };
  }

  /**
   * Asks a question: the first one starts the sandbox, follow-ups reuse it and extend the model's
   * message history. Resolves with the question's trajectory; never rejects (a failure is the
   * trajectory's `error`, with an `error` and a `done` event).
   */
  async ask(question: string, options: AskOptions = {}): Promise<Trajectory> {
    const builder = new TrajectoryBuilder();
    if (this.busy || this.disposed) {
      builder.add({ type: 'error', kind: 'internal', message: this.disposed ? 'The conversation was closed.' : BUSY_MESSAGE });
      builder.add({ type: 'done', reason: 'error', answer: null, codeCalls: 0, turns: 0 });
      return builder.trajectory;
    }
    const { controller, end } = this.begin();
    this.runs.push(builder.trajectory);
    const turnOffset = this.nextTurn;
    const cellOffset = this.nextCell;
    let model = options.model ?? '';
    /** What failed when something throws before the agent runs: the host's settings, or the sandbox. */
    let phase: 'internal' | 'sandbox' = 'internal';
    let questionShown = false;
    const showQuestion = (): void => {
      if (questionShown) return;
      questionShown = true;
      this.emit({ type: 'question', run: this.questions++, text: question, model });
    };
    try {
      const settings = await this.host.modelSettings(controller.signal);
      model = options.model ?? settings.model;
      showQuestion();
      phase = 'sandbox';
      const runner = await this.ensureRunner(controller.signal);
      phase = 'internal';
      const ask = runner !== null && this.host.mustApprove?.(runner) === true;
      const events = runAgent(question, {
        ...settings,
        model,
        maxCodeCalls: options.maxCodeCalls ?? settings.maxCodeCalls,
        runner,
        signal: controller.signal,
        history: this.messages,
        onMessages: (messages) => {
          this.messages = [...messages];
        },
        approveCode: ask ? (code, index, signal) => this.waitForApproval(cellOffset + index, code, signal) : undefined,
      });
      for await (const event of events) {
        builder.add(event);
        this.emit(renumber(event, turnOffset, cellOffset));
      }
    } catch (error) {
      // Settings or the sandbox failed before the agent ran (the agent itself reports in events).
      const message = error instanceof Error ? error.message : String(error);
      showQuestion();
      const failure: AgentEvent[] = [
        { type: 'error', kind: phase, message },
        { type: 'done', reason: controller.signal.aborted ? 'cancelled' : 'error', answer: null, codeCalls: 0, turns: 0, message },
      ];
      for (const e of failure) {
        builder.add(e);
        this.emit(e);
      }
    } finally {
      this.approvals.clear();
      end();
      this.host.persist?.(this.record);
    }
    return builder.trajectory;
  }

  /** Runs cell `index` (the conversation's numbering) again in this conversation's sandbox; the cell gets the new result. */
  async rerun(index: number): Promise<RerunOutcome> {
    const code = this.cellCode.get(index);
    if (code === undefined) return { kind: 'unknown-cell' };
    if (this.busy || this.disposed) return { kind: 'busy' };
    const { controller, end } = this.begin();
    try {
      const runner = await this.ensureRunner(controller.signal);
      if (!runner) return { kind: 'code-off' };
      this.emit({ type: 'exec-start', index });
      const result = await runner.runCell(code, { signal: controller.signal });
      this.emit({ type: 'exec-result', index, result });
      return { kind: 'ran', result };
    } catch (error) {
      const message = `The sandbox failed to run the code: ${error instanceof Error ? error.message : String(error)}`;
      this.emit({ type: 'error', kind: 'sandbox', message });
      return { kind: 'failed', message };
    } finally {
      end();
      this.host.persist?.(this.record);
    }
  }

  /**
   * Starts over: stops what runs, ends the sandbox (the next question gets a fresh one, with no
   * variables) and forgets the history and the record.
   */
  async reset(): Promise<void> {
    this.cancel();
    // What the stopped question still emits must not land in the record (or history) started over.
    await this.finished;
    await this.disposeRunner();
    this.messages = [];
    this.recorded.length = 0;
    this.runs.length = 0;
    this.cellCode.clear();
    this.nextCell = this.nextTurn = this.questions = 0;
    this.restoredWithCells = false;
    this.host.persist?.(this.record);
  }

  /** Stops what runs and ends the sandbox; no process is left behind. The conversation takes no further questions. */
  async dispose(): Promise<CodeRunner | null> {
    this.disposed = true;
    this.cancel();
    return this.disposeRunner();
  }

  /** Marks a question or re-run as going (`busy`); `end` marks its end. */
  private begin(): { controller: AbortController; end: () => void } {
    const controller = new AbortController();
    this.controller = controller;
    let resolve!: () => void;
    this.finished = new Promise((r) => (resolve = r));
    return {
      controller,
      end: () => {
        if (this.controller === controller) this.controller = undefined;
        resolve();
      },
    };
  }

  /**
   * Ends the runner (returned, already disposed, so a host can remove its scratch folder); one
   * still starting is waited for and ended too (it is never adopted).
   */
  private async disposeRunner(): Promise<CodeRunner | null> {
    const creation = this.creation;
    this.creation = undefined;
    let runner = this.runner ?? null;
    this.runner = undefined;
    this.sandboxInfo = undefined;
    if (!runner && creation) runner = (await creation.made.catch(() => undefined))?.runner ?? null;
    await runner?.dispose();
    return runner;
  }

  private waitForApproval(index: number, code: string, signal: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      this.approvals.set(index, resolve);
      signal.addEventListener('abort', () => resolve(false), { once: true });
      this.emit({ type: 'approval-request', index, code });
    });
  }

  /**
   * The conversation's runner, started on first need. Callers at once share one start (two would
   * make two sandboxes, one never ended); a start that a close or a reset overtook is not adopted
   * (disposeRunner ends it) and rejects.
   */
  private ensureRunner(signal: AbortSignal): Promise<CodeRunner | null> {
    if (this.runner !== undefined) return Promise.resolve(this.runner);
    if (!this.creation) {
      const made = this.host.createRunner(signal);
      const creation: RunnerCreation = {
        made,
        adopted: made.then(
          (m) => {
            if (this.creation !== creation) throw new Error(this.disposed ? 'The conversation was closed.' : 'The conversation was started over while its sandbox started.');
            this.creation = undefined;
            return this.adopt(m);
          },
          (error: unknown) => {
            if (this.creation === creation) this.creation = undefined;
            throw error;
          },
        ),
      };
      this.creation = creation;
    }
    return this.creation.adopted;
  }

  private adopt(made: MadeRunner): CodeRunner | null {
    this.runner = made.runner;
    this.sandboxInfo = made.runner ? { tier: made.runner.tier, note: made.runner.tierNote } : { tier: 'off', note: made.note };
    this.emit({ type: 'sandbox', sandbox: this.sandboxInfo });
    if (made.runner && this.restoredWithCells) {
      this.restoredWithCells = false;
      this.emit({ type: 'notice', message: 'A fresh sandbox was started for this restored conversation: variables from the cells above are gone.' });
    }
    return made.runner;
  }

  private track(event: ConversationEvent): void {
    if (event.type === 'turn-start') this.nextTurn = Math.max(this.nextTurn, event.turn + 1);
    if (event.type === 'question') this.questions = Math.max(this.questions, event.run + 1);
    if (event.type === 'code') {
      this.nextCell = Math.max(this.nextCell, event.index + 1);
      this.cellCode.set(event.index, event.code);
    }
  }

  private emit(event: ConversationEvent): void {
    // Tokens (and reasoning) of one turn are merged in the record so it stays as small as the text itself.
    const last = this.recorded[this.recorded.length - 1];
    if ((event.type === 'token' || event.type === 'reasoning') && last?.type === event.type && last.turn === event.turn) {
      this.recorded[this.recorded.length - 1] = { ...last, text: last.text + event.text };
    } else this.recorded.push(event);
    this.track(event);
    for (const listener of this.listeners) listener(event);
  }
}
