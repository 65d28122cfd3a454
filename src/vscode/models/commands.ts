// Model server commands: pick/pull a model, the status-bar item, the API key of an
// OpenAI-compatible server, and the sandbox check of the Getting Started walkthrough.
// Each command also takes an optional argument so keybindings, walkthrough links and tests
// can run it without its UI.
import * as vscode from 'vscode';
import { z } from 'zod';
import { askApiKey, storeApiKey } from './apiKey';
import { reportBackendError } from './backendErrorActions';
import { currentClient, showModelPicker, writeModelSetting, type ModelUiContext } from './modelPicker';
import { askModelToPull, pullModelWithProgress, type PullResult } from './pullModel';
import { showSandboxReport, type SandboxReport } from './sandboxCheck';
import type { ServerStatus } from './serverStatus';
import { bindModelUi } from './solveErrors';
import { ModelStatusBar } from './statusBar';
import type { Command, CommandManager } from '../shared/commandManager';
import type { Log } from '../shared/log';
import { callerApiKeySchema } from '../shared/commandArgs';
import { callerArgsOrReport, confirmCaller } from '../shared/confirmCaller';
import { showInformationMessage } from '../shared/notify';

const modelNameSchema = z.string().trim().min(1);
const selectArgsSchema = z.object({ model: modelNameSchema });

export class SelectModelCommand implements Command {
  readonly id = 'r1ci.selectModel';
  constructor(private readonly ui: ModelUiContext) {}

  async execute(raw?: unknown): Promise<string | undefined> {
    const args = selectArgsSchema.safeParse(raw);
    if (!args.success) return showModelPicker(this.ui);
    await writeModelSetting(args.data.model);
    return args.data.model;
  }
}

export class PullModelCommand implements Command {
  readonly id = 'r1ci.pullModel';
  constructor(private readonly ui: ModelUiContext) {}

  async execute(raw?: unknown): Promise<PullResult | undefined> {
    const client = await currentClient(this.ui);
    if (!client.pullModel) {
      void showInformationMessage(`Models of an OpenAI-compatible server are loaded by the server itself (${client.baseUrl}); "Select Model…" lists what it serves.`);
      return undefined;
    }
    const given = modelNameSchema.safeParse(raw);
    const name = given.success ? given.data : await askModelToPull();
    if (!name) return undefined;
    const result = await pullModelWithProgress(client, name, this.ui.log);
    if (result === 'pulled' && !given.success) {
      const use = `Use ${name}`;
      if ((await showInformationMessage(`Pulled ${name}.`, use)) === use) await writeModelSetting(name);
    }
    return result;
  }
}

export class SetApiKeyCommand implements Command {
  readonly id = 'r1ci.setApiKey';
  constructor(private readonly ui: ModelUiContext) {}

  /**
   * Sets the API key of the OpenAI-compatible server. Without an argument the user types it in
   * a masked input box. A caller's key (a string; empty deletes the stored one) is checked with
   * zod (printable, bounded) and stored or deleted only once the user confirmed it: the key is
   * sent to the server in the settings, so a `command:` link must not swap it unasked. The key
   * itself is never shown.
   */
  async execute(raw?: unknown): Promise<'stored' | 'deleted' | undefined> {
    if (raw !== undefined) {
      const key = callerArgsOrReport(this.id, callerApiKeySchema, raw);
      if (key === undefined) return undefined;
      const baseUrl = await currentClient(this.ui).then(
        (c) => c.baseUrl,
        () => 'the configured model server',
      );
      if (!(await confirmCaller(this.id, key.trim() === '' ? 'delete the stored API key of the server at' : 'replace the API key sent to the server at', [baseUrl]))) return undefined;
      return storeApiKey(this.ui.secrets, key);
    }
    return askApiKey(this.ui.secrets, (await currentClient(this.ui)).baseUrl);
  }
}

export class CheckModelServerCommand implements Command {
  readonly id = 'r1ci.checkModelServer';
  constructor(
    private readonly statusBar: ModelStatusBar,
    private readonly ui: ModelUiContext,
  ) {}

  async execute(): Promise<ServerStatus | undefined> {
    const { secrets, log } = this.ui;
    const status = await this.statusBar.refresh();
    if (!status) return undefined;
    if (status.state === 'error') {
      void reportBackendError(secrets, log, status, { backend: status.backend, model: status.model, retry: () => vscode.commands.executeCommand('r1ci.checkModelServer') });
    } else if (!status.modelInstalled) {
      void reportBackendError(
        secrets,
        log,
        { kind: 'model-missing', message: `${status.serverName} at ${status.baseUrl} is running, but the model "${status.model}" is not ${status.backend === 'ollama' ? 'pulled' : 'served'} there.` },
        { backend: status.backend, model: status.model },
      );
    } else {
      const select = 'Select Model…';
      void showInformationMessage(`${status.serverName}${status.version ? ` ${status.version}` : ''} at ${status.baseUrl} is running; "${status.model}" is ready.`, select).then(
        (choice) => choice === select && vscode.commands.executeCommand('r1ci.selectModel'),
      );
    }
    return status;
  }
}

export class CheckSandboxCommand implements Command {
  readonly id = 'r1ci.checkSandbox';
  constructor(private readonly log: Log) {}

  execute(): Promise<SandboxReport> {
    return showSandboxReport(this.log);
  }
}

/** Creates the status-bar item and registers the model commands; returns what must be disposed with the extension. */
export function registerModelCommands(commands: CommandManager, context: vscode.ExtensionContext, log: Log): vscode.Disposable[] {
  const ui: ModelUiContext = { secrets: context.secrets, log };
  const statusBar = new ModelStatusBar(context.secrets, log);
  // In the background: activation never waits for the network.
  void statusBar.refresh();
  commands.registerAll([new SelectModelCommand(ui), new PullModelCommand(ui), new SetApiKeyCommand(ui), new CheckModelServerCommand(statusBar, ui), new CheckSandboxCommand(log)]);
  return [statusBar, bindModelUi(context.secrets, log)];
}
