// The side-bar chat (a webview view in its own activity-bar container): one active conversation
// of ChatConversations (whose session keeps the sandbox across follow-ups), a history of past
// conversations (a quick pick from the view's title bar), and the sandbox tier. The webview may
// be destroyed and re-created (hidden, moved, window reload); it is always rebuilt by replaying
// the active conversation's record, and after a reload the chat reopens the conversation the
// user was in.
import * as vscode from 'vscode';
import { readSettings } from '../shared/settings';
import type { Trajectory } from '../../trajectory/trajectory';
import { truncate, webviewImageSrc, type ConversationView } from '../conversation/conversationSession';
import { handleSharedViewMessage } from '../conversation/transcriptActions';
import { TranscriptHost } from '../conversation/transcriptHost';
import { isShown, toViewEvents } from '../conversation/viewEvents';
import { Disposable } from '../shared/dispose';
import type { Log } from '../shared/log';
import type { SandboxService } from '../shared/sandboxService';
import { privateRoot } from '../shared/scratch';
import { webviewOptions } from '../shared/webviewHtml';
import { CHAT_VIEW_BODY } from './chatPage';
import { ChatConversations, recordOf } from './chatConversations';
import { chatStateFor } from './chatState';
import type { ConversationStore } from './conversationStore';
import { showHistoryPick } from './historyPick';
import { chatCommandSchema, type ChatCommand, type ChatNotification, type ChatState } from './protocol';
import { showInformationMessage } from '../shared/notify';

export class ChatViewProvider extends Disposable implements vscode.WebviewViewProvider {
  static readonly viewId = 'r1ci.chat';
  private view: vscode.WebviewView | undefined;
  private channel: TranscriptHost<ChatCommand, ChatNotification> | undefined;
  private readonly conversations: ChatConversations;
  private busyContext = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly sandbox: SandboxService,
    store: ConversationStore,
  ) {
    super();
    this.conversations = this._register(new ChatConversations(context, log, sandbox, store, () => this.viewAdapter(), ChatViewProvider.viewId));
    this._register(this.conversations.onDidChange((what) => (what === 'switched' ? this.replay() : this.postState())));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('r1ci')) this.postState();
      }),
    );
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.postState()));
  }

  /** Resolves once the stored history was read. */
  get loaded(): Promise<void> {
    return this.conversations.loaded;
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
      for (const c of this.conversations.list()) c.session?.setView(undefined);
    });
    this.conversations.active.session?.setView(this.viewAdapter());
    this.sandbox.prewarm(readSettings(this.log));
  }

  /** The chat's public entry point (r1ci.chat.ask): asks in the active conversation. */
  async ask(question: string, overrides: { model?: string; maxCodeCalls?: number } = {}): Promise<Trajectory> {
    await this.loaded;
    const conversation = this.conversations.active;
    const session = this.conversations.sessionOf(conversation);
    // A question refused because one still runs (asked twice at once) never names the conversation.
    if (recordOf(conversation).events.length === 0 && !session.busy) conversation.title = truncate(question, 60);
    conversation.updatedAt = Date.now();
    const trajectory = await session.ask({ question, ...overrides });
    this.conversations.touched(conversation);
    return trajectory;
  }

  stop(): void {
    this.conversations.active.session?.cancel();
  }

  get busy(): boolean {
    return this.conversations.active.session?.busy ?? false;
  }

  /** Starts a new, empty conversation (the current one stays in the history). */
  newConversation(): boolean {
    if (this.busy) {
      void showInformationMessage('Stop the running answer before starting a new chat.');
      return false;
    }
    this.conversations.activate(this.conversations.create().id);
    return true;
  }

  openConversation(id: string): boolean {
    if (id === this.conversations.active.id) return true;
    if (!this.conversations.has(id)) return false;
    if (this.busy) {
      void showInformationMessage('Stop the running answer before switching conversations.');
      return false;
    }
    this.conversations.activate(id);
    return true;
  }

  /** The title bar's History action: past conversations in a quick pick (open, or delete with the trash button). */
  async showHistory(): Promise<void> {
    await this.loaded;
    const activeId = this.conversations.active.id;
    const rows = (): { id: string; title: string; updatedAt: number; current: boolean }[] =>
      this.conversations
        .list()
        .filter((c) => recordOf(c).events.length > 0)
        .map((c) => ({ id: c.id, title: c.title, updatedAt: c.updatedAt, current: c.id === activeId }));
    return showHistoryPick(
      rows,
      (id) => this.openConversation(id),
      (id) => this.deleteConversation(id),
    );
  }

  async deleteConversation(id: string): Promise<boolean> {
    const conversation = this.conversations.list().find((c) => c.id === id);
    if (!conversation) return false;
    if (conversation.session?.busy) {
      void showInformationMessage('Stop the running answer before deleting its conversation.');
      return false;
    }
    await this.conversations.delete(id);
    return true;
  }

  /** What the history holds (for the r1ci.chat.state command: diagnostics and tests); `events` counts what the transcript shows. */
  describe(): { activeId: string; storageFile: string; busy: boolean; tier: ChatState['tier']; conversations: { id: string; title: string; questions: string[]; events: number }[] } {
    return {
      activeId: this.conversations.active.id,
      storageFile: this.conversations.storageFile,
      busy: this.busy,
      tier: this.state().tier,
      conversations: this.conversations.list().map((c) => {
        const events = recordOf(c).events;
        return { id: c.id, title: c.title, questions: events.flatMap((e) => (e.type === 'question' ? [e.text] : [])), events: events.filter(isShown).length };
      }),
    };
  }

  /** Rebuilds the webview's transcript from the active conversation's record. */
  private replay(): void {
    const channel = this.channel;
    if (!channel) return;
    channel.post({ type: 'reset' });
    const events = toViewEvents(recordOf(this.conversations.active).events, webviewImageSrc(channel.webview));
    if (events.length > 0) channel.post({ type: 'events', events });
    this.postState();
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
      default:
        // A conversation restored from history gets its live session with its first cell action.
        handleSharedViewMessage(message, this.conversations.sessionOf(this.conversations.active));
    }
  }

  private state(): ChatState {
    return chatStateFor(this.conversations.active.session, readSettings(), vscode.workspace.isTrusted);
  }

  private postState(): void {
    // The view title shows Stop or New Chat depending on this context key.
    if (this.busy !== this.busyContext) {
      this.busyContext = this.busy;
      void vscode.commands.executeCommand('setContext', 'r1ci.chat.busy', this.busy);
    }
    this.channel?.post({ type: 'chat-state', state: this.state() });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.channel?.dispose();
  }
}
