// `r1ci solve` tells the truth about isolation and never writes raw control sequences to a
// terminal (issue 10 item 8, issue 11 item 6): real solve runs against the scripted server over
// HTTP, real Python in the real sandbox. Model code that must not run would leave a marker file.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFrontEnd } from '../../../src/text/frontEnd';
import { solveCommand } from '../../../src/cli/solveCommand';
import { evalCommand } from '../../../src/cli/evalCommand';
import type { Scenario } from '../../support/scripted-server';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { sharedCaseText } from '../../support/sharedTasks';
import { isolation } from '../sandbox/helpers';
import { descendants, eventually } from '../../support/processTree';

const REPO = path.resolve(__dirname, '../../..');
let server: ScriptedServer;
let dir = '';

/** A case of ../shared/cases/real-models as a scenario matched by `question` ({{RESULT}} = first line of the result). */
function realModelCase(file: string, question: string): Scenario {
  const data = JSON.parse(sharedCaseText(REPO, 'real-models', file)) as { turns: string[] };
  return { id: file, match: { contains: question }, turns: data.turns.map((text) => ({ text: text.replaceAll('{{RESULT}}', '{{resultLine 0}}') })) };
}

beforeAll(async () => {
  // As src/cli/main.ts does: the sandbox's advice and tier note name the CLI's flags.
  useFrontEnd('cli');
  dir = mkdtempSync(path.join(os.tmpdir(), 'r1ci-cli-isolation-'));
  const marker = path.join(dir, 'model-code-ran');
  server = await startScriptedServer({
    scenarios: [
      {
        id: 'gate',
        match: { contains: 'Isolation gate probe' },
        turns: [
          // On the basic tier this creates the marker on the host; the isolated tier cannot see `dir`.
          { text: `Running it.\n\n\`\`\`python\nimport pathlib\ntry:\n    pathlib.Path(${JSON.stringify(marker)}).write_text('x')\nexcept OSError:\n    pass\nprint('GATE-' + 'RAN')\n\`\`\`\n` },
          { text: 'The result was: {{result}}\n\n<<<done>>>' },
        ],
      },
      realModelCase('terminal-escapes-in-output.json', 'Terminal escapes probe'),
      realModelCase('progress-bar-redraws.json', 'Progress bar probe'),
      { id: 'hostile-text', match: { contains: 'Hostile text probe' }, turns: [{ text: 'Look \x1b]0;OWNED\x07 here \u202Eevil\u202C and\x1b[2J done.\n\n<<<4\x1b[31m2>>>' }] },
    ],
  });
});
afterAll(async () => {
  useFrontEnd('vscode');
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in the order they were written. */
  both: string;
}

async function solve(args: string[], stdin?: { tty: boolean; reply?: string }): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const input = Object.assign(new PassThrough(), { isTTY: stdin?.tty ?? false });
  const run = { stdout: '', stderr: '', both: '' };
  stdout.on('data', (d: Buffer) => ((run.stdout += d.toString()), (run.both += d.toString())));
  stderr.on('data', (d: Buffer) => {
    run.stderr += d.toString();
    run.both += d.toString();
    if (stdin?.reply !== undefined && d.toString().includes('[y/N]')) input.write(`${stdin.reply}\n`);
  });
  // --protocol with --text-only is refused (no code is run, so it would be ignored).
  const code = await solveCommand([...args, '--backend', 'ollama', '--base-url', server.url, ...(args.includes('--text-only') ? [] : ['--protocol', 'chat'])], {
    stdout,
    stderr,
    stdin: input,
    signal: new AbortController().signal,
  });
  return { code, ...run };
}

/** What the model was sent as the result of its code (the last request's last message). */
function lastSentToModel(): string {
  const body = server.chatRequests().at(-1)?.body as { messages?: { content: string }[] } | undefined;
  return body?.messages?.at(-1)?.content ?? '';
}

/** Streams of a CLI command at a terminal whose user presses Ctrl-C (the signal aborts) when asked the isolation question. */
function cancelledWhenAsked(): { stdout: PassThrough; stderr: PassThrough; stdin: PassThrough & { isTTY: true }; controller: AbortController } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = Object.assign(new PassThrough(), { isTTY: true as const });
  const controller = new AbortController();
  stderr.on('data', (d: Buffer) => {
    if (d.toString().includes('[y/N]')) controller.abort();
  });
  stdout.resume();
  return { stdout, stderr, stdin, controller };
}

