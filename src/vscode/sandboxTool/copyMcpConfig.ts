// "Copy MCP Server Configuration": the JSON an MCP client needs to start this installation's
// `r1ci mcp` (the extension's own dist/cli.js), for the client the user picks, on the clipboard.
// The server is started against the model server and model of the extension's settings; the API
// key is referred to (R1CI_API_KEY), never copied.
import * as vscode from 'vscode';
import { z } from 'zod';
import { modelFlagsFor } from '../../config/settingFlags';
import { readSettings } from '../shared/settings';
import { MCP_API_KEY_ENV, MCP_CLIENT_FILES, mcpClientConfig, type McpClientKind } from '../../mcp/clientConfig';
import { getApiKey } from '../models/apiKey';
import type { Command } from '../shared/commandManager';
import { showInformationMessage } from '../shared/notify';

const argsSchema = z.object({ client: z.enum(['vscode', 'claude', 'cline', 'continue']) });

const CLIENT_LABELS: Readonly<Record<McpClientKind, string>> = {
  vscode: 'VS Code (.vscode/mcp.json)',
  claude: 'Claude Desktop',
  cline: 'Cline',
  continue: 'Continue',
};

/**
 * The Node.js that runs the server. Under desktop VS Code, process.execPath is the Electron
 * binary (it would need ELECTRON_RUN_AS_NODE), so `node` from PATH (Node 20+); under a server
 * (code-server, remote) it is a real Node.js and its absolute path is used.
 */
export function nodeCommand(): string {
  return process.versions['electron'] ? 'node' : process.execPath;
}

/** `{ client }` as argument skips the picker. Returns the copied JSON. */
export class CopyMcpConfigCommand implements Command {
  readonly id = 'r1ci.copyMcpConfig';
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly secrets: vscode.SecretStorage,
  ) {}

  async execute(raw?: unknown): Promise<string | undefined> {
    const given = argsSchema.safeParse(raw);
    const client = given.success
      ? given.data.client
      : (
          await vscode.window.showQuickPick(
            (Object.keys(CLIENT_LABELS) as McpClientKind[]).map((kind) => ({ label: CLIENT_LABELS[kind], description: MCP_CLIENT_FILES[kind], client: kind })),
            { title: 'Copy MCP Server Configuration for…' },
          )
        )?.client;
    if (!client) return undefined;
    const settings = readSettings();
    const apiKey = settings.backend === 'openai' && (await getApiKey(this.secrets)) !== undefined;
    const cliPath = vscode.Uri.joinPath(this.extensionUri, 'dist', 'cli.js').fsPath;
    const json = mcpClientConfig(client, { command: nodeCommand(), cliPath, extraArgs: modelFlagsFor(settings), apiKey });
    await vscode.env.clipboard.writeText(json);
    // Only VS Code's configuration can ask for the key; elsewhere the user adds it to the entry's "env".
    const keyNote = apiKey && client !== 'vscode' ? ` The API key is not copied: add "env": {"${MCP_API_KEY_ENV}": "…"} to the r1ci entry.` : '';
    if (!given.success) void showInformationMessage(`MCP configuration for ${CLIENT_LABELS[client]} copied. Paste it into ${MCP_CLIENT_FILES[client]}.${keyNote}`);
    return json;
  }
}
