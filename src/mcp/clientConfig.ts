// The configuration MCP clients need to start `r1ci mcp` over stdio, in each client's own shape
// (their documentation: VS Code `.vscode/mcp.json` uses "servers" with "type": "stdio"; Claude
// Desktop and Cline use "mcpServers"; Continue picks up Claude-style JSON files placed in
// `.continue/mcpServers/`). The README shows the same snippets and a test starts them as written.

export type McpClientKind = 'vscode' | 'claude' | 'cline' | 'continue';

export interface McpLaunch {
  /** The Node.js executable (absolute path, or "node" from PATH). */
  readonly command: string;
  /** Absolute path of the extension's dist/cli.js. */
  readonly cliPath: string;
  /** Extra `r1ci mcp` options, e.g. ["--model", "qwen2.5-coder:7b"]. */
  readonly extraArgs?: readonly string[];
}

/** The server's key in every client's configuration. */
export const MCP_SERVER_NAME = 'r1ci';

/** Where each client reads the configuration from (shown to the user with the copied JSON). */
export const MCP_CLIENT_FILES: Readonly<Record<McpClientKind, string>> = {
  vscode: '.vscode/mcp.json in your workspace (or "MCP: Open User Configuration")',
  claude: 'claude_desktop_config.json (Claude Desktop → Settings → Developer → Edit Config)',
  cline: 'cline_mcp_settings.json (Cline → MCP Servers → Configure MCP Servers)',
  continue: '.continue/mcpServers/r1ci.json in your workspace',
};

/** The JSON document for `client`, pretty-printed with two spaces. */
export function mcpClientConfig(client: McpClientKind, launch: McpLaunch): string {
  const args = [launch.cliPath, 'mcp', ...(launch.extraArgs ?? [])];
  const server = { command: launch.command, args };
  const doc =
    client === 'vscode'
      ? { servers: { [MCP_SERVER_NAME]: { type: 'stdio', ...server } } }
      : client === 'cline'
        ? { mcpServers: { [MCP_SERVER_NAME]: { ...server, disabled: false, autoApprove: [] } } }
        : { mcpServers: { [MCP_SERVER_NAME]: server } };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
