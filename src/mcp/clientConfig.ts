// The configuration MCP clients need to start `r1ci mcp` over stdio, in each client's own shape
// (their documentation: VS Code `.vscode/mcp.json` uses "servers" with "type": "stdio"; Claude
// Desktop and Cline use "mcpServers"; Continue picks up Claude-style JSON files placed in
// `.continue/mcpServers/`). The README shows the same snippets and a test starts them as written.
// The API key is never written into the JSON: VS Code asks for it (a password input) and passes
// it as R1CI_API_KEY; other clients are told to set R1CI_API_KEY in the entry's "env" themselves.

export type McpClientKind = 'vscode' | 'claude' | 'cline' | 'continue';

export interface McpLaunch {
  /** The Node.js executable (absolute path, or "node" from PATH). */
  readonly command: string;
  /** Absolute path of the extension's dist/cli.js. */
  readonly cliPath: string;
  /** Extra `r1ci mcp` options, e.g. ["--model=qwen2.5-coder:7b"] (the extension passes `modelFlagsFor(settings)`, src/cli/modelOptions.ts). */
  readonly extraArgs?: readonly string[];
  /**
   * True when the model server needs an API key (OpenAI-compatible backend with a stored key).
   * VS Code's configuration then asks for it in a password input and passes it as R1CI_API_KEY;
   * the key itself is never part of the JSON.
   */
  readonly apiKey?: boolean;
}

/** The environment variable `r1ci mcp` reads the API key from (src/cli/modelOptions.ts). */
export const MCP_API_KEY_ENV = 'R1CI_API_KEY';
const API_KEY_INPUT = 'r1ci-api-key';

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
  // VS Code's mcp.json: an "inputs" entry is asked for when the server starts (a password input is kept in VS Code's secret storage).
  const inputs = launch.apiKey ? { inputs: [{ type: 'promptString', id: API_KEY_INPUT, description: 'API key of the OpenAI-compatible model server (r1ci)', password: true }] } : {};
  const env = launch.apiKey ? { env: { [MCP_API_KEY_ENV]: `\${input:${API_KEY_INPUT}}` } } : {};
  const doc =
    client === 'vscode'
      ? { ...inputs, servers: { [MCP_SERVER_NAME]: { type: 'stdio', ...server, ...env } } }
      : client === 'cline'
        ? { mcpServers: { [MCP_SERVER_NAME]: { ...server, disabled: false, autoApprove: [] } } }
        : { mcpServers: { [MCP_SERVER_NAME]: server } };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
