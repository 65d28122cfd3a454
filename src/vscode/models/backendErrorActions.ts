// Errors from the model server, shown with buttons that fix them: retry, open the host
// setting, install Ollama, pull the missing model, set the API key.
import * as vscode from 'vscode';
import { BackendError, type BackendErrorKind } from '../../agent/backends/types';
import type { AgentErrorKind } from '../../agent/events';
import { readSettings } from '../shared/settings';
import type { ProblemAction, ProblemActionId } from './problemActions';
import { getApiKey } from './apiKey';
import { createModelServerClient } from './modelServerClient';
import { pullModelWithProgress } from './pullModel';
import { showErrorMessage, showInformationMessage } from '../shared/notify';

export type ProblemKind = BackendErrorKind | AgentErrorKind;

export type { ProblemAction, ProblemActionId };

export interface ProblemContext {
  readonly backend: 'ollama' | 'openai';
  /** The model the failed request asked for. */
  readonly model?: string;
  /** Runs the failed operation again (the question, the picker, the status check). */
  readonly retry?: () => unknown;
  /** Label of the retry button after a successful pull, e.g. "Run the Question Again". */
  readonly retryAfterPullLabel?: string;
}

export const OLLAMA_DOWNLOAD_URL = 'https://ollama.com/download';

/** The buttons for a problem, most useful first (VS Code shows them right to left). */
export function problemActions(kind: ProblemKind | undefined, context: Pick<ProblemContext, 'backend' | 'model'> & { canRetry: boolean }): ProblemAction[] {
  const actions: ProblemAction[] = [];
  const retry: ProblemAction = { id: 'retry', label: 'Retry' };
  const settings: ProblemAction = { id: 'open-settings', label: 'Open Settings' };
  switch (kind) {
    case 'server-unreachable':
    case 'wrong-server':
      if (context.canRetry) actions.push(retry);
      actions.push(settings);
      if (context.backend === 'ollama') actions.push({ id: 'install-ollama', label: 'How to install Ollama' });
      break;
    case 'model-missing':
      if (context.backend === 'ollama' && context.model) actions.push({ id: 'pull', label: `Pull ${context.model}` });
      actions.push({ id: 'select-model', label: 'Select Model…' });
      break;
    case 'auth':
      actions.push({ id: 'set-api-key', label: 'Set API Key…' });
      if (context.canRetry) actions.push(retry);
      break;
    case 'connection-lost':
    case 'stalled':
    case 'http':
      if (context.canRetry) actions.push(retry);
      break;
    default:
      break;
  }
  return actions;
}

/**
 * Shows `message` with the buttons for `kind` and carries out the one the user picks.
 * Resolves with the action taken (for tests and callers that chain on it).
 */
export async function reportBackendError(
  secrets: vscode.SecretStorage,
  log: (line: string) => void,
  problem: { readonly kind: ProblemKind | undefined; readonly message: string },
  context: ProblemContext,
): Promise<ProblemActionId | undefined> {
  const actions = problemActions(problem.kind, { backend: context.backend, model: context.model, canRetry: context.retry !== undefined });
  const picked = await showErrorMessage(problem.message, ...actions.map((a) => a.label));
  const action = actions.find((a) => a.label === picked);
  if (!action) return undefined;
  await runProblemAction(secrets, log, action.id, context);
  return action.id;
}

/** Carries out one of a problem's actions (a toast's button, or the same button in a view's error card). */
export async function runProblemAction(secrets: vscode.SecretStorage, log: (line: string) => void, id: ProblemActionId, context: ProblemContext): Promise<void> {
  switch (id) {
    case 'retry':
      await context.retry?.();
      break;
    case 'open-settings':
      await vscode.commands.executeCommand('workbench.action.openSettings', context.backend === 'openai' ? 'r1ci.openai.baseUrl' : 'r1ci.ollama.host');
      break;
    case 'install-ollama':
      await vscode.env.openExternal(vscode.Uri.parse(OLLAMA_DOWNLOAD_URL));
      break;
    case 'select-model':
      await vscode.commands.executeCommand('r1ci.selectModel');
      break;
    case 'set-api-key':
      await vscode.commands.executeCommand('r1ci.setApiKey');
      break;
    case 'pull': {
      if (!context.model) break;
      const settings = readSettings(log);
      const client = createModelServerClient(settings, await getApiKey(secrets));
      const result = await pullModelWithProgress(client, context.model, log);
      if (result === 'pulled' && context.retry) {
        const again = context.retryAfterPullLabel ?? 'Retry';
        const choice = await showInformationMessage(`Pulled ${context.model}.`, again);
        if (choice === again) await context.retry();
      } else if (result === 'pulled') {
        void showInformationMessage(`Pulled ${context.model}.`);
      }
      break;
    }
  }
}

/** A thrown value's kind, when it is a backend error. */
export function problemKindOf(error: unknown): ProblemKind | undefined {
  return error instanceof BackendError ? error.kind : undefined;
}