describe('r1ci solve: the sandbox tier and consent', () => {
  it('basic tier, no terminal, no --allow-unisolated: the tier comes first, the model gets "not run", the user learns how to get isolation back', async () => {
    const marker = path.join(dir, 'model-code-ran');
    const run = await solve(['Isolation gate probe', '--isolation', 'basic']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/sandbox tier: basic — Basic: isolation turned off with --isolation basic;/);
    expect(run.stderr).not.toMatch(/setting/);
    expect(run.both.indexOf('sandbox tier: basic')).toBeLessThan(run.both.indexOf('code cell 1'));
    // The progress text does not claim a run that never happens.
    expect(run.stdout).not.toMatch(/running code cell|Code Execution Results/);
    expect(run.stdout).toMatch(/code cell 1: not run \(no isolation available\)/);
    expect(lastSentToModel()).toContain('not run: no isolation available');
    expect(lastSentToModel()).not.toContain('GATE-RAN');
    // The basic tier was the user's choice: the way back is to leave out that flag, not to install anything.
    expect(run.stderr).toMatch(/For isolation, leave out --isolation basic\./);
    expect(run.stderr).not.toMatch(/install bubblewrap/);
    expect(run.stderr).toMatch(/--allow-unisolated/);
    expect(existsSync(marker)).toBe(false);
  });

  it('basic tier with --allow-unisolated runs the code and says so', async () => {
    const run = await solve(['Isolation gate probe', '--isolation', 'basic', '--allow-unisolated']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/sandbox tier: basic[\s\S]*without isolation \(--allow-unisolated\)/);
    expect(lastSentToModel()).toContain('GATE-RAN');
    expect(run.stdout).toMatch(/running code cell 1/);
    rmSync(path.join(dir, 'model-code-ran'), { force: true });
  });

  it.each([
    ['y', true],
    ['n', false],
    ['', false],
  ])('basic tier at a terminal asks first; answer "%s" runs the code: %s', async (reply, ran) => {
    const run = await solve(['Isolation gate probe', '--isolation', 'basic'], { tty: true, reply });
    expect(run.stderr).toContain('[y/N]');
    expect(lastSentToModel()).toContain(ran ? 'GATE-RAN' : 'not run: no isolation available');
    expect(existsSync(path.join(dir, 'model-code-ran'))).toBe(ran);
    expect(run.stdout).toMatch(ran ? /running code cell 1/ : /code cell 1: not run \(no isolation available\)/);
    rmSync(path.join(dir, 'model-code-ran'), { force: true });
  });

  it('cancelling while asked ends the run as cancelled (exit 130) and runs nothing', async () => {
    const { stdout, stderr, stdin, controller } = cancelledWhenAsked();
    const before = new Set(descendants(process.pid).map((p) => p.pid));
    const requests = server.chatRequests().length;
    await expect(solveCommand(['Isolation gate probe', '--isolation', 'basic', '--backend', 'ollama', '--base-url', server.url], { stdout, stderr, stdin, signal: controller.signal })).rejects.toMatchObject({
      exitCode: 130,
    });
    expect(server.chatRequests().length).toBe(requests);
    expect(existsSync(path.join(dir, 'model-code-ran'))).toBe(false);
    // The sandbox started before the question was asked ends with it (its processes kept the CLI alive).
    const left = (): number => descendants(process.pid).filter((p) => !before.has(p.pid)).length;
    expect(await eventually(() => left() === 0)).toBe(true);
  });

  it('eval cancelled while asked leaves no scratch folder and no sandbox process', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'r1ci-eval-gate-'));
    const { stdout, stderr, stdin, controller } = cancelledWhenAsked();
    const before = new Set(descendants(process.pid).map((p) => p.pid));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const args = [path.join(REPO, 'test/fixtures/workspace/eval-mixed'), '--isolation', 'basic', '--base-url', server.url, '--out', path.join(dir, 'gate.results.jsonl')];
      await expect(evalCommand(args, { stdout, stderr, stdin, signal: controller.signal })).rejects.toMatchObject({ exitCode: 130 });
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(readdirSync(tmp)).toEqual([]);
    expect(await eventually(() => descendants(process.pid).every((p) => before.has(p.pid)))).toBe(true);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('end of input while asked (Ctrl-D) answers no: the code is not run and the run goes on', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    let err = '';
    stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (d.toString().includes('[y/N]')) stdin.end();
    });
    stdout.resume();
    const code = await solveCommand(['Isolation gate probe', '--isolation', 'basic', '--backend', 'ollama', '--base-url', server.url, '--protocol', 'chat'], {
      stdout,
      stderr,
      stdin,
      signal: new AbortController().signal,
    });
    expect(code).toBe(0);
    expect(err).toContain('model code will not be run');
    expect(lastSentToModel()).toContain('not run: no isolation available');
    expect(existsSync(path.join(dir, 'model-code-ran'))).toBe(false);
  });

  it('the isolated tier is shown and runs the code without asking', async () => {
    // On Linux CI the isolated tier must work: this fails (never skips) when bubblewrap does not.
    if (process.platform !== 'linux') return;
    expect(isolation.tier).toBe('isolated');
    const run = await solve(['Isolation gate probe'], { tty: true });
    expect(run.stderr).toMatch(/sandbox tier: isolated/);
    expect(run.stderr).not.toContain('[y/N]');
    expect(lastSentToModel()).toContain('GATE-RAN');
    expect(existsSync(path.join(dir, 'model-code-ran'))).toBe(false);
  });
});

