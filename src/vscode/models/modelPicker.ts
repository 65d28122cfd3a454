// "Select Model…": a QuickPick that opens at once (busy) and fills in from the server; choosing
// a model writes r1ci.model, "Pull a model…" pulls one and selects it.
import * as vscode from 'vscode';
import { readSettings, writeSetting } from '../shared/settings';
import { askApiKey, getApiKey } from './apiKey';
import { problemKindOf, reportBackendError } from './backendErrorActions';
import { buildModelPickItems, modelServerTitle, type ModelPickAction, type ModelPickItem } from './modelPickItems';
import { createModelServerClient, type ModelServerClient } from './modelServerClient';
import { askModelToPull, pullModelWithProgress } from './pullModel';
import { showInformationMessage } from '../shared/notify';

export interface ModelUiContext {
  readonly secrets: vscode.SecretStorage;
  readonly log: (line: string) => void;
}

export async function currentClient(ui: ModelUiContext): Promise<ModelServerClient> {
  const settings = readSettings(ui.log);
  return createModelServerClient(settings, await getApiKey(ui.secrets));
}

/** Writes r1ci.model where it is set now (a workspace value wins over the user's), else for the user. */
export function writeModelSetting(model: string): Promise<void> {
  return writeSetting('model', model);
}

/** Shows the picker; resolves with the model now selected (undefined when nothing changed). */
export async function showModelPicker(ui: ModelUiContext): Promise<string | undefined> {
  const client = await currentClient(ui);
  const current = readSettings(ui.log).model;
  const picker = vscode.window.createQuickPick<ModelPickItem>();
  picker.title = 'R1 Code Interpreter: Select Model';
  picker.placeholder = `Asking ${client.baseUrl} for its models…`;
  picker.busy = true;
  picker.matchOnDescription = true;
  picker.ignoreFocusOut = false;
  const loading = new AbortController();
  const hidden = new Promise<undefined>((resolve) => picker.onDidHide(() => resolve(undefined)));
  picker.onDidHide(() => loading.abort());
  picker.show();
  try {
    let items: ModelPickItem[];
    try {
      const [version, models, running] = await Promise.all([client.serverVersion(loading.signal), client.listModels(loading.signal), client.listRunning(loading.signal)]);
      items = buildModelPickItems({ backend: client.kind, serverName: client.serverName, baseUrl: client.baseUrl, version, models, running, current });
      picker.title = `R1 Code Interpreter: Select Model — ${modelServerTitle({ serverName: client.serverName, version, baseUrl: client.baseUrl })}`;
    } catch (error) {
      if (loading.signal.aborted) return undefined;
      picker.hide();
      void reportBackendError(
        ui.secrets,
        ui.log,
        { kind: problemKindOf(error), message: error instanceof Error ? error.message : String(error) },
        {
          backend: client.kind,
          retry: () => vscode.commands.executeCommand('r1ci.selectModel'),
        },
      );
      return undefined;
    }
    picker.items = items;
    picker.activeItems = items.filter((i) => i.picked);
    picker.placeholder = client.kind === 'ollama' ? 'Choose a model, or pull a new one (type to filter)' : 'Choose a model the server serves';
    picker.busy = false;
    const accepted = new Promise<{ item: ModelPickItem | undefined; typed: string }>((resolve) => picker.onDidAccept(() => resolve({ item: picker.selectedItems[0] ?? picker.activeItems[0], typed: picker.value })));
    const choice = await Promise.race([accepted, hidden]);
    picker.hide();
    if (!choice) return undefined;
    // Enter on a name no row matches: offer to pull exactly that name.
    const action: ModelPickAction | undefined = choice.item?.action ?? (client.kind === 'ollama' && choice.typed.trim() ? { type: 'pull' } : undefined);
    if (!action) return undefined;
    switch (action.type) {
      case 'select':
        if (action.model !== current) await writeModelSetting(action.model);
        return action.model;
      case 'pull': {
        const name = action.model ?? (await askModelToPull(choice.typed.trim()));
        if (!name) return undefined;
        const result = await pullModelWithProgress(client, name, ui.log);
        if (result !== 'pulled') return undefined;
        await writeModelSetting(name);
        void showInformationMessage(`Pulled ${name}; it is now the model for new questions.`);
        return name;
      }
      case 'set-api-key':
        await askApiKey(ui.secrets, client.baseUrl);
        return undefined;
      case 'none':
        return undefined;
    }
  } finally {
    picker.dispose();
  }
}
