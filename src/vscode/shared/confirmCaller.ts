// Asks the user before a command acts on a path or an API key that a caller passed (another
// extension, a `command:` link) instead of the user picking it: commandArgs.ts checks the
// arguments, this shows them and asks.
import * as vscode from 'vscode';
import { callerConfirmationText, readCallerArgs, readCallerUri, type CallerArgs } from './commandArgs';
import { showErrorMessage, showModalWarning } from './notify';
import type { z } from 'zod';

/** False only under the extension test runner (ExtensionMode.Test): nobody is there to answer. */
let askCallers = true;

/**
 * Called once by activate with the extension's mode. Under ExtensionMode.Test (the integration
 * tests, which pass paths and keys as every other caller would) the arguments are still checked but
 * not asked about; another extension cannot set this mode.
 */
export function initCallerConfirmation(mode: vscode.ExtensionMode): void {
  askCallers = mode !== vscode.ExtensionMode.Test;
}

/**
 * True when the user allows `command` to `action` ("write the SFT export to") on `paths`, passed
 * by a caller: a modal warning with the paths shown escaped; dismissing it is no.
 */
export async function confirmCaller(command: string, action: string, paths: readonly string[]): Promise<boolean> {
  if (!askCallers) return true;
  const allow = 'Allow';
  return (await showModalWarning(callerConfirmationText(command, action, paths), allow)) === allow;
}

/** `raw` checked with `schema` (readCallerArgs); an invalid argument is shown as an error and gives undefined. */
export function callerArgsOrReport<T>(command: string, schema: z.ZodType<T>, raw: unknown): T | undefined {
  const args: CallerArgs<T> = readCallerArgs(command, schema, raw);
  if (args.ok) return args.value;
  void showErrorMessage(args.message);
  return undefined;
}

/** Uris our own code made to pass to our commands (a view's button): never asked about. */
const ownUris = new WeakSet<vscode.Uri>();

/**
 * `uri`, marked as made by our own code for one of our commands (the results view's Compare
 * button), so that command does not ask about it. Only this object is marked: a caller cannot
 * obtain it, and one that passes a Uri of the same path is asked as every other caller is.
 */
export function ownUri(uri: vscode.Uri): vscode.Uri {
  ownUris.add(uri);
  return uri;
}

/**
 * The path of a Uri passed to `command` (readCallerUri): refused with an error when not a valid
 * local path; confirmed by the user (`action`) when it lies outside the workspace folders and
 * our own code did not make it. Undefined when refused or not allowed.
 */
export async function callerUriPath(command: string, action: string, uri: vscode.Uri): Promise<string | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const read = readCallerUri(command, uri, ownUris.has(uri), folders);
  if (!read.ok) {
    void showErrorMessage(read.message);
    return undefined;
  }
  if (read.value.confirm && !(await confirmCaller(command, action, [read.value.path]))) return undefined;
  return read.value.path;
}
