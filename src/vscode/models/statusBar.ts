// The model in the status bar: "$(hubot) qwen2.5-coder:7b", or a warning when the server is
// down or the model missing. Created on activation but never awaited there: the first probe
// runs in the background. Re-checked when a relevant setting changes, when a solve or pull
// ends, and every 30 s while the window has focus (three small GETs).
import * as vscode from 'vscode';
import { readSettings } from '../shared/settings';
import { getApiKey } from './apiKey';
import { createModelServerClient } from './modelServerClient';
import { onModelServerMayHaveChanged } from './serverEvents';
import { describeServerStatus, probeServerStatus, type ServerStatus, type StatusPresentation } from './serverStatus';
import { Disposable } from '../shared/dispose';
import { plainLabel } from '../shared/uiText';

const REFRESH_MS = 30_000;
const PROBE_TIMEOUT_MS = 5_000;
const RELEVANT = ['r1ci.backend', 'r1ci.ollama.host', 'r1ci.openai.baseUrl', 'r1ci.model'];

export class ModelStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private inFlight: AbortController | undefined;
  private lastRefresh = 0;
  private latest: { status: ServerStatus; presentation: StatusPresentation } | undefined;
  private readonly updated = new vscode.EventEmitter<ServerStatus>();
  /** Fires after each completed probe (tests wait on it). */
  readonly onDidUpdate = this.updated.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: (line: string) => void,
    id = 'r1ci.model',
  ) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem(id, vscode.StatusBarAlignment.Right, 100));
    this.item.name = 'R1 Code Interpreter: Model';
    this.item.text = `$(hubot) ${plainLabel(readSettings().model)}`;
    this.item.tooltip = 'Checking the model server…';
    this.item.command = 'r1ci.selectModel';
    this.item.show();
    this._register(this.updated);
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (RELEVANT.some((key) => e.affectsConfiguration(key))) void this.refresh();
      }),
    );
    this._register(onModelServerMayHaveChanged(() => void this.refresh()));
    this._register(
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused && Date.now() - this.lastRefresh > REFRESH_MS) void this.refresh();
      }),
    );
    const timer = setInterval(() => {
      if (vscode.window.state.focused) void this.refresh();
    }, REFRESH_MS);
    this._register({ dispose: () => clearInterval(timer) });
  }

  /** What the item shows now (undefined until the first probe finished). */
  get current(): { readonly status: ServerStatus; readonly text: string; readonly tooltip: string } | undefined {
    return this.latest && { status: this.latest.status, text: this.latest.presentation.text, tooltip: this.latest.presentation.tooltip };
  }

  /** Probes the server and updates the item; a newer refresh supersedes a running one. */
  async refresh(): Promise<ServerStatus | undefined> {
    this.inFlight?.abort();
    const controller = new AbortController();
    this.inFlight = controller;
    this.lastRefresh = Date.now();
    const settings = readSettings();
    const client = createModelServerClient(settings, await getApiKey(this.secrets));
    const status = await probeServerStatus(client, settings.model, AbortSignal.any([controller.signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]));
    if (controller.signal.aborted) return undefined;
    this.inFlight = undefined;
    const presentation = describeServerStatus(status);
    if (status.state === 'error' && this.latest?.status.state !== 'error') this.log(`Model server check: ${status.message}`);
    this.latest = { status, presentation };
    this.item.text = presentation.text;
    this.item.tooltip = new vscode.MarkdownString(presentation.tooltip);
    this.item.command = presentation.command;
    this.item.backgroundColor = presentation.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.updated.fire(status);
    return status;
  }

  override dispose(): void {
    this.inFlight?.abort();
    super.dispose();
  }
}
