// Reads the extension's settings from VS Code through the one table in settingsSpec.ts.
import * as vscode from 'vscode';
import { parseSettings, SETTINGS_SECTION, type Settings } from './settingsSpec';

export function readSettings(log?: (line: string) => void, scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const { settings, problems } = parseSettings((key) => config.get(key));
  for (const p of problems) log?.(p);
  if (problems.length > 0) void vscode.window.showWarningMessage(problems.join(' '));
  return settings;
}
