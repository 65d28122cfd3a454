// The language-model tool "Run Python in the isolated sandbox" in the real VS Code, called the way
// any agent or extension calls tools: vscode.lm.invokeTool. Python really runs in the sandbox.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { EXTENSION_ID, setSetting } from '../extensionHost';

const TOOL = 'r1ci_runPython';

async function runPython(input: { code: string; session_id?: string }): Promise<string> {
  const result = await vscode.lm.invokeTool(TOOL, { input, toolInvocationToken: undefined });
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

function stdoutOf(text: string): string {
  const match = /stdout:\n(`{3,})\n([\s\S]*?)\1/.exec(text);
  assert.ok(match, `no stdout block in:\n${text}`);
  return match[2] ?? '';
}

describe('language-model tool: Run Python in the isolated sandbox', function () {
  this.timeout(60_000);

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  it('is registered with its input schema', () => {
    const tool = vscode.lm.tools.find((t) => t.name === TOOL);
    assert.ok(tool, `${TOOL} is not in vscode.lm.tools`);
    assert.deepEqual((tool.inputSchema as { required?: string[] }).required, ['code']);
    assert.ok(tool.tags.includes('python'));
  });

  it('runs print(6*7) through vscode.lm.invokeTool and answers 42, on the isolated tier', async () => {
    const text = await runPython({ code: 'print(6*7)' });
    assert.equal(stdoutOf(text), '42\n');
    assert.match(text, /^status: ok$/m);
    assert.match(text, /^tier: isolated /m);
    assert.match(text, /^duration: \d/m);
  });

  it('a follow-up call with the same session id sees the earlier variables; another session does not', async () => {
    await runPython({ code: 'answer = 6 * 7', session_id: 'it-session' });
    assert.equal(stdoutOf(await runPython({ code: 'print(answer)', session_id: 'it-session' })), '42\n');
    const other = await runPython({ code: 'print(answer)', session_id: 'it-other' });
    assert.match(other, /NameError/);
    assert.match(other, /^status: error \(exit code 1\)$/m);
  });

  it('names the files a cell wrote', async () => {
    const text = await runPython({ code: 'open("table.csv", "w").write("a,b\\n1,2\\n")' });
    assert.match(text, /^artifacts: table\.csv \(text\/csv, 8 bytes\)$/m);
  });

  it('cancelling the call stops the cell; the session keeps its variables', async () => {
    await runPython({ code: 'kept = 7', session_id: 'it-cancel' });
    const source = new vscode.CancellationTokenSource();
    const started = Date.now();
    const pending = Promise.resolve(vscode.lm.invokeTool(TOOL, { input: { code: 'import time\ntime.sleep(120)', session_id: 'it-cancel' }, toolInvocationToken: undefined }, source.token));
    setTimeout(() => source.cancel(), 500);
    const outcome = await pending.then(
      (result) => result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join(''),
      (error: unknown) => `rejected: ${String(error)}`,
    );
    assert.ok(Date.now() - started < 15_000, `the cancelled call took ${Date.now() - started} ms`);
    assert.match(outcome, /cancel/i);
    assert.equal(stdoutOf(await runPython({ code: 'print(kept)', session_id: 'it-cancel' })), '7\n');
  });

  it('with "r1ci.sandbox.approval": "never" it runs nothing and says why', async () => {
    await setSetting('sandbox.approval', 'never');
    try {
      const text = await runPython({ code: 'print(6*7)' });
      assert.match(text, /^Not run: code execution is turned off/);
    } finally {
      await setSetting('sandbox.approval', undefined);
    }
  });

  it('"Copy MCP Server Configuration" gives VS Code\'s mcp.json with this installation\'s CLI', async () => {
    const json = await vscode.commands.executeCommand<string>('r1ci.copyMcpConfig', { client: 'vscode' });
    const config = JSON.parse(json) as { servers: { r1ci: { type: string; command: string; args: string[] } } };
    assert.equal(config.servers.r1ci.type, 'stdio');
    const [cli, command] = config.servers.r1ci.args;
    assert.equal(command, 'mcp');
    assert.ok(cli && cli.endsWith('dist/cli.js') && existsSync(cli), `not the installed CLI: ${cli}`);
    assert.ok(config.servers.r1ci.command === 'node' || existsSync(config.servers.r1ci.command), `no such Node.js: ${config.servers.r1ci.command}`);
  });
});
