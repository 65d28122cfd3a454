// The side-bar chat's conversations: which one is active, the live sessions (a few recently used
// ones keep their sandbox), and the history persisted per workspace. Each conversation's record
// is held once: by its session's core Conversation while it has one, else as it was stored (or
// as the retired session left it). Saving reads the records then; nothing is copied per event.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { ConversationRecord } from '../../conversation/conversation';
import { ConversationSession, type ConversationView } from '../conversation/conversationSession';
import { Disposable, disposeAll } from '../shared/dispose';
import type { Log } from '../shared/log';
import type { SandboxService } from '../shared/sandboxService';
import type { ConversationStore, StoredConversation } from './conversationStore';
import { showWarningMessage } from '../shared/notify';

/** Conversations whose sandbox stays alive after the user switched away (least recently used go first). */
const LIVE_SANDBOXES = 3;
const SAVE_DELAY_MS = 400;
/** workspaceState key: the id of the conversation the chat showed last (reopened after a reload). */
const ACTIVE_KEY = 'r1ci.chat.activeConversation';
const INTERRUPTED = 'Interrupted: the window closed while answering.';

/** One conversation of the chat. */
export interface ChatConversation {
  readonly id: string;
  title: string;
  readonly createdAt: number;
  updatedAt: number;
  /** The record while there is no session (restored from history, or its session was retired). */
  stored: ConversationRecord;
  session: ConversationSession | undefined;
  lastUsed: number;
}

/** The record of `c`, wherever it is held now. */
export function recordOf(c: ChatConversation): ConversationRecord {
  return c.session?.record ?? c.stored;
}

/** What changed: 'switched' (another conversation is active: replay it) or 'state' (busy, tier, the list). */
export type ChatChange = 'switched' | 'state';

export class ChatConversations extends Disposable {
  private readonly all = new Map<string, ChatConversation>();
  private activeId: string;
  private saveTimer: NodeJS.Timeout | undefined;
  /** Callers of saveSoon waiting for the save the timer will make. */
  private saveWaiters: (() => void)[] = [];
  private readonly changeEmitter = this._register(new vscode.EventEmitter<ChatChange>());
  readonly onDidChange = this.changeEmitter.event;
  /** Resolves once the stored history was read. */
  readonly loaded: Promise<void>;

