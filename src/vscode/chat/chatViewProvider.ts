// The side-bar chat (a webview view in its own activity-bar container): one active
// conversation whose ConversationSession keeps the sandbox across follow-ups, a history of
// past conversations persisted per workspace (a quick pick from the view's title bar), and the
// sandbox tier. The webview may be destroyed and re-created (hidden, moved, window reload); it is
// always rebuilt by replaying the conversation's recorded events, and after a reload the chat
// reopens the conversation the user was in.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { Trajectory } from '../../agent/trajectory';
import { readSettings } from '../../config/vscodeSettings';
import { ConversationSession, truncate, type ConversationView } from '../conversation/conversationSession';
import type { Log } from '../shared/log';
import type { SandboxService } from '../shared/sandboxService';
import { privateRoot } from '../shared/scratch';
import { handleSharedViewMessage } from '../conversation/transcriptActions';
import { TranscriptHost } from '../conversation/transcriptHost';
import { Disposable, disposeAll } from '../shared/dispose';
import { webviewOptions } from '../shared/webviewHtml';
import { CHAT_VIEW_BODY } from './chatPage';
import { ConversationStore, summaryOf, type StoredConversation } from './conversationStore';
import { chatCommandSchema, type ChatCommand, type ChatNotification, type ChatState } from './protocol';

/** Conversations whose sandbox stays alive after the user switched away (least recently used go first). */
const LIVE_SANDBOXES = 3;
const SAVE_DELAY_MS = 400;
/** workspaceState key: the id of the conversation the chat showed last (reopened after a reload). */
const ACTIVE_KEY = 'r1ci.chat.activeConversation';

interface Conversation {
  record: StoredConversation;
  session: ConversationSession | undefined;
  lastUsed: number;
}

