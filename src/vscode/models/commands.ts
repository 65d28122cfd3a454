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

const modelNameSchema = z.string().trim().min(1);
const selectArgsSchema = z.object({ model: modelNameSchema });

export function registerModelCommands(context: vscode.ExtensionContext, log: (line: string) => void): vscode.Disposable[] {
  const ui: ModelUiContext = { secrets: context.secrets, log };
  const statusBar = new ModelStatusBar(context.secrets, log);
  // In the background: activation never waits for the network.
  void statusBar.refresh();
  return [
    statusBar,
    bindModelUi(context.secrets, log),
    vscode.commands.registerCommand('r1ci.selectModel', async (raw?: unknown): Promise<string | undefined> => {
      const args = selectArgsSchema.safeParse(raw);
      if (!args.success) return showModelPicker(ui);
      await writeModelSetting(args.data.model);
      return args.data.model;
    }),
    vscode.commands.registerCommand('r1ci.pullModel', async (raw?: unknown): Promise<PullResult | undefined> => {
      const client = await currentClient(ui);
      if (!client.pullModel) {
        void vscode.window.showInformationMessage(`Models of an OpenAI-compatible server are loaded by the server itself (${client.baseUrl}); "Select Model…" lists what it serves.`);
        return undefined;
      }
      const given = modelNameSchema.safeParse(raw);
      const name = given.success ? given.data : await askModelToPull();
      if (!name) return undefined;
      const result = await pullModelWithProgress(client, name, log);
      if (result === 'pulled' && !given.success) {
        const use = `Use ${name}`;
        if ((await vscode.window.showInformationMessage(`Pulled ${name}.`, use)) === use) await writeModelSetting(name);
      }
      return result;
    }),
    vscode.commands.registerCommand('r1ci.setApiKey', async (raw?: unknown): Promise<'stored' | 'deleted' | undefined> => {
      if (typeof raw === 'string') return storeApiKey(context.secrets, raw);
      return askApiKey(context.secrets, (await currentClient(ui)).baseUrl);
    }),
    vscode.commands.registerCommand('r1ci.checkModelServer', async (): Promise<ServerStatus | undefined> => {
      const status = await statusBar.refresh();
      if (!status) return undefined;
      if (status.state === 'error') {
        void reportBackendError(context.secrets, log, status, { backend: status.backend, model: status.model, retry: () => vscode.commands.executeCommand('r1ci.checkModelServer') });
      } else if (!status.modelInstalled) {
        void reportBackendError(
          context.secrets,
          log,
          { kind: 'model-missing', message: `${status.serverName} at ${status.baseUrl} is running, but the model "${status.model}" is not ${status.backend === 'ollama' ? 'pulled' : 'served'} there.` },
          { backend: status.backend, model: status.model },
        );
      } else {
        const select = 'Select Model…';
        void vscode.window
          .showInformationMessage(`${status.serverName}${status.version ? ` ${status.version}` : ''} at ${status.baseUrl} is running; "${status.model}" is ready.`, select)
          .then((choice) => choice === select && vscode.commands.executeCommand('r1ci.selectModel'));
      }
      return status;
    }),
    vscode.commands.registerCommand('r1ci.checkSandbox', (): Promise<SandboxReport> => showSandboxReport(log)),
  ];
}