  /** `viewFor` gives the view the active conversation renders into (none while the chat is not shown). */
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly sandbox: SandboxService,
    private readonly store: ConversationStore,
    private readonly viewFor: () => ConversationView | undefined,
    private readonly progressViewId: string,
  ) {
    super();
    this.activeId = this.create().id;
    this.loaded = this.load();
  }

  get active(): ChatConversation {
    const conversation = this.all.get(this.activeId);
    if (!conversation) throw new Error('no active conversation');
    return conversation;
  }

  get storageFile(): string {
    return this.store.file;
  }

  list(): ChatConversation[] {
    return [...this.all.values()];
  }

  has(id: string): boolean {
    return this.all.has(id);
  }

  /** A new, empty conversation (not yet active). */
  create(): ChatConversation {
    const now = Date.now();
    const conversation: ChatConversation = { id: randomUUID(), title: 'New chat', createdAt: now, updatedAt: now, stored: { events: [], messages: [] }, session: undefined, lastUsed: now };
    this.all.set(conversation.id, conversation);
    return conversation;
  }

  /** Makes `id` the active conversation: the view switches to it (and is replayed). */
  activate(id: string): void {
    this.active.session?.setView(undefined);
    this.activeId = id;
    void this.context.workspaceState.update(ACTIVE_KEY, id);
    const conversation = this.active;
    conversation.lastUsed = Date.now();
    conversation.session?.setView(this.viewFor());
    this.changeEmitter.fire('switched');
    this.retireIdleSandboxes();
  }

  /** The live session of `conversation`, created (from its record) on first use. */
  sessionOf(conversation: ChatConversation): ConversationSession {
    if (conversation.session) return conversation.session;
    const session = new ConversationSession(this.log, this.sandbox, conversation.id === this.activeId ? this.viewFor() : undefined, { kind: 'view', viewId: this.progressViewId }, conversation.stored);
    session.onDidChange((what) => {
      if (what === 'events') void this.saveSoon(SAVE_DELAY_MS);
      this.changeEmitter.fire('state');
    });
    conversation.session = session;
    return session;
  }

  /** Removes `id` from the history and from disk, ending its sandbox (and its scratch folder). */
  async delete(id: string): Promise<void> {
    const conversation = this.all.get(id);
    if (!conversation) return;
    // Taken out of the history first, so nothing (retiring idle sandboxes) closes it another way
    // meanwhile, and a new conversation is active before the sandbox is awaited: while it ends and
    // its scratch folder goes, the view (a question sent, a replay) must not reach a removed one.
    const session = conversation.session;
    conversation.session = undefined;
    session?.setView(undefined);
    if (id === this.activeId) this.activate(this.create().id);
    this.all.delete(id);
    this.changeEmitter.fire('state');
    await session?.close({ removeScratch: true });
    session?.dispose();
    await this.saveSoon(0);
  }

  /** The conversation changed outside its session's events (its title, an ended question): save it. */
  touched(conversation: ChatConversation): void {
    conversation.updatedAt = Date.now();
    this.changeEmitter.fire('state');
    void this.saveSoon(SAVE_DELAY_MS);
  }

  /** Keeps a few sandboxes of recently used conversations; older idle ones are ended (their record stays). */
  private retireIdleSandboxes(): void {
    const live = this.list()
      .filter((c) => c.session && c.id !== this.activeId && !c.session.busy)
      .sort((a, b) => b.lastUsed - a.lastUsed);
    for (const c of live.slice(LIVE_SANDBOXES - 1)) {
      const session = c.session;
      if (!session) continue;
      c.stored = session.record;
      c.session = undefined;
      session.dispose();
    }
  }

  private async load(): Promise<void> {
    const { conversations, problems } = await this.store.load();
    for (const stored of conversations) {
      if (this.all.has(stored.id)) continue;
      const events = [...stored.events];
      // A question without its "done" was interrupted (the window closed while answering).
      const lastQuestion = events.map((e) => e.type).lastIndexOf('question');
      if (lastQuestion >= 0 && !events.slice(lastQuestion).some((e) => e.type === 'done')) {
        events.push({ type: 'done', reason: 'cancelled', answer: null, codeCalls: 0, turns: 0, message: INTERRUPTED });
      }
      const { id, title, createdAt, updatedAt, messages } = stored;
      this.all.set(id, { id, title, createdAt, updatedAt, stored: { events, messages }, session: undefined, lastUsed: 0 });
    }
    for (const p of problems) {
      this.log(`Chat history: ${p}`);
      void showWarningMessage(p);
    }
    // After a reload, reopen the conversation the user was in (unless they already started another).
    const last = this.context.workspaceState.get<string>(ACTIVE_KEY);
    const current = this.all.get(this.activeId);
    if (last && last !== this.activeId && this.all.has(last) && current && recordOf(current).events.length === 0 && !current.session) {
      const empty = this.activeId;
      this.activate(last);
      this.all.delete(empty);
    }
    this.changeEmitter.fire('state');
  }

  /**
   * Saves the history after `delayMs` (debounced: a later call moves the save). Resolves once a
   * save made after this call is written, also when a later call moved it (a delete awaits this
   * while the running answer's events keep asking for saves).
   */
  private saveSoon(delayMs: number): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    return new Promise((resolve) => {
      this.saveWaiters.push(resolve);
      this.saveTimer = setTimeout(() => {
        this.saveTimer = undefined;
        const waiters = this.saveWaiters.splice(0);
        const done = (): void => waiters.forEach((waiter) => waiter());
        this.store.save(this.records()).then(done, (error: unknown) => {
          this.log(`Chat history could not be saved to ${this.store.file}: ${error instanceof Error ? error.message : String(error)}`);
          done();
        });
      }, delayMs);
    });
  }

  /** Conversations worth keeping: the ones with at least one question. */
  private records(): StoredConversation[] {
    return this.list().flatMap((c) => {
      const { events, messages } = recordOf(c);
      return events.length > 0 ? [{ id: c.id, title: c.title, createdAt: c.createdAt, updatedAt: c.updatedAt, events: [...events], messages: [...messages] }] : [];
    });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      try {
        this.store.saveNow(this.records());
      } catch (error) {
        this.log(`Chat history could not be saved: ${error instanceof Error ? error.message : String(error)}`);
      }
      for (const waiter of this.saveWaiters.splice(0)) waiter();
    }
    disposeAll(this.list().flatMap((c) => (c.session ? [c.session] : [])));
    super.dispose();
  }
}
