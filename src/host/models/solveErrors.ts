// The solve path's hook into the model UI: the API key for the backend, and what happens when a
// solve ends — the status bar re-checks, and a failure shows its error with the buttons that fix
// it (pull the model, start the server, set the key) and an offer to ask the question again.
// The conversation code has no ExtensionContext, so registerModelCommands binds the secret store
// here once at activation.
import * as vscode from 'vscode';
import { readSettings } from '../../config/vscodeSettings';
import { getApiKey as readApiKey } from './apiKey';
import { problemKindOf, reportBackendError, type ProblemActionId, type ProblemKind } from './backendErrorActions';
import { notifyModelServerMayHaveChanged } from './serverEvents';

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

/** Call when a solve ended; with `problem` when it ended in an error. */
export function solveEnded(problem?: SolveProblem): Promise<ProblemActionId | undefined> {
  notifyModelServerMayHaveChanged();
  if (!problem) return Promise.resolve(undefined);
  if (!bound) {
    void vscode.window.showErrorMessage(problem.message);
    return Promise.resolve(undefined);
  }
  return reportBackendError(bound.secrets, bound.log, problem, {
    backend: readSettings().backend,
    model: problem.model,
    retry: problem.rerun,
    retryAfterPullLabel: 'Run the Question Again',
  });
}
