// What the panel and the chat do alike with a (validated) message from their webview: approve or
// re-run cells, copy, insert at the cursor, open links through VS Code, open a notebook.
import * as vscode from 'vscode';
import type { Trajectory } from '../../trajectory/trajectory';
import type { TranscriptCommand } from './transcriptProtocol';
import type { ConversationSession } from './conversationSession';
import { insertCodeAtCursor } from './editorInsert';
import { showErrorMessage, showWarningMessage } from '../shared/notify';

/** Handles the messages both views share; returns false for the ones the caller handles. */
export function handleSharedViewMessage(message: TranscriptCommand, session: ConversationSession): boolean {
  switch (message.type) {
    case 'cancel':
      session.cancel();
      return true;
    case 'approve':
      session.approve(message.index, message.run);
      return true;
    case 'rerun':
      void session.rerun(message.index);
      return true;
    case 'copy':
      void vscode.env.clipboard.writeText(message.text);
      return true;
    case 'insert-code':
      insertCodeAtCursor(message.code).catch((error: unknown) => void showErrorMessage(error instanceof Error ? error.message : String(error)));
      return true;
    case 'open-link':
      void openLink(message.href);
      return true;
    case 'problem-action':
      session.runProblemAction(message.id);
      return true;
    case 'open-notebook':
      void openInNotebook(session.trajectory(message.run));
      return true;
    default:
      return false;
  }
}

/** Only web links, and only through VS Code (which asks before opening an untrusted domain). */
export async function openLink(href: string): Promise<boolean> {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(href, true);
  } catch {
    return false;
  }
  if (uri.scheme !== 'http' && uri.scheme !== 'https') return false;
  return vscode.env.openExternal(uri);
}

/** The notebook view of a solution is provided by the notebook feature (r1ci.openInNotebook). */
async function openInNotebook(trajectory: Trajectory | undefined): Promise<void> {
  if (!trajectory) return;
  const commands = await vscode.commands.getCommands(true);
  if (!commands.includes('r1ci.openInNotebook')) {
    void showWarningMessage('Opening a solution as a notebook is not available in this version of the extension.');
    return;
  }
  await vscode.commands.executeCommand('r1ci.openInNotebook', trajectory);
}
