// "Check Sandbox": which isolation tier model-written code gets on this machine, why, and
// which Python runs it (the walkthrough's third step).
import * as vscode from 'vscode';
import { readSettings } from '../shared/settings';
import { detectIsolation, resolvePython } from '../../sandbox';
import { sandboxReportSentence } from './sandboxReportText';
import { showInformationMessage, showWarningMessage, withProgress } from '../shared/notify';

export interface SandboxReport {
  readonly tier: 'isolated' | 'basic';
  readonly note: string;
  readonly python: { readonly executable: string; readonly version: string } | { readonly error: string };
  /** The "r1ci.sandbox.isolation" setting: "basic" forces the basic tier even where isolation works. */
  readonly forcedBasic: boolean;
}

export async function checkSandbox(log: (line: string) => void): Promise<SandboxReport> {
  const settings = readSettings(log);
  // The probes start the interpreter (and bwrap): never in an untrusted workspace.
  if (!vscode.workspace.isTrusted) {
    return {
      tier: 'basic',
      note: 'Restricted Mode: no code runs in an untrusted workspace, so the sandbox is not probed. Trust the workspace to check it.',
      python: { error: 'not probed in Restricted Mode' },
      forcedBasic: false,
    };
  }
  const configured = settings['python.path'] || undefined;
  let python: SandboxReport['python'];
  try {
    python = await resolvePython(configured);
  } catch (error) {
    python = { error: error instanceof Error ? error.message : String(error) };
  }
  const isolation = await detectIsolation(configured);
  const forcedBasic = settings['sandbox.isolation'] === 'basic';
  return { tier: forcedBasic ? 'basic' : isolation.tier, note: forcedBasic ? `Basic (forced by "r1ci.sandbox.isolation": "basic"). ${isolation.note}` : isolation.note, python, forcedBasic };
}

export async function showSandboxReport(log: (line: string) => void): Promise<SandboxReport> {
  const report = await withProgress({ location: vscode.ProgressLocation.Window, title: 'Checking the sandbox…' }, () => checkSandbox(log));
  const message = sandboxReportSentence(report);
  log(`Sandbox check: ${message}`);
  const setPython = 'Set Python Path';
  const settings = 'Sandbox Settings';
  const actions = 'error' in report.python ? [setPython] : [settings];
  const show = report.tier === 'isolated' && !('error' in report.python) ? showInformationMessage : showWarningMessage;
  void show(message, ...actions).then((choice) => {
    if (choice === setPython) void vscode.commands.executeCommand('workbench.action.openSettings', 'r1ci.python.path');
    if (choice === settings) void vscode.commands.executeCommand('workbench.action.openSettings', 'r1ci.sandbox');
  });
  return report;
}
