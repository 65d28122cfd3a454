// Asks the user before a command acts on a path or an API key that a caller passed (another
// extension, a `command:` link) instead of the user picking it: commandArgs.ts checks the
// arguments, this shows them and asks.
import * as vscode from 'vscode';
import { callerConfirmationText, readCallerArgs, type CallerArgs } from './commandArgs';
import { showErrorMessage, showModalWarning } from './notify';
import type { z } from 'zod';

/** False only under the extension test runner (ExtensionMode.Test): nobody is there to answer. */
let askCallers = true;

/**
 * Called once by activate with the extension's mode. Under ExtensionMode.Test (the integration
 * tests, which pass paths and keys as any caller would) the arguments are still checked but
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
