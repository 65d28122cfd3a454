// The API key of an OpenAI-compatible server. It lives only in VS Code's SecretStorage (the OS
// keychain on desktop), never in settings.json, and is never logged.
import * as vscode from 'vscode';
import { notifyModelServerMayHaveChanged } from './serverEvents';
import { showInformationMessage } from '../shared/notify';

const API_KEY_SECRET = 'r1ci.openai.apiKey';

export async function getApiKey(secrets: vscode.SecretStorage): Promise<string | undefined> {
  const key = await secrets.get(API_KEY_SECRET);
  return key && key.length > 0 ? key : undefined;
}

/** Stores `key`; an empty key deletes the stored one. */
export async function storeApiKey(secrets: vscode.SecretStorage, key: string): Promise<'stored' | 'deleted'> {
  const trimmed = key.trim();
  if (trimmed.length === 0) {
    await secrets.delete(API_KEY_SECRET);
    notifyModelServerMayHaveChanged();
    return 'deleted';
  }
  await secrets.store(API_KEY_SECRET, trimmed);
  notifyModelServerMayHaveChanged();
  return 'stored';
}

/** The input box of "Set API Key…": password-masked; empty removes the key. */
export async function askApiKey(secrets: vscode.SecretStorage, baseUrl: string): Promise<'stored' | 'deleted' | undefined> {
  const hasKey = (await getApiKey(secrets)) !== undefined;
  const key = await vscode.window.showInputBox({
    title: 'API Key for the OpenAI-compatible server',
    prompt: `Sent as "Authorization: Bearer …" to ${baseUrl}. Kept in VS Code's secret storage, not in settings.${hasKey ? ' Leave empty to remove the stored key.' : ''}`,
    password: true,
    ignoreFocusOut: true,
    placeHolder: hasKey ? 'A key is stored; type a new one, or leave empty to remove it' : 'sk-…',
  });
  if (key === undefined) return undefined;
  const result = await storeApiKey(secrets, key);
  void showInformationMessage(result === 'stored' ? "API key stored in VS Code's secret storage." : 'Stored API key removed.');
  return result;
}
