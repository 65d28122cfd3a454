// Commands as small classes (markdown-language-features' pattern): each feature declares its
// commands as objects with an id and an execute method, and one CommandManager registers them
// with VS Code and unregisters them all when the extension deactivates.
import * as vscode from 'vscode';
import { Disposable } from './dispose';

/** One command: `id` as declared in package.json's contributes.commands; `execute` gets the caller's arguments unchecked. */
export interface Command {
  readonly id: string;
  execute(...args: unknown[]): unknown;
}

export class CommandManager extends Disposable {
  private readonly ids = new Set<string>();

  /** Registers `command`; a second command with the same id is a programming error and throws. */
  register(command: Command): void {
    if (this.ids.has(command.id)) throw new Error(`Command ${command.id} is registered twice.`);
    this.ids.add(command.id);
    this._register(vscode.commands.registerCommand(command.id, (...args: unknown[]) => command.execute(...args)));
  }

  registerAll(commands: Iterable<Command>): void {
    for (const command of commands) this.register(command);
  }
}
