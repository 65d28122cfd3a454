// `r1ci solve` against both backends: options, --json with per-turn statistics, exit codes.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solveCommand } from '../../../src/cli/solveCommand';
import { removeTree } from '../../../src/sandbox/scratchJanitor';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { symbenchQuestion } from '../../support/sharedTasks';

const root = resolve(__dirname, '..', '..', '..');
const question = symbenchQuestion(undefined, 'statistical_counting_dataset', 0);

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer({ scenarios: join(root, 'test', 'scenarios', 'foundation.json'), apiKey: 'sk-cli' });
});
afterAll(async () => {
  await server.close();
});

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await solveCommand(args, { stdout, stderr, signal: new AbortController().signal });
    return { code, stdout: out, stderr: err };
  } finally {
    for (const key of Object.keys(env)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

interface JsonTurn {
  text: string;
  codeMs?: number;
  stats?: { modelMs: number; promptTokens?: number; outputTokens?: number; tokensPerSecond?: number; firstTokenMs?: number };
}

describe('r1ci solve with either backend', () => {
  it.each([
    ['ollama', ['--backend', 'ollama', '--base-url', '']],
    ['openai', ['--backend', 'openai', '--api-key', 'sk-cli', '--base-url', '']],
  ])('%s: --json carries per-turn tokens, tokens/s, model and code time', async (kind, args) => {
    const withUrl = args.map((a) => (a === '' ? (kind === 'ollama' ? server.url : `${server.url}/v1`) : a));
    // --context-tokens is Ollama's num_ctx: with --backend openai it is refused, not ignored.
    const { code, stdout } = await cli([question, ...withUrl, '--protocol', 'chat', '--json', '--seed', '5', ...(kind === 'ollama' ? ['--context-tokens', '8192'] : [])]);
    expect(code).toBe(0);
    const t = JSON.parse(stdout) as { answer: string; backend: { kind: string }; turns: JsonTurn[]; modelMs: number; codeMs: number };
    expect(t.answer).toBe('3');
    expect(t.backend.kind).toBe(kind);
    expect(t.turns).toHaveLength(3);
    for (const turn of t.turns) expect(turn.stats?.modelMs).toBeGreaterThan(0);
    // The last turn ran to the end, so the server's counts are there.
    expect(t.turns[2]?.stats?.promptTokens).toBeGreaterThan(0);
    expect(t.turns[2]?.stats?.outputTokens).toBeGreaterThan(0);
    expect(t.turns[2]?.stats?.tokensPerSecond).toBeGreaterThan(0);
    expect(t.turns[0]?.codeMs).toBeGreaterThan(0);
    expect(t.codeMs).toBeCloseTo((t.turns[0]?.codeMs ?? 0) + (t.turns[1]?.codeMs ?? 0), 5);
    const chat = server.chatRequests().at(-1);
    expect(chat?.body).toMatchObject(kind === 'ollama' ? { options: { seed: 5, num_ctx: 8192 } } : { seed: 5 });
    server.clearRequests();
  });

  it('takes the API key from R1CI_API_KEY', async () => {
    const { code } = await cli(['total score of the string ABBBA?', '--backend', 'openai', '--base-url', `${server.url}/v1`, '--text-only'], { R1CI_API_KEY: 'sk-cli' });
    expect(code).toBe(0);
    expect(server.chatRequests().at(-1)?.authorization).toBe('Bearer sk-cli');
    server.clearRequests();
  });

  it('a wrong key exits 1 with the server and the fix in the message, found by the check before the run', async () => {
    const before = server.chatRequests().length;
    await expect(cli(['total score of the string ABBBA?', '--backend', 'openai', '--base-url', `${server.url}/v1`, '--api-key', 'nope', '--text-only'])).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringContaining('refused the API key') as unknown,
    });
    expect(server.chatRequests().length).toBe(before);
    server.clearRequests();
  });

  it('rejects an unknown backend as a usage error', async () => {
    await expect(cli(['q', '--backend', 'llamafile'])).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('r1ci solve cleans up after hostile code', () => {
  it('a scratch tree deeper than PATH_MAX is removed; no raw ENAMETOOLONG, the answer stands', async () => {
    const hostile = await startScriptedServer({ scenarios: join(root, 'test', 'scenarios', 'sandbox-hostile.json') });
    const temp = mkdtempSync(join(tmpdir(), 'r1ci-test-solve-deep-'));
    try {
      const { code, stdout, stderr } = await cli(['Build a folder chain deeper than PATH_MAX.', '--backend', 'ollama', '--base-url', hostile.url, '--protocol', 'chat', '--allow-unisolated'], { TMPDIR: temp });
      expect(stderr).not.toContain('ENAMETOOLONG');
      expect(code).toBe(0);
      expect(stdout).toContain('deep');
      expect(readdirSync(temp).filter((name) => name.startsWith('r1ci-solve-'))).toEqual([]);
    } finally {
      await removeTree(temp);
      await hostile.close();
    }
  });
});
