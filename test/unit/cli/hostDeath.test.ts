// Red team (s38-red): nothing of a sandbox outlives the `r1ci solve` that started it, even when that
// process dies without a word (SIGKILL, a crash, the out-of-memory killer) while a cell runs. The
// supervisor kills what the cell left once its request pipe ends; on the isolated tier bubblewrap
// dies with its parent and takes the pid namespace along. A cell that stopped its supervisor
// (SIGSTOP, same uid) kept it from ever seeing that end: on the basic tier, with the CLI killed, the
// stopped supervisor, the interpreter still running the cell and the cell's child ran on, unowned.
// The CLI is bundled and spawned as a user runs it, against the scripted server over HTTP.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../../support/builtCli';
import { eventually } from '../../support/processTree';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { pidsWithCommandLine, REQUIRED_TIERS } from '../sandbox/helpers';

let server: ScriptedServer;
let dir = '';
let cli = '';

/** A cell that starts a child with `marker` in its command line, tries to stop its supervisor, says "ready" and runs on. */
const cell = (marker: string): string =>
  [
    'import os, signal, subprocess, sys, time',
    `subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "${marker}"])`,
    'try:',
    '    os.kill(os.getppid(), signal.SIGSTOP)',
    'except OSError as e:',
    '    print("not stopped:", e.errno)',
    'print("ready", flush=True)',
    'time.sleep(600)',
  ].join('\n');

/** The parent (field 4 of /proc/PID/stat) and state of `pid`, or undefined when it is gone. */
function stat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

const isZombie = (pid: number): boolean => stat(pid)?.state === 'Z';

/** `pid` and its ancestors up to, not including, `top`. */
function ancestorsBelow(pid: number, top: number): number[] {
  const found: number[] = [];
  for (let at: number | undefined = pid; at !== undefined && at > 1 && at !== top && found.length < 10; at = stat(at)?.ppid) found.push(at);
  return found;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'r1ci-host-death-'));
  cli = await bundleCli(path.join(dir, 'cli.js'));
  server = await startScriptedServer({
    scenarios: REQUIRED_TIERS.map((tier) => ({
      id: `host-death-${tier}`,
      match: { contains: `Outlive the host (${tier})` },
      turns: [{ text: `\`\`\`python\n${cell(`r1ci-host-death-${tier}-${process.pid}`)}\n\`\`\`\n` }, { text: 'Done.\n\n<<<x>>>' }],
    })),
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(REQUIRED_TIERS)('r1ci solve killed with SIGKILL while a cell runs (%s tier)', (tier) => {
  it('leaves nothing of the sandbox running, even when the cell tried to stop its supervisor', async () => {
    const marker = `r1ci-host-death-${tier}-${process.pid}`;
    const args = [
      'solve',
      `Outlive the host (${tier})`,
      '--backend',
      'ollama',
      '--base-url',
      server.url,
      '--protocol',
      'chat',
      '--timeout',
      '600',
      '--isolation',
      tier === 'basic' ? 'basic' : 'auto',
      '--allow-unisolated',
    ];
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, R1CI_RESOURCES_DIR: path.resolve('resources'), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // The cell's child and the processes between it and the CLI (interpreter, supervisor, bwrap).
    let chain: number[] = [];
    try {
      // The cell's child runs: the cell is under way (its "ready" stays in the sandbox's pipe until the cell ends).
      expect(await eventually(() => pidsWithCommandLine(marker).length > 0), output).toBe(true);
      chain = pidsWithCommandLine(marker).flatMap((pid) => ancestorsBelow(pid, child.pid ?? -1));
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const alive = (): number[] => chain.filter((pid) => existsSync(`/proc/${pid}`) && !isZombie(pid));
    const gone = await eventually(() => alive().length === 0, 20_000);
    const left = alive();
    // Never leave them behind for the next test, whatever happened.
    for (const pid of left) process.kill(pid, 'SIGKILL');
    expect({ gone, left, found: chain.length > 1 }).toEqual({ gone: true, left: [], found: true });
  });
});
