// Registers the side-bar chat: its webview view provider and its commands.
import * as vscode from 'vscode';
import { z } from 'zod';
import type { Trajectory } from '../../agent/trajectory';
import type { Log } from '../shared/log';
import type { SandboxService } from '../shared/sandboxService';
import { ChatViewProvider } from './chatViewProvider';
import { ConversationStore } from './conversationStore';

const askArgsSchema = z.object({ question: z.string().min(1), model: z.string().optional(), maxCodeCalls: z.number().int().min(0).optional() });

export function registerChat(context: vscode.ExtensionContext, log: Log, sandbox: SandboxService): vscode.Disposable[] {
  // Per workspace; with no folder open, the chat keeps one history for the empty window.
  const dir = vscode.Uri.joinPath(context.storageUri ?? vscode.Uri.joinPath(context.globalStorageUri, 'no-workspace'), 'chat');
  const provider = new ChatViewProvider(context, log, sandbox, new ConversationStore(dir.fsPath));
  const reveal = (): Thenable<unknown> => vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`);
  return [
    provider,
    vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, provider, { webviewOptions: { retainContextWhenHidden: true } }),
    /** Asks in the side-bar chat's current conversation; returns the run's trajectory. */
    vscode.commands.registerCommand('r1ci.chat.ask', async (raw?: unknown): Promise<Trajectory | undefined> => {
      const args = askArgsSchema.safeParse(raw);
      await reveal();
      if (!args.success) return undefined;
      const { question, ...overrides } = args.data;
      return provider.ask(question, overrides);
    }),
    vscode.commands.registerCommand('r1ci.chat.newConversation', async () => {
      await reveal();
      return provider.newConversation();
    }),
    vscode.commands.registerCommand('r1ci.chat.stop', () => provider.stop()),
    vscode.commands.registerCommand('r1ci.chat.showHistory', () => provider.showHistory()),
    vscode.commands.registerCommand('r1ci.chat.openConversation', (id?: unknown) => (typeof id === 'string' ? provider.openConversation(id) : false)),
    vscode.commands.registerCommand('r1ci.chat.deleteConversation', (id?: unknown) => (typeof id === 'string' ? provider.deleteConversation(id) : false)),
    /** Diagnostics (and tests): the history as the chat holds it, and where it is stored. */
    vscode.commands.registerCommand('r1ci.chat.state', async () => {
      await provider.loaded;
      return provider.describe();
    }),
  ];
}
