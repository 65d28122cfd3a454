// The rows of the model picker, built from what the server said: a pure function, so the
// list can be checked against a real server without driving the QuickPick.
import * as vscode from 'vscode';
import { describeModel, formatGiB } from './format';
import { sameModel, type ModelInfo, type RunningModel } from './modelServerClient';
import { plainLabel } from '../shared/uiText';

export type ModelPickAction = { readonly type: 'select'; readonly model: string } | { readonly type: 'pull'; readonly model?: string } | { readonly type: 'set-api-key' } | { readonly type: 'none' };

export interface ModelPickItem extends vscode.QuickPickItem {
  readonly action: ModelPickAction;
}

export interface ModelListing {
  readonly backend: 'ollama' | 'openai';
  readonly serverName: string;
  readonly baseUrl: string;
  readonly version: string | null;
  readonly models: readonly ModelInfo[];
  /** Loaded models (Ollama /api/ps); null when the server cannot say. */
  readonly running: readonly RunningModel[] | null;
  readonly current: string;
}

/**
 * e.g. "Ollama 0.12.0 at http://127.0.0.1:11434", for the picker's title. (As a labelled separator
 * above the first row, VS Code drew it inside that row and cut the current model's details off.)
 * The version is the server's own text: controls, bidi overrides and `$(` are shown as text.
 */
export function modelServerTitle(listing: Pick<ModelListing, 'serverName' | 'version' | 'baseUrl'>): string {
  return plainLabel(`${listing.serverName}${listing.version ? ` ${listing.version}` : ''} at ${listing.baseUrl}`);
}

export function buildModelPickItems(listing: ModelListing): ModelPickItem[] {
  const items: ModelPickItem[] = [];
  const models = [...listing.models].sort((a, b) => a.name.localeCompare(b.name));
  for (const model of models) {
    const isCurrent = sameModel(model.name, listing.current);
    const loaded = listing.running?.find((r) => sameModel(r.name, model.name));
    const facts = [describeModel(model)];
    if (loaded) facts.push(`loaded (${formatGiB(loaded.sizeBytes)}, ${loaded.gpuPercent}% GPU)`);
    const text = plainLabel(facts.filter((f) => f.length > 0).join(' · '));
    // The current model's facts get a line of their own (detail), so they are never cut off
    // behind the name; the other rows keep them beside the name.
    items.push({
      label: `${isCurrent ? '$(check)' : '$(blank)'} ${plainLabel(model.name)}`,
      description: isCurrent ? 'current' : text,
      ...(isCurrent && text ? { detail: text } : {}),
      picked: isCurrent,
      action: { type: 'select', model: model.name },
    });
  }
  const currentListed = models.some((m) => sameModel(m.name, listing.current));
  if (!currentListed) {
    items.push({
      label: `$(warning) ${plainLabel(listing.current)}`,
      description: listing.backend === 'ollama' ? 'current, but not pulled — choose to pull it' : 'current, but the server does not list it',
      action: listing.backend === 'ollama' ? { type: 'pull', model: listing.current } : { type: 'none' },
    });
  }
  if (models.length === 0) {
    items.push({
      label: '$(info) No models on this server yet',
      description: listing.backend === 'ollama' ? 'pull one below' : 'load one in the server',
      action: { type: 'none' },
    });
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator, action: { type: 'none' } });
  if (listing.backend === 'ollama') {
    items.push({
      label: '$(cloud-download) Pull a model…',
      description: 'from ollama.com/library or hf.co/<user>/<repo>',
      action: { type: 'pull' },
    });
  } else {
    items.push({ label: '$(key) Set API Key…', description: 'for servers that need one', action: { type: 'set-api-key' } });
  }
  return items;
}
