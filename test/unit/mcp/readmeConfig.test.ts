// The README's MCP configuration snippets are what users paste: the VS Code one is parsed and the
// server is started exactly as written (only the path placeholder replaced by a fresh build of the
// CLI), and every JSON snippet equals what "Copy MCP Server Configuration" produces.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpClientConfig, type McpClientKind } from '../../../src/mcp/clientConfig';
import { buildCli, repoRoot } from './cliBuild';

const PLACEHOLDER = '/ABSOLUTE/PATH/TO/r1ci/dist/cli.js';
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The first fenced block of `language` after the line that contains `label`. */
function snippetAfter(label: string, language: string): string {
  const at = readme.indexOf(label);
  if (at < 0) throw new Error(`README has no "${label}"`);
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```').exec(readme.slice(at));
  if (!match?.[1]) throw new Error(`no ${language} block after "${label}" in the README`);
  return match[1];
}

const SNIPPETS: Array<[McpClientKind, string]> = [
  ['vscode', 'VS Code, `.vscode/mcp.json`'],
  ['claude', 'Claude Desktop, `claude_desktop_config.json`'],
  ['cline', 'Cline, `cline_mcp_settings.json`'],
];

describe("README's MCP configuration", () => {
  let cli: string;
  beforeAll(async () => {
    cli = await buildCli();
  });
  afterAll(() => rmSync(dirname(cli), { recursive: true, force: true }));

  it.each(SNIPPETS)('the %s snippet is what the copy command gives', (kind, label) => {
    expect(JSON.parse(snippetAfter(label, 'json'))).toEqual(JSON.parse(mcpClientConfig(kind, { command: 'node', cliPath: PLACEHOLDER })));
  });

  it('the Continue snippet starts the same command', () => {
    const yaml = snippetAfter('Continue, `.continue/mcpServers/r1ci.yaml`', 'yaml');
    expect(yaml).toMatch(/^\s+command: node$/m);
    expect(yaml).toContain(`      - ${PLACEHOLDER}\n      - mcp`);
  });

  it('the VS Code snippet, started exactly as written, serves the four tools', async () => {
    const config = JSON.parse(snippetAfter(SNIPPETS[0]![1], 'json').split(PLACEHOLDER).join(cli)) as {
      servers: Record<string, { type: string; command: string; args: string[] }>;
    };
    const server = config.servers['r1ci'];
    expect(server?.type).toBe('stdio');
    const transport = new StdioClientTransport({ command: server!.command, args: server!.args, env: getDefaultEnvironment(), stderr: 'pipe' });
    const client = new Client({ name: 'readme-test', version: '0.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['list_sessions', 'reset_session', 'run_python', 'solve']);
    } finally {
      await client.close();
    }
  });
});
