// The extension's output channel ("R1 Code Interpreter" in the Output view).
import * as vscode from 'vscode';

export type Log = (line: string) => void;

export function createLog(channel: vscode.LogOutputChannel): Log {
  return (line) => channel.info(line);
}
