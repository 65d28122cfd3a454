// The side-bar chat: its webview view provider and its commands (the view's title-bar actions,
// and r1ci.chat.ask / r1ci.chat.state for tests and other extensions).
import * as vscode from 'vscode';
import { z } from 'zod';
import type { Trajectory } from '../../trajectory/trajectory';
import type { Command, CommandManager } from '../shared/commandManager';
import type { Log } from '../shared/log';
import type { SandboxService } from '../shared/sandboxService';
import { ChatViewProvider } from './chatViewProvider';
import { ConversationStore } from './conversationStore';

const askArgsSchema = z.object({ question: z.string().min(1), model: z.string().optional(), maxCodeCalls: z.number().int().min(0).optional() });

const revealChat = (): Thenable<unknown> => vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`);

/** Asks in the side-bar chat's current conversation; returns the run's trajectory. */
export class AskCommand implements Command {
  readonly id = 'r1ci.chat.ask';
  constructor(private readonly chat: ChatViewProvider) {}

  async execute(raw?: unknown): Promise<Trajectory | undefined> {
    const args = askArgsSchema.safeParse(raw);
    await revealChat();
    if (!args.success) return undefined;
    const { question, ...overrides } = args.data;
    return this.chat.ask(question, overrides);
  }
}

export class NewConversationCommand implements Command {
  readonly id = 'r1ci.chat.newConversation';
  constructor(private readonly chat: ChatViewProvider) {}

  /**
   * Switches first, then reveals: a view that the reveal creates then shows the new conversation
   * from its first paint, so a question typed into it at once is asked there (revealing first
   * let a fast question reach the old conversation, which the switch then hid). After the stored
   * history is read, so that reading it (which reopens the last conversation) cannot undo the switch.
   */
  async execute(): Promise<boolean> {
    await this.chat.loaded;
    const switched = this.chat.newConversation();
    await revealChat();
    return switched;
  }
}

/** The view title's Stop action while an answer runs. */
export class StopCommand implements Command {
  readonly id = 'r1ci.chat.stop';
  constructor(private readonly chat: ChatViewProvider) {}

  execute(): void {
    this.chat.stop();
  }
}

export class ShowHistoryCommand implements Command {
  readonly id = 'r1ci.chat.showHistory';
  constructor(private readonly chat: ChatViewProvider) {}

  execute(): Promise<void> {
    return this.chat.showHistory();
  }
}

export class OpenConversationCommand implements Command {
  readonly id = 'r1ci.chat.openConversation';
  constructor(private readonly chat: ChatViewProvider) {}

  execute(id?: unknown): boolean {
    return typeof id === 'string' ? this.chat.openConversation(id) : false;
  }
}

export class DeleteConversationCommand implements Command {
  readonly id = 'r1ci.chat.deleteConversation';
  constructor(private readonly chat: ChatViewProvider) {}

  execute(id?: unknown): Promise<boolean> | boolean {
    return typeof id === 'string' ? this.chat.deleteConversation(id) : false;
  }
}

/** Diagnostics (and tests): the history as the chat holds it, and where it is stored. */
export class ChatStateCommand implements Command {
  readonly id = 'r1ci.chat.state';
  constructor(private readonly chat: ChatViewProvider) {}

  async execute(): Promise<ReturnType<ChatViewProvider['describe']>> {
    await this.chat.loaded;
    return this.chat.describe();
  }
}

/** Creates the chat view and registers its commands; returns what must be disposed with the extension. */
export function registerChat(commands: CommandManager, context: vscode.ExtensionContext, log: Log, sandbox: SandboxService): vscode.Disposable[] {
  // Per workspace; with no folder open, the chat keeps one history for the empty window.
  const dir = vscode.Uri.joinPath(context.storageUri ?? vscode.Uri.joinPath(context.globalStorageUri, 'no-workspace'), 'chat');
  const chat = new ChatViewProvider(context, log, sandbox, new ConversationStore(dir.fsPath));
  commands.registerAll([
    new AskCommand(chat),
    new NewConversationCommand(chat),
    new StopCommand(chat),
    new ShowHistoryCommand(chat),
    new OpenConversationCommand(chat),
    new DeleteConversationCommand(chat),
    new ChatStateCommand(chat),
  ]);
  return [chat, vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, chat, { webviewOptions: { retainContextWhenHidden: true } })];
}
