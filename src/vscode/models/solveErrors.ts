// The solve path's hook into the model UI: the API key for the backend, and what happens when a
// solve ends — the status bar re-checks, and a failure shows its error with the buttons that fix
// it (pull the model, start the server, set the key) and an offer to ask the question again.
// The conversation code has no ExtensionContext, so registerModelCommands binds the secret store
// here once at activation.
import * as vscode from 'vscode';
import { readSettings } from '../shared/settings';
import { getApiKey as readApiKey } from './apiKey';
import { problemActions, problemKindOf, reportBackendError, runProblemAction, type ProblemAction, type ProblemActionId, type ProblemKind } from './backendErrorActions';
import { notifyModelServerMayHaveChanged } from './serverEvents';
import { showErrorMessage } from '../shared/notify';

export { problemKindOf };

let bound: { readonly secrets: vscode.SecretStorage; readonly log: (line: string) => void } | undefined;

export function bindModelUi(secrets: vscode.SecretStorage, log: (line: string) => void): vscode.Disposable {
  bound = { secrets, log };
  return { dispose: () => (bound = undefined) };
}

/** The stored API key when the OpenAI-compatible backend is configured, else undefined. */
export async function getApiKey(backend: 'ollama' | 'openai'): Promise<string | undefined> {
  return backend === 'openai' && bound ? readApiKey(bound.secrets) : undefined;
}

export interface SolveProblem {
  readonly kind: ProblemKind | undefined;
  readonly message: string;
  readonly model: string;
  /** Asks the same question again. */
  readonly rerun: () => unknown;
}

/**
 * Where a solve's error can be shown with its fix buttons instead of a toast: the panel or chat
 * the user is looking at (issue 13: an error is shown once, where the user is looking).
 */
export interface ProblemPlace {
  /** Whether the view is on screen now. */
  readonly visible: boolean;
  /** Shows the buttons under the run's error card; `run(id)` carries one out. */
  offer(actions: readonly ProblemAction[], run: (id: ProblemActionId) => Promise<void>): void;
}

/**
 * Call when a solve ended; with `problem` when it ended in an error. The error card of a visible
 * view gets the fix buttons; otherwise (view hidden, or none) a toast shows message and buttons.
 */
export function solveEnded(problem?: SolveProblem, place?: ProblemPlace): Promise<ProblemActionId | undefined> {
  notifyModelServerMayHaveChanged();
  if (!problem) return Promise.resolve(undefined);
  if (!bound) {
    void showErrorMessage(problem.message);
    return Promise.resolve(undefined);
  }
  const { secrets, log } = bound;
  const context = {
    backend: readSettings().backend,
    model: problem.model,
    retry: problem.rerun,
    retryAfterPullLabel: 'Run the Question Again',
  };
  if (place?.visible) {
    const actions = problemActions(problem.kind, { backend: context.backend, model: context.model, canRetry: true });
    if (actions.length > 0) place.offer(actions, (id) => runProblemAction(secrets, log, id, context));
    return Promise.resolve(undefined);
  }
  return reportBackendError(secrets, log, problem, context);
}
