// The pre-flight (solve, chat, eval): the model match follows Ollama's naming (a name without a tag
// is ":latest"), and a server that never answers is given up on, with a message.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../../src/agent/backends';
import { CliError, EXIT } from '../../../src/cli/cliSupport';
import { checkServerAndModel, serverHasModel } from '../../../src/cli/preflight';
import { useFrontEnd } from '../../../src/text/frontEnd';

describe('serverHasModel', () => {
  it('matches Ollama names with and without the implicit :latest tag, and nothing else', () => {
    expect(serverHasModel('ollama', ['qwen2.5-coder:7b'], 'qwen2.5-coder:7b')).toBe(true);
    expect(serverHasModel('ollama', ['llama3.2:latest'], 'llama3.2')).toBe(true);
    expect(serverHasModel('ollama', ['llama3.2'], 'llama3.2:latest')).toBe(true);
    expect(serverHasModel('ollama', ['qwen2.5-coder:7b'], 'qwen2.5-coder')).toBe(false);
    expect(serverHasModel('ollama', ['qwen2.5-coder:7b'], 'qwen2.5-coder:0.5b')).toBe(false);
  });

  it('needs the exact id on an OpenAI-compatible server', () => {
    expect(serverHasModel('openai', ['Qwen/Qwen2.5-7B'], 'Qwen/Qwen2.5-7B')).toBe(true);
    expect(serverHasModel('openai', ['model:latest'], 'model')).toBe(false);
  });
});

// A server that takes the connection but never answers (stuck, or not a model server at all)
// had the CLI wait for ever before its first line, silent: the check has a time limit of its own.
describe('checkServerAndModel against a server that never answers', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    // As src/cli/main.ts does: advice names the CLI's flags.
    useFrontEnd('cli');
    server = createServer(() => {
      // never answers
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    useFrontEnd('vscode');
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  it.each([['ollama'], ['openai']] as const)('%s: fails (exit 1) saying the server did not answer and what to check', async (kind) => {
    const backend = kind === 'ollama' ? createBackend({ kind, ollamaHost: url }) : createBackend({ kind, openaiBaseUrl: `${url}/v1` });
    const error: unknown = await checkServerAndModel(backend, 'qwen2.5-coder:7b', new AbortController().signal, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT.failure);
    expect((error as CliError).message).toMatch(new RegExp(`^The server at ${url.replace(/\./g, '\\.')}(/v1)? did not answer the list of its models within 0\\.3 s`));
    expect((error as CliError).message).toMatch(kind === 'ollama' ? /--host URL/ : /--base-url URL/);
  });

  it('tells the user it is still waiting (a cold start can take minutes), once, and how to stop', async () => {
    const lines: string[] = [];
    const error: unknown = await checkServerAndModel(createBackend({ kind: 'ollama', ollamaHost: url }), 'm', new AbortController().signal, {
      timeoutMs: 1500,
      noticeAfterMs: 100,
      onSlow: (line) => lines.push(line),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: EXIT.failure });
    expect(lines).toEqual([`waiting for the server at ${url} to list its models (one starting from cold can take minutes; it is given 1.5 s; Ctrl-C to stop)…`]);
  });

  it('a cancel that came before the check is a cancel at once (exit 130)', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await checkServerAndModel(createBackend({ kind: 'ollama', ollamaHost: url }), 'm', controller.signal).catch((e: unknown) => e)).toMatchObject({ exitCode: EXIT.cancelled });
  });

  it('a cancel while waiting is a cancel (exit 130), not a time-out', async () => {
    const controller = new AbortController();
    const pending = checkServerAndModel(createBackend({ kind: 'ollama', ollamaHost: url }), 'm', controller.signal).catch((e: unknown) => e);
    controller.abort();
    expect(await pending).toMatchObject({ exitCode: EXIT.cancelled });
  });
});
