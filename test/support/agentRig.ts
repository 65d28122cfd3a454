// What a test needs to run the real agent against the scripted model server: a backend of either
// kind pointed at the server, and a real code runner in a fresh scratch folder. The rig closes
// the server, disposes the runners and removes the scratch folders after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createBackend } from '../../src/agent/backends';
import type { ModelBackend } from '../../src/agent/backends/types';
import { createCodeRunner } from '../../src/sandbox';
import type { CodeRunner, SandboxOptions } from '../../src/sandbox/types';
import { startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from './scripted-server';

/** The two wire protocols the scripted server speaks. */
export type BackendKind = 'ollama' | 'openai';
export const BOTH_BACKENDS: readonly BackendKind[] = ['ollama', 'openai'];

/** A backend of `kind` for the server at `url` (OpenAI-compatible under `/v1`, no API key). */
export function scriptedBackend(kind: BackendKind, url: string): ModelBackend {
  return kind === 'ollama' ? createBackend({ kind, ollamaHost: url }) : createBackend({ kind, openaiBaseUrl: `${url}/v1`, apiKey: '' });
}

export interface AgentRig {
  /** Starts this test's scripted server (closed after the test). */
  serve(options: ScriptedServerOptions): Promise<ScriptedServer>;
  /** A real code runner in a new scratch folder under the temp dir (both gone after the test). */
  codeRunner(options?: Omit<SandboxOptions, 'scratchDir'>): Promise<CodeRunner>;
}

/** Registers the after-each clean-up; call once at the top of a test file. `scratchPrefix` names the scratch folders. */
export function useAgentRig(scratchPrefix: string): AgentRig {
  let server: ScriptedServer | undefined;
  const scratches: string[] = [];
  const runners: CodeRunner[] = [];
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.dispose();
    for (const dir of scratches.splice(0)) rmSync(dir, { recursive: true, force: true });
    await server?.close();
    server = undefined;
  });
  return {
    async serve(options) {
      server = await startScriptedServer(options);
      return server;
    },
    async codeRunner(options = {}) {
      const scratchDir = mkdtempSync(join(tmpdir(), scratchPrefix));
      scratches.push(scratchDir);
      const runner = await createCodeRunner({ ...options, scratchDir });
      runners.push(runner);
      return runner;
    },
  };
}
