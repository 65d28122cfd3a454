// `ollama pull` with a cancellable progress notification. Cancel aborts the HTTP request, so
// Ollama stops downloading (it keeps finished layers and resumes on the next pull).
import * as vscode from 'vscode';
import { isAbortError } from '../../agent/backends/errors';
import type { ModelServerClient, PullProgress } from './modelServerClient';
import { formatGiB } from './format';
import { notifyModelServerMayHaveChanged } from './serverEvents';
import { showErrorMessage, showInformationMessage, withProgress } from '../shared/notify';

export interface PullUpdate {
  /** 0..100 over all layers seen so far, when the server reported sizes. */
  readonly percent: number | undefined;
  readonly message: string;
}

/**
 * Pulls `name`, turning Ollama's per-layer progress lines into one overall percentage.
 * Resolves when Ollama says "success"; rejects with the backend's error or an AbortError.
 */
export async function pullModel(client: ModelServerClient, name: string, onUpdate: (update: PullUpdate) => void, signal: AbortSignal): Promise<void> {
  if (!client.pullModel) throw new Error(`The ${client.serverName} at ${client.baseUrl} cannot download models: load "${name}" on the server itself, then pick it.`);
  const layers = new Map<string, { total: number; completed: number }>();
  // Ollama announces layers one after another, so the grand total grows as it goes; the shown
  // percentage never goes back (a small layer after the big one would otherwise show 100 → 99).
  let shownPercent: number | undefined;
  await client.pullModel(
    name,
    (p: PullProgress) => {
      if (p.digest && p.totalBytes !== undefined) layers.set(p.digest, { total: p.totalBytes, completed: p.completedBytes ?? 0 });
      let total = 0;
      let completed = 0;
      for (const layer of layers.values()) {
        total += layer.total;
        completed += layer.completed;
      }
      const computed = p.status === 'success' ? 100 : total > 0 ? Math.min(100, Math.floor((100 * completed) / total)) : undefined;
      if (computed !== undefined) shownPercent = Math.max(shownPercent ?? 0, computed);
      const percent = shownPercent;
      const sizes = total > 0 ? ` (${formatGiB(completed)} of ${formatGiB(total)})` : '';
      onUpdate({ percent, message: `${p.status}${sizes}` });
    },
    signal,
  );
}

export type PullResult = 'pulled' | 'cancelled' | 'failed';

/** Pulls with a progress notification; reports failures itself. */
export async function pullModelWithProgress(client: ModelServerClient, name: string, log: (line: string) => void): Promise<PullResult> {
  const controller = new AbortController();
  try {
    await withProgress({ location: vscode.ProgressLocation.Notification, title: `Pulling ${name} from ${client.baseUrl}`, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      let shown = 0;
      await pullModel(
        client,
        name,
        (update) => {
          const increment = update.percent !== undefined && update.percent > shown ? update.percent - shown : undefined;
          if (update.percent !== undefined) shown = Math.max(shown, update.percent);
          progress.report({ message: update.percent !== undefined ? `${update.percent}% — ${update.message}` : update.message, increment });
        },
        controller.signal,
      );
    });
    log(`Pulled ${name} from ${client.baseUrl}.`);
    return 'pulled';
  } catch (error) {
    if (controller.signal.aborted || isAbortError(error)) {
      log(`Pull of ${name} cancelled.`);
      void showInformationMessage(`Stopped pulling ${name}. Ollama keeps the layers it finished and resumes the download next time.`);
      return 'cancelled';
    }
    const message = error instanceof Error ? error.message : String(error);
    log(`Pull of ${name} failed: ${message}`);
    void showErrorMessage(message);
    return 'failed';
  } finally {
    notifyModelServerMayHaveChanged();
  }
}

/** Asks for a model name to pull (prefilled, e.g. with what the user typed in the picker). */
export async function askModelToPull(prefill = ''): Promise<string | undefined> {
  const name = await vscode.window.showInputBox({
    title: 'Pull a model into Ollama',
    prompt: 'A name from ollama.com/library (e.g. qwen2.5-coder:7b) or a GGUF on Hugging Face (hf.co/<user>/<repo>[:quant]).',
    placeHolder: 'qwen2.5-coder:7b',
    value: prefill,
    ignoreFocusOut: true,
    validateInput: (v) => (/^\s*$/.test(v) ? 'Type a model name.' : /\s/.test(v.trim()) ? 'A model name has no spaces.' : undefined),
  });
  return name?.trim() || undefined;
}
