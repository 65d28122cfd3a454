// The extension's output channel ("R1 Code Interpreter" in the Output view).
import * as vscode from 'vscode';
import { logText } from './uiText';

export type Log = (line: string) => void;

/** The Log writing to `channel`: each line as one entry, shown as logText gives it. */
export function createLog(channel: vscode.LogOutputChannel): Log {
  return (line) => channel.info(logText(line));
}
