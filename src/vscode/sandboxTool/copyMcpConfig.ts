// "Copy MCP Server Configuration": the JSON an MCP client needs to start this installation's
// `r1ci mcp` (the extension's own dist/cli.js), for the client the user picks, on the clipboard.
import * as vscode from 'vscode';
import { z } from 'zod';
import { MCP_CLIENT_FILES, mcpClientConfig, type McpClientKind } from '../../mcp/clientConfig';
import type { Command } from '../shared/commandManager';

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
  constructor(private readonly extensionUri: vscode.Uri) {}

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
    const json = mcpClientConfig(client, { command: nodeCommand(), cliPath: vscode.Uri.joinPath(this.extensionUri, 'dist', 'cli.js').fsPath });
    await vscode.env.clipboard.writeText(json);
    if (!given.success) void vscode.window.showInformationMessage(`MCP configuration for ${CLIENT_LABELS[client]} copied. Paste it into ${MCP_CLIENT_FILES[client]}.`);
    return json;
  }
}
