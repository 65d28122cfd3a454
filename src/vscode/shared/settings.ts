// Reads the extension's settings from VS Code through the one table in src/config/settingsSpec.ts. Guarded
// settings (tier, approval, interpreter, server) go through src/config/workspaceGuard.ts: a workspace value
// that weakens the boundary is asked about once and applies only when the user accepts.
import * as vscode from 'vscode';
import { parseSettings, settingSchema, SETTINGS_SECTION, type SettingKey, type Settings } from '../../config/settingsSpec';
import { consentQuestion, parseConsentStore, resolveGuarded, type PendingOverride } from '../../config/workspaceGuard';
import { showWarningMessage } from './notify';

/** workspaceState key of the remembered answers (ConsentStore). */
export const CONSENT_STATE_KEY = 'r1ci.workspaceSettingConsent';

let workspaceState: vscode.Memento | undefined;
/** Questions shown in this session (key + value), so a setting is never asked twice at once. */
const asked = new Set<string>();

/** Called once on activation: where answers are remembered (per workspace). */
export function initWorkspaceGuard(context: vscode.ExtensionContext): void {
  workspaceState = context.workspaceState;
}

export function readSettings(log?: (line: string) => void, scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const consent = parseConsentStore(workspaceState?.get(CONSENT_STATE_KEY));
  const guarded = resolveGuarded((key) => config.inspect(key), consent, vscode.workspace.isTrusted);
  const parsed = parseSettings((key) => (guarded.values.has(key) ? guarded.values.get(key) : config.get(key)));
  const { settings } = parsed;
  const problems = [...guarded.ignored, ...parsed.problems];
  for (const p of problems) log?.(p);
  if (problems.length > 0) void showWarningMessage(problems.join(' '));
  for (const p of guarded.pending) askOnce(p, log);
  return settings;
}

/**
 * Writes a setting where it is set now (a folder's or the workspace's value wins over the
 * user's), else for the user. The value is checked against the table first: throws (ZodError)
 * when it is out of the setting's range or enum, so nothing invalid reaches settings.json.
 */
export async function writeSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<void> {
  settingSchema(key).parse(value);
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const inspected = config.inspect(key);
  const target =
    inspected?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder : inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update(key, value, target);
}

const USE_WORKSPACE = "Use Workspace's Value";
const KEEP_MINE = 'Keep Mine';

function askOnce(p: PendingOverride, log?: (line: string) => void): void {
  const id = `${p.key}=${JSON.stringify(p.workspaceValue)}`;
  if (asked.has(id)) return;
  asked.add(id);
  const question = consentQuestion(p);
  log?.(`${question} (not applied until you accept)`);
  void showWarningMessage(question, USE_WORKSPACE, KEEP_MINE).then(async (choice) => {
    if (choice === undefined) return; // dismissed: the user's value stays; asked again next session
    await rememberChoice(p.key, p.workspaceValue, choice === USE_WORKSPACE);
    log?.(`"${SETTINGS_SECTION}.${p.key}": the workspace's value is ${choice === USE_WORKSPACE ? 'used' : 'ignored'} in this workspace.`);
  });
}

/** Stores the user's answer for `key` = `value` in this workspace. */
async function rememberChoice(key: SettingKey, value: unknown, accepted: boolean): Promise<void> {
  if (!workspaceState) return;
  const current = parseConsentStore(workspaceState.get(CONSENT_STATE_KEY));
  await workspaceState.update(CONSENT_STATE_KEY, { ...current, [key]: { value: JSON.stringify(value), accepted } });
}
