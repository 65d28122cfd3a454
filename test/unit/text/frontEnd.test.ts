// Error advice speaks the front end's language: VS Code settings and UI in the extension, flags
// and environment variables in the CLI. Real servers: the scripted one, and a closed port.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BackendError, OllamaBackend, OpenAiBackend } from '../../../src/agent/backends';
import { knob, pullAdvice, useFrontEnd, type Knob } from '../../../src/text/frontEnd';
import { createCodeRunner } from '../../../src/sandbox';
import { resolvePython } from '../../../src/sandbox/python';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';

const KNOBS: readonly Knob[] = ['ollamaHost', 'openaiBaseUrl', 'apiKey', 'model', 'maxCodeCalls', 'contextTokens', 'stallSeconds', 'pythonPath', 'isolationBasic', 'think', 'protocol'];

function closedPort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function failure(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BackendError) return error;
    throw error;
  }
  throw new Error('expected a BackendError');
}

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer({ scenarios: 'test/scenarios/foundation.json', apiKey: 'sk-right' });
});
afterAll(() => server.close());
afterEach(() => useFrontEnd('vscode'));

describe('advice per front end', () => {
  it('the CLI names flags or environment variables, VS Code names settings or its UI, for every knob', () => {
    for (const name of KNOBS) {
      expect(knob(name, 'cli')).toMatch(/--[a-z-]+/);
      expect(knob(name, 'cli')).not.toMatch(/r1ci\.|setting|picker|status bar/i);
      expect(knob(name, 'vscode')).not.toMatch(/--[a-z]/);
    }
    expect(knob('ollamaHost', 'cli')).toContain('OLLAMA_HOST');
    expect(pullAdvice('m:1b', 'cli')).not.toContain('picker');
    expect(pullAdvice('m:1b', 'vscode')).toContain('model picker');
  });

  it('real backend errors follow the process front end', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const vscodeDown = await failure(new OllamaBackend(url).listModels());
    expect(vscodeDown.message).toContain('"r1ci.ollama.host"');
    useFrontEnd('cli');
    const cliDown = await failure(new OllamaBackend(url).listModels());
    expect(cliDown.kind).toBe('server-unreachable');
    expect(cliDown.message).toContain('--host URL (or the OLLAMA_HOST environment variable)');
    const badKey = await failure(new OpenAiBackend({ baseUrl: `${server.url}/v1`, apiKey: 'wrong' }).listModels());
    expect(badKey.kind).toBe('auth');
    expect(badKey.message).toContain('--api-key KEY (or the R1CI_API_KEY environment variable)');
    for (const e of [cliDown, badKey]) expect(e.message).not.toMatch(/r1ci\.\w|setting|picker/i);
  });

  it('the sandbox words a missing Python and the basic tier for the front end: the setting in VS Code, the flag in the CLI', async () => {
    const missing = async (): Promise<string> =>
      (await resolvePython('/nonexistent/python').then(
        () => '',
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      )) || 'resolved';
    const basicNote = async (): Promise<string> => {
      const scratchDir = mkdtempSync(join(tmpdir(), 'r1ci-front-end-'));
      const runner = await createCodeRunner({ scratchDir, isolation: 'basic' });
      try {
        return runner.tierNote;
      } finally {
        await runner.dispose();
        rmSync(scratchDir, { recursive: true, force: true });
      }
    };
    expect(await missing()).toMatch(/^No usable Python 3 interpreter \(\/nonexistent\/python: .*\)\. Install Python 3 or set the interpreter path in "r1ci\.python\.path"\.$/);
    expect(await basicNote()).toContain('isolation turned off with "r1ci.sandbox.isolation": "basic" in the settings;');
    useFrontEnd('cli');
    expect(await missing()).toMatch(/Install Python 3 or set --python PATH\.$/);
    expect(await basicNote()).toContain('isolation turned off with --isolation basic;');
    for (const text of [await missing(), await basicNote()]) expect(text).not.toMatch(/r1ci\.\w|setting/i);
  });
});
