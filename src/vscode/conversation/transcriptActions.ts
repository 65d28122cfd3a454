// What the panel and the chat do alike with a (validated) message from their webview: approve or
// re-run cells, copy, insert at the cursor, open links through VS Code, open a notebook.
import * as vscode from 'vscode';
import type { Trajectory } from '../../agent/trajectory';
import { KILL_REASONS } from '../../sandbox/types';
import type { TranscriptCommand, ViewEvent } from './transcriptProtocol';
import type { ConversationSession } from './conversationSession';
import { insertCodeAtCursor } from './editorInsert';

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
      insertCodeAtCursor(message.code).catch((error: unknown) => void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error)));
      return true;
    case 'open-link':
      void openLink(message.href);
      return true;
    case 'problem-action':
      session.runProblemAction(message.id);
      return true;
    case 'open-notebook':
      void openInNotebook(session.trajectory(message.run) ?? trajectoryFromViewEvents(session.events, message.run));
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
    void vscode.window.showWarningMessage('Opening a solution as a notebook is not available in this version of the extension.');
    return;
  }
  await vscode.commands.executeCommand('r1ci.openInNotebook', trajectory);
}


/**
 * Rebuilds the run-th question's trajectory from recorded view events (a conversation restored
 * from history, whose live trajectories are gone). Artifact files are not part of the record.
 */
export function trajectoryFromViewEvents(events: readonly ViewEvent[], run: number): Trajectory | undefined {
  let current = -1;
  let t: Trajectory | undefined;
  const cells = new Map<number, NonNullable<Trajectory['turns'][number]['cell']>>();
  for (const e of events) {
    if (e.type === 'question') {
      current++;
      if (current === run) t = { question: e.text, model: e.model, turns: [], answer: null, reason: 'running', codeCalls: 0, modelMs: 0, codeMs: 0 };
      else if (current > run) break;
      continue;
    }
    if (!t || current !== run) continue;
    switch (e.type) {
      case 'turn-start':
        t.turns.push({ turn: t.turns.length, text: '' });
        break;
      case 'token': {
        const turn = t.turns[t.turns.length - 1];
        if (turn) turn.text += e.text;
        break;
      }
      case 'reasoning': {
        const turn = t.turns[t.turns.length - 1];
        if (turn) turn.reasoning = (turn.reasoning ?? '') + e.text;
        break;
      }
      case 'turn-end': {
        const turn = t.turns[t.turns.length - 1];
        if (turn) turn.stats = e.stats;
        t.modelMs += e.stats.modelMs;
        break;
      }
      case 'code': {
        const turn = t.turns[t.turns.length - 1];
        if (!turn) break;
        turn.cell = { index: t.codeCalls++, language: e.language, code: e.code, ...(e.source ? { source: e.source } : {}) };
        cells.set(e.index, turn.cell);
        break;
      }
      case 'exec-result': {
        const cell = cells.get(e.index);
        if (!cell) break;
        const killed = KILL_REASONS.find((k) => k === e.result.killed);
        cell.result = { ...e.result, killed, artifacts: [] };
        t.codeMs += e.result.durationMs;
        break;
      }
      case 'error':
        t.error = e.message;
        break;
      case 'done':
        t.answer = e.answer;
        t.reason = e.reason;
        t.codeCalls = e.codeCalls;
        break;
      default:
        break;
    }
  }
  return t;
}
