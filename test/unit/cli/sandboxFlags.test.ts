// A sandbox limit given as a CLI flag reaches the sandbox (issue 14 item 4): a real `r1ci solve`
// against the scripted server, real Python; the model's code prints more than --output-kib.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/cliSupport';
import { solveCommand } from '../../../src/cli/solveCommand';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer({
    scenarios: [
      {
        id: 'loud',
        match: { contains: 'Output flag probe' },
        turns: [{ text: 'Printing.\n\n```python\nprint("x" * 5000)\n```\n' }, { text: 'Done.\n\n<<<done>>>' }],
      },
    ],
  });
});
afterAll(async () => {
  await server.close();
});

async function solveJson(args: string[]): Promise<{ turns: { cell?: { result?: { stdout: string; truncated: boolean } } }[] }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await solveCommand(['Output flag probe', '--host', server.url, '--json', '--allow-unisolated', ...args], { stdout, stderr: new PassThrough(), signal: new AbortController().signal });
  expect(code).toBe(0);
  return JSON.parse(out) as { turns: { cell?: { result?: { stdout: string; truncated: boolean } } }[] };
}

describe('sandbox limit flags of r1ci solve', () => {
  it('--output-kib cuts what the model is given back; without it the default (64 KiB) keeps all 5000 characters', async () => {
    const cut = (await solveJson(['--output-kib', '1'])).turns[0]?.cell?.result;
    expect(cut?.truncated).toBe(true);
    expect(cut?.stdout.length).toBeLessThan(1500);
    const whole = (await solveJson([])).turns[0]?.cell?.result;
    expect(whole?.truncated).toBe(false);
    expect(whole?.stdout.trim()).toBe('x'.repeat(5000));
  });

  it("a limit out of its setting's range is a usage error before anything runs", async () => {
    const before = server.requests.length;
    const error = await solveCommand(['Output flag probe', '--host', server.url, '--memory-mib', '63'], { stdout: new PassThrough(), stderr: new PassThrough(), signal: new AbortController().signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: 2, message: '--memory-mib must be a whole number from 64 to 1048576 MiB (got "63").' });
    expect(server.requests.length).toBe(before);
  });
});