describe('r1ci solve: terminal text', () => {
  const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

  it('program output with clear-screen, title and colour escapes: the model reads plain text, the terminal gets it escaped', async () => {
    const run = await solve(['Terminal escapes probe', '--isolation', 'basic', '--allow-unisolated']);
    expect(run.code).toBe(0);
    expect(lastSentToModel()).toContain('red result=7');
    expect(lastSentToModel()).not.toMatch(RAW_CONTROL);
    expect(run.stdout).not.toMatch(RAW_CONTROL);
    expect(run.stderr).not.toMatch(RAW_CONTROL);
    expect(run.stdout).toContain('\\x1b[2J\\x1b[H\\x1b]0;TITLE-SET-BY-SANDBOX\\x07');
    expect(run.stdout).toMatch(/Final answer: red result=7/);
  });

  it('--json keeps the program output as data: the text a terminal leaves (the sandbox consumed the escape sequences)', async () => {
    const run = await solve(['Terminal escapes probe', '--isolation', 'basic', '--allow-unisolated', '--json']);
    const doc = JSON.parse(run.stdout) as { turns: { cell?: { result?: { stdout: string } } }[] };
    expect(doc.turns.find((t) => t.cell?.result)?.cell?.result?.stdout).toBe('red result=7\n');
    expect(run.stdout).not.toMatch(RAW_CONTROL);
  });

  it('--json of hostile model text: the same data, with C1 controls, DEL and bidi overrides written as \\u escapes (JSON.stringify leaves them raw)', async () => {
    const run = await solve(['Hostile text probe', '--text-only', '--json']);
    expect(run.stdout).not.toMatch(RAW_CONTROL);
    const doc = JSON.parse(run.stdout) as { answer: string; turns: { text?: string; content?: string }[] };
    expect(doc.answer).toBe('4\x1b[31m2');
    expect(JSON.stringify(doc)).toContain('\u202Eevil\u202C');
  });

  it('a progress bar redrawn 3,000 times reaches the model as lines in their final state, with the answer', async () => {
    const run = await solve(['Progress bar probe', '--isolation', 'basic', '--allow-unisolated']);
    expect(run.code).toBe(0);
    const sent = lastSentToModel();
    expect(sent).toContain('answer: 42');
    expect(sent).not.toContain('\r');
    // The bar's final state, not 64 KiB of redraws: the capture collapses before it cuts.
    expect(sent).toMatch(/^100%\|#{20}\| 3000\/3000 \[00:00<00:00, 9999\.99it\/s\]$/m);
    expect(run.stdout).toContain('100%|####################| 3000/3000');
    expect(run.stdout).not.toMatch(/(?<!\d)\d{1,2}%\|/);
    expect(sent.length).toBeLessThan(1000);
    expect(run.stdout).toMatch(/Final answer: answer: 42/);
    expect(run.stdout).not.toMatch(RAW_CONTROL);
  });

  it('model text and the final answer with OSC, bidi overrides and CSI are shown escaped', async () => {
    const run = await solve(['Hostile text probe', '--text-only']);
    expect(run.stdout).not.toMatch(RAW_CONTROL);
    expect(run.stdout).toContain('\\x1b]0;OWNED\\x07');
    expect(run.stdout).toContain('\\u202eevil\\u202c');
    expect(run.stdout).toContain('Final answer: 4\\x1b[31m2');
  });
});
