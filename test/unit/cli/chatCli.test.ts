// `r1ci chat` as a user runs it: the CLI bundled as the build bundles it, spawned as its own
// process with its stdin a pipe, against the scripted model server over HTTP, with real Python
// in the sandbox. Follow-ups see earlier cells' variables; Ctrl-C (SIGINT) cancels the running
// question, and at the prompt leaves with no process of the sandbox left behind.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONVERSATION_SCENARIOS, SET_X, SLEEP, USE_X } from '../../support/conversationScenarios';
import { descendants, eventually, PATIENCE_MS } from '../../support/processTree';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { bundleCli } from '../../support/builtCli';

/** Runs argv under a pseudo-terminal and exits with its exit code (Python's pty module; python3 also runs the sandbox's cells). */
const PTY_SPAWN = 'import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))';

/**
 * Runs argv under a pseudo-terminal, types argv[0] (a question) at its prompt, closes the terminal
 * once a code cell runs (a terminal window closed) and prints how the process ended: "exit N" or
 * "signal N" (Python's pty module).
 */
const PTY_HANG_UP = `import os, pty, select, signal, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
seen, asked = b'', False
while b'running code cell' not in seen and select.select([fd], [], [], 60)[0]:
    seen += os.read(fd, 65536)
    if not asked and '› '.encode() in seen:
        os.write(fd, sys.argv[1].encode() + b'\\r')
        asked = True
os.close(fd)
status = os.waitpid(pid, 0)[1]
print(f'signal {os.WTERMSIG(status)}' if os.WIFSIGNALED(status) else f'exit {os.WEXITSTATUS(status)}')`;

let dir = '';
let cli = '';
let server: ScriptedServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r1ci-chat-cli-'));
  cli = join(dir, 'cli.js');
  await bundleCli(cli);
  server = await startScriptedServer({ scenarios: [...CONVERSATION_SCENARIOS] });
});
/** Every chat started, so one a failing test left running is stopped (a terminal's chat then gets SIGHUP). */
const started: ChildProcessWithoutNullStreams[] = [];
afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A running `r1ci chat` with helpers to type lines and wait for output. */

class ChatProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  /**
   * `terminal`: the chat's stdin and stdout are a terminal (a pseudo-terminal made by Python's
   * pty.spawn, which relays this process's pipes to it), as when a user runs it; its stdout and
   * stderr then arrive together in `stdout`, and keys are typed with `press`.
   */
  constructor(args: readonly string[] = [], options: { tmp?: string; terminal?: boolean; gated?: boolean } = {}) {
    // --allow-unisolated: where bubblewrap does not work, the basic tier runs the (scripted) code. `gated`: without it.
    const chat = [cli, 'chat', '--base-url', server.url, '--model', 'qwen2.5-coder:7b', '--protocol', 'r1ci', ...(options.gated ? [] : ['--allow-unisolated']), ...args];
    const command = options.terminal ? (['python3', ['-c', PTY_SPAWN, process.execPath, ...chat]] as const) : ([process.execPath, chat] as const);
    this.child = spawn(command[0], command[1], {
      cwd: dir,
      env: { ...process.env, R1CI_RESOURCES_DIR: resolve('resources'), NO_COLOR: '1', ...(options.tmp ? { TMPDIR: options.tmp } : {}) },
    });
    started.push(this.child);
    this.child.stdout.on('data', (b: Buffer) => (this.stdout += b.toString()));
    this.child.stderr.on('data', (b: Buffer) => (this.stderr += b.toString()));
    this.exited = new Promise((done) => this.child.on('exit', (code) => done(code)));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Sends keys as typed at the terminal (`\r` is Enter, `\x03` Ctrl-C, `\x04` Ctrl-D). */
  press(keys: string): void {
    this.child.stdin.write(keys);
  }

  end(): void {
    this.child.stdin.end();
  }

  /** The reader of its stdout goes away (as `| head` does once it has its lines). */
  closeStdout(): void {
    this.child.stdout.destroy();
  }

  interrupt(signal: NodeJS.Signals = 'SIGINT'): void {
    this.child.kill(signal);
  }

  /** Waits until stdout holds `text` `times` times. */
  async waitFor(text: string, times = 1, timeoutMs = PATIENCE_MS): Promise<void> {
    const seen = await eventually(() => this.stdout.split(text).length - 1 >= times, timeoutMs, 50);
    if (!seen) throw new Error(`"${text}" (×${times}) never appeared.\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
  }
}

describe('r1ci chat (spawned CLI, scripted server, real sandbox)', () => {
  it('basic tier, no terminal, no --allow-unisolated: a cell is shown as not run, never as running', async () => {
    const chat = new ChatProcess(['--isolation', 'basic'], { gated: true });
    chat.type(SET_X);
    await chat.waitFor('code cell 1: not run (no isolation available)');
    chat.end();
    expect(await chat.exited).toBe(0);
    expect(chat.stderr).toContain('model code will not be run');
    expect(chat.stdout).not.toMatch(/running code cell|Code Execution Results/);
  });

  it('keeps the sandbox across follow-ups, /reset starts over, end of input leaves cleanly', async () => {
    const chat = new ChatProcess();
    chat.type(SET_X);
    await chat.waitFor('Final answer: set');
    chat.type(USE_X);
    await chat.waitFor('Final answer: 42');
    // The follow-up's cell is the conversation's second, and printed the first one's variable plus one.
    expect(chat.stdout).toContain('running code cell 2');
    chat.type('/reset');
    await chat.waitFor('Started over');
    chat.type(USE_X);
    await chat.waitFor("NameError: name 'x' is not defined");
    chat.end();
    expect(await chat.exited).toBe(0);
    expect(chat.stderr).not.toContain('r1ci: error');
  });

  it('Ctrl-C cancels the running question and the chat goes on; Ctrl-C at the prompt leaves with no sandbox process left', async () => {
    const chat = new ChatProcess();
    chat.type(SLEEP);
    await chat.waitFor('sleeping');
    const sandboxProcesses = descendants(chat.pid);
    expect(sandboxProcesses.length).toBeGreaterThan(0);
    chat.interrupt();
    await chat.waitFor('Cancelled.');
    chat.type(SET_X);
    await chat.waitFor('Final answer: set');
    chat.interrupt();
    expect(await chat.exited).toBe(130);
    expect(await eventually(() => sandboxProcesses.every((p) => !isAlive(p.pid)))).toBe(true);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP (the terminal closed)', 129],
  ] as const)('%s during a cell leaves with no sandbox process and no scratch, home or host folder left', async (name, code) => {
    const tmp = join(dir, `tmp-${code}`);
    mkdirSync(tmp);
    const chat = new ChatProcess([], { tmp });
    chat.type(SLEEP);
    await chat.waitFor('sleeping');
    const sandboxProcesses = descendants(chat.pid);
    expect(sandboxProcesses.length).toBeGreaterThan(0);
    expect(readdirSync(tmp).length).toBeGreaterThan(0);
    chat.interrupt(name.startsWith('SIGHUP') ? 'SIGHUP' : 'SIGTERM');
    expect(await chat.exited).toBe(code);
    expect(readdirSync(tmp)).toEqual([]);
    expect(await eventually(() => sandboxProcesses.every((p) => !isAlive(p.pid)))).toBe(true);
  });

  it('a second Ctrl-C leaves, and /exit leaves after the question before it', async () => {
    const chat = new ChatProcess();
    chat.type(SLEEP);
    await chat.waitFor('sleeping');
    chat.interrupt();
    // Only after the first was taken: the kernel merges two pending SIGINTs into one.
    await chat.waitFor('Ctrl-C again leaves');
    chat.interrupt();
    expect(await chat.exited).toBe(130);

    const second = new ChatProcess(['--json']);
    second.type(SET_X);
    second.type('/exit');
    expect(await second.exited).toBe(0);
    const record = JSON.parse(second.stdout.split('\n').find((l) => l.startsWith('{')) ?? 'null') as { answer: string; turns: unknown[] };
    expect(record.answer).toBe('set');
    expect(record.turns).toHaveLength(2);
  });

  it('at a terminal, Ctrl-D while a question runs leaves once it is answered', async () => {
    const chat = new ChatProcess(['--timeout', '2'], { terminal: true });
    await chat.waitFor('› ');
    chat.press(`${SLEEP}\r`);
    await chat.waitFor('running code cell 1');
    chat.press('\x04');
    await chat.waitFor('Final answer: woke');
    // The closed prompt was shown again, which resumed the terminal: the process never exited.
    expect(await chat.exited).toBe(0);
  });

  it.each([
    ['Ctrl-D', '\x04', 0],
    ['Ctrl-C', '\x03', 130],
  ] as const)('at a terminal, %s at the prompt leaves with the line ended, so the shell prompt starts on a fresh line', async (_name, key, code) => {
    const chat = new ChatProcess([], { terminal: true });
    await chat.waitFor('› ');
    chat.press(key);
    expect(await chat.exited).toBe(code);
    // Nothing but the end of the line after the prompt (it was "› " and the cursor left there).
    const tail = chat.stdout.slice(chat.stdout.lastIndexOf('› '));
    expect(tail.endsWith('\n'), JSON.stringify(tail)).toBe(true);
  });

  it('SIGHUP with its reader gone too: the exit code is the first cause, 129, not the failed writes that follow (141)', async () => {
    const chat = new ChatProcess();
    chat.type(SLEEP);
    await chat.waitFor('sleeping');
    // The hang-up first, then the reader: a write failing before the SIGHUP (possible when the
    // reader goes first) would make the reader's going the first cause, and 141 right.
    chat.interrupt('SIGHUP');
    chat.closeStdout();
    expect(await chat.exited).toBe(129);
  });

  it('the terminal closing during a cell ends the chat by SIGHUP, with no sandbox process or folder left (Node 20 aborted at exit)', async () => {
    const tmp = join(dir, 'tmp-hang-up');
    mkdirSync(tmp);
    const run = spawn('python3', ['-c', PTY_HANG_UP, SLEEP, process.execPath, cli, 'chat', '--base-url', server.url, '--model', 'qwen2.5-coder:7b', '--protocol', 'r1ci', '--allow-unisolated'], {
      cwd: dir,
      env: { ...process.env, R1CI_RESOURCES_DIR: resolve('resources'), NO_COLOR: '1', TMPDIR: tmp },
    });
    let out = '';
    run.stdout.on('data', (b: Buffer) => (out += b.toString()));
    run.stderr.on('data', (b: Buffer) => (out += b.toString()));
    await new Promise((done) => run.on('exit', done));
    expect(out.trim()).toBe(`signal ${constants.signals.SIGHUP}`);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