export class ChatViewProvider extends Disposable implements vscode.WebviewViewProvider {
  static readonly viewId = 'r1ci.chat';
  private view: vscode.WebviewView | undefined;
  private channel: TranscriptHost<ChatCommand, ChatNotification> | undefined;
  private readonly conversations = new Map<string, Conversation>();
  private activeId: string;
  private saveTimer: NodeJS.Timeout | undefined;
  private busyContext = false;
  readonly loaded: Promise<void>;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly sandbox: SandboxService,
    private readonly store: ConversationStore,
  ) {
    super();
    this.activeId = this.createConversation().record.id;
    this.loaded = this.loadHistory();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('r1ci')) this.postState();
      }),
    );
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.postState()));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.channel?.dispose();
    view.webview.options = webviewOptions(this.context.extensionUri, [privateRoot(this.context)]);
    const channel = new TranscriptHost<ChatCommand, ChatNotification>(view.webview, {
      extensionUri: this.context.extensionUri,
      page: { title: 'R1 Code Interpreter chat', body: CHAT_VIEW_BODY, view: 'chat' },
      commands: chatCommandSchema,
      log: this.log,
    });
    this.channel = channel;
    channel.onMessage((m) => this.onMessage(m));
    view.onDidDispose(() => {
      if (this.view !== view) return;
      this.view = undefined;
      this.channel = undefined;
      channel.dispose();
      for (const c of this.conversations.values()) c.session?.setView(undefined);
    });
    this.active.session?.setView(this.viewAdapter());
    this.sandbox.prewarm(readSettings(this.log));
  }

  /** The chat's public entry point (r1ci.chat.ask): asks in the active conversation. */
  async ask(question: string, overrides: { model?: string; maxCodeCalls?: number } = {}): Promise<Trajectory> {
    await this.loaded;
    const conversation = this.active;
    const session = this.sessionOf(conversation);
    if (conversation.record.events.length === 0) conversation.record.title = truncate(question, 60);
    conversation.record.updatedAt = Date.now();
    const trajectory = await session.ask({ question, ...overrides });
    conversation.record.updatedAt = Date.now();
    this.persist(conversation);
    return trajectory;
  }

  stop(): void {
    this.active.session?.cancel();
  }

  get busy(): boolean {
    return this.active.session?.busy ?? false;
  }

  /** Starts a new, empty conversation (the current one stays in the history). */
  newConversation(): boolean {
    if (this.busy) {
      void vscode.window.showInformationMessage('Stop the running answer before starting a new chat.');
      return false;
    }
    const conversation = this.createConversation();
    this.activate(conversation.record.id);
    return true;
  }

  openConversation(id: string): boolean {
    if (id === this.activeId) return true;
    if (!this.conversations.has(id)) return false;
    if (this.busy) {
      void vscode.window.showInformationMessage('Stop the running answer before switching conversations.');
      return false;
    }
    this.activate(id);
    return true;
  }

  /**
   * The title bar's History action: past conversations, newest first, in a quick pick; Enter
   * opens one, the row's trash button deletes it (the list stays open).
   */
  async showHistory(): Promise<void> {
    await this.loaded;
    type Item = vscode.QuickPickItem & { readonly id: string };
    const remove: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete this conversation' };
    const pick = vscode.window.createQuickPick<Item>();
    pick.title = 'Chat history';
    pick.placeholder = 'Open a past conversation (type to filter)';
    pick.matchOnDescription = true;
    const fill = (): void => {
      const items = [...this.conversations.values()]
        .filter((c) => c.record.events.length > 0)
        .map((c) => summaryOf(c.record))
        .sort((a, b) => b.updatedAt - a.updatedAt)
        .map((c): Item => ({ id: c.id, label: c.title, description: `${c.id === this.activeId ? 'current · ' : ''}${new Date(c.updatedAt).toLocaleString()}`, buttons: [remove] }));
      pick.items = items;
      pick.placeholder = items.length > 0 ? 'Open a past conversation (type to filter)' : 'No past conversations yet';
    };
    fill();
    const done = new Promise<void>((resolve) => {
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0];
        pick.hide();
        if (chosen) this.openConversation(chosen.id);
      });
      pick.onDidTriggerItemButton(async (e) => {
        await this.deleteConversation(e.item.id);
        fill();
      });
      pick.onDidHide(() => {
        pick.dispose();
        resolve();
      });
    });
    pick.show();
    return done;
  }

  async deleteConversation(id: string): Promise<boolean> {
    const conversation = this.conversations.get(id);
    if (!conversation) return false;
    if (conversation.session?.busy) {
      void vscode.window.showInformationMessage('Stop the running answer before deleting its conversation.');
      return false;
    }
    this.conversations.delete(id);
    await conversation.session?.close({ removeScratch: true });
    conversation.session?.dispose();
    if (id === this.activeId) this.activate(this.createConversation().record.id);
    else this.postState();
    await this.saveSoon(0);
    return true;
  }

  /** What the history holds (for the r1ci.chat.state command: diagnostics and tests). */
  describe(): { activeId: string; storageFile: string; busy: boolean; tier: ChatState['tier']; conversations: { id: string; title: string; questions: string[]; events: number }[] } {
    return {
      activeId: this.activeId,
      storageFile: this.store.file,
      busy: this.busy,
      tier: this.state().tier,
      conversations: [...this.conversations.values()].map((c) => {
        const events = c.session?.events ?? c.record.events;
        return { id: c.record.id, title: c.record.title, questions: events.flatMap((e) => (e.type === 'question' ? [e.text] : [])), events: events.length };
      }),
    };
  }

  private get active(): Conversation {
    const conversation = this.conversations.get(this.activeId);
    if (!conversation) throw new Error('no active conversation');
    return conversation;
  }

  private createConversation(): Conversation {
    const now = Date.now();
    const conversation: Conversation = { record: { id: randomUUID(), title: 'New chat', createdAt: now, updatedAt: now, events: [], messages: [] }, session: undefined, lastUsed: now };
    this.conversations.set(conversation.record.id, conversation);
    return conversation;
  }

  private activate(id: string): void {
    this.active.session?.setView(undefined);
    this.activeId = id;
    void this.context.workspaceState.update(ACTIVE_KEY, id);
    const conversation = this.active;
    conversation.lastUsed = Date.now();
    conversation.session?.setView(this.viewAdapter());
    this.replay();
    this.retireIdleSandboxes();
  }

  /** Rebuilds the webview's transcript from the active conversation's record. */
  private replay(): void {
    const channel = this.channel;
    if (!channel) return;
    channel.post({ type: 'reset' });
    const events = this.active.session?.events ?? this.active.record.events;
    if (events.length > 0) channel.post({ type: 'events', events: [...events] });
    this.postState();
  }

  private sessionOf(conversation: Conversation): ConversationSession {
    if (conversation.session) return conversation.session;
    const session = new ConversationSession(this.log, this.sandbox, conversation.record.id === this.activeId ? this.viewAdapter() : undefined, { kind: 'view', viewId: ChatViewProvider.viewId }, {
      events: conversation.record.events,
      messages: conversation.record.messages,
    });
    session.onDidChange((what) => {
      conversation.record.events = [...session.events];
      conversation.record.messages = [...session.history];
      if (what === 'events') this.persist(conversation);
      else this.postState();
    });
    conversation.session = session;
    return session;
  }

  /** Keeps a few sandboxes of recently used conversations; older idle ones are ended. */
  private retireIdleSandboxes(): void {
    const live = [...this.conversations.values()].filter((c) => c.session && c.record.id !== this.activeId && !c.session.busy).sort((a, b) => b.lastUsed - a.lastUsed);
    for (const c of live.slice(LIVE_SANDBOXES - 1)) {
      const session = c.session;
      c.session = undefined;
      session?.dispose();
    }
  }

  private viewAdapter(): ConversationView | undefined {
    const channel = this.channel;
    const view = this.view;
    if (!channel || !view) return undefined;
    return {
      push: (e) => channel.push(e),
      flush: () => channel.flush(),
      webview: channel.webview,
      get visible() {
        return view.visible;
      },
      showProblemActions: (actions) => channel.post({ type: 'problem-actions', actions: [...actions] }),
    };
  }

  private onMessage(message: ChatCommand): void {
    switch (message.type) {
      case 'ready':
        this.replay();
        break;
      case 'ask':
        void this.ask(message.question);
        break;
      default: {
        // A conversation restored from history gets its live session with its first cell action.
        const active = this.active;
        handleSharedViewMessage(message, active.session ?? this.sessionOf(active));
      }
    }
  }

  private state(): ChatState {
    const settings = readSettings();
    const session = this.active.session;
    const known = session?.tier;
    let tier: ChatState['tier'] = known?.tier ?? 'not-started';
    let tierNote = known?.note ?? 'The sandbox starts with the first question; follow-up questions share it.';
    if (!known && !vscode.workspace.isTrusted) {
      tier = 'off';
      tierNote = 'Restricted Mode: code is not executed in an untrusted workspace.';
    } else if (!known && settings['sandbox.approval'] === 'never') {
      tier = 'off';
      tierNote = 'Code execution is turned off ("r1ci.sandbox.approval": "never").';
    }
    return {
      busy: session?.busy ?? false,
      model: settings.model,
      tier,
      tierNote,
    };
  }

  private postState(): void {
    // The view title shows Stop or New Chat depending on this context key.
    if (this.busy !== this.busyContext) {
      this.busyContext = this.busy;
      void vscode.commands.executeCommand('setContext', 'r1ci.chat.busy', this.busy);
    }
    this.channel?.post({ type: 'chat-state', state: this.state() });
  }

  private async loadHistory(): Promise<void> {
    const { conversations, problems } = await this.store.load();
    for (const record of conversations) {
      if (this.conversations.has(record.id)) continue;
      // A question without its "done" was interrupted (the window closed while answering).
      let lastQuestion = -1;
      record.events.forEach((e, i) => {
        if (e.type === 'question') lastQuestion = i;
      });
      if (lastQuestion >= 0 && !record.events.slice(lastQuestion).some((e) => e.type === 'done')) {
        record.events.push({ type: 'done', reason: 'cancelled', answer: null, codeCalls: 0, turns: 0, message: 'Interrupted: the window closed while answering.' });
      }
      this.conversations.set(record.id, { record, session: undefined, lastUsed: 0 });
    }
    for (const p of problems) {
      this.log(`Chat history: ${p}`);
      void vscode.window.showWarningMessage(p);
    }
    // After a reload, reopen the conversation the user was in (unless they already started another).
    const last = this.context.workspaceState.get<string>(ACTIVE_KEY);
    const current = this.conversations.get(this.activeId);
    if (last && last !== this.activeId && this.conversations.has(last) && current && current.record.events.length === 0 && !current.session) {
      const empty = this.activeId;
      this.activate(last);
      this.conversations.delete(empty);
    }
    this.postState();
  }

  private persist(conversation: Conversation): void {
    conversation.record.events = [...(conversation.session?.events ?? conversation.record.events)];
    conversation.record.messages = [...(conversation.session?.history ?? conversation.record.messages)];
    this.postState();
    void this.saveSoon(SAVE_DELAY_MS);
  }

  private saveSoon(delayMs: number): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    return new Promise((resolve) => {
      this.saveTimer = setTimeout(() => {
        this.saveTimer = undefined;
        this.store.save(this.records()).then(resolve, (error: unknown) => {
          this.log(`Chat history could not be saved to ${this.store.file}: ${error instanceof Error ? error.message : String(error)}`);
          resolve();
        });
      }, delayMs);
    });
  }

  /** Conversations worth keeping: the ones with at least one question. */
  private records(): StoredConversation[] {
    return [...this.conversations.values()].map((c) => c.record).filter((r) => r.events.length > 0);
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
    }
    disposeAll([...this.conversations.values()].flatMap((c) => (c.session ? [c.session] : [])));
    this.channel?.dispose();
    super.dispose();
  }
}
