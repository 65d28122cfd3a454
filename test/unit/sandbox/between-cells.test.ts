// Nothing of a cell runs after it returns (docs/sandbox-tiers.md, "Between cells"): threads the
// cell left running (daemon threads, `_thread`), its timers and signal handlers are stopped with
// the interpreter until the next cell, whether it has one thread or many. Really run on both tiers; the host reads the
// interpreter's CPU time and children from /proc while it idles.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeRunner } from '../../../src/sandbox/index';
import type { ExecResult } from '../../../src/sandbox/types';
import { eventually, PATIENCE_MS } from '../../support/processTree';
import { cpuTicks, hostPidInNamespace, isAlive, pidsInNamespace, REQUIRED_TIERS, startRunner } from './helpers';

/** How long the host idles after the cell (ms): the cell's delayed work is due after 0.8 s. */
const IDLE_MS = 2_500;

/** The interpreter as the host sees it: its host pid, pid namespace and scratch folder. */
interface Interpreter {
  readonly hostPid: number;
  readonly ns: string;
}

/** The interpreter whose pid the cell printed, in the namespace it printed. */
function findInterpreter(ns: string, pid: number): Interpreter {
  return { hostPid: hostPidInNamespace(ns, pid), ns };
}

/** Fields of /proc/PID/stat after the command name: [0] state, [11] utime, [12] stime (ticks). */
function statFields(hostPid: number): string[] {
  const stat = readFileSync(`/proc/${hostPid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Processes of the namespace whose parent is `hostPid`. */
function children(interpreter: Interpreter): number[] {
  return pidsInNamespace(interpreter.ns).filter((pid) => {
    try {
      return Number(statFields(pid)[1]) === interpreter.hostPid;
    } catch {
      return false;
    }
  });
}

/**
 * Python lines that start a POSIX timer (timer_create via ctypes) sending signal `signo` after
 * `firstMs`, then every `everyMs` (0: once). The timer outlives the cell: it fires between cells.
 */
function posixTimer(signo: number, firstMs: number, everyMs = 0): string[] {
  const timespec = (ms: number): string => `${Math.floor(ms / 1000)}, ${(ms % 1000) * 1_000_000}`;
  return [
    'import ctypes',
    'librt = ctypes.CDLL(None, use_errno=True)',
    '# struct sigevent: sigval (8 bytes), signo, notify (SIGEV_SIGNAL = 0), padding',
    'event = (ctypes.c_int * 16)()',
    `event[2] = ${signo}`,
    'timer = ctypes.c_void_p()',
    'assert librt.timer_create(1, ctypes.byref(event), ctypes.byref(timer)) == 0  # CLOCK_MONOTONIC',
    `spec = (ctypes.c_long * 4)(${timespec(everyMs)}, ${timespec(firstMs)})  # interval, first expiry`,
    'assert librt.timer_settime(timer, 0, spec, None) == 0',
  ];
}

/**
 * Runs a cell whose interpreter is continued between cells by a POSIX timer (SIGCONT every 0.2 s
 * from 1 s after it is armed), and finds that interpreter on the host first: the cell writes its
 * pid and pid namespace to `whoami` in scratch and arms the timer (after `lines`) only once the
 * test has found it and written `found`. Without that handshake a loaded machine could return the
 * cell after the first SIGCONT had ended the interpreter, which the test then could not find.
 */
async function runContinuedCell(runner: CodeRunner, lines: readonly string[]): Promise<{ result: ExecResult; interpreter: Interpreter }> {
  const running = runner.runCell(
    [
      'import os, time',
      'open("whoami.part", "w").write(f"{os.getpid()} {os.readlink(\'/proc/self/ns/pid\')}")',
      'os.rename("whoami.part", "whoami")',
      'while not os.path.exists("found"): time.sleep(0.01)',
      ...lines,
      ...posixTimer(18, 1_000, 200),
      'kept = 41',
    ].join('\n'),
  );
  const whoami = join(runner.scratchDir, 'whoami');
  expect(await eventually(() => existsSync(whoami))).toBe(true);
  const [pid = '', ns = ''] = readFileSync(whoami, 'utf8').split(' ');
  const interpreter = findInterpreter(ns, Number(pid));
  writeFileSync(join(runner.scratchDir, 'found'), '');
  return { result: await running, interpreter };
}

/** A runner started before and disposed after each test of the calling `describe`; call `.current` inside tests. */
function freshRunnerEach(tier: 'isolated' | 'basic'): { readonly current: CodeRunner } {
  let current: CodeRunner | undefined;
  beforeEach(async () => {
    // The default time limit (60 s): no test here is about the limit, and every cell must end by itself.
    current = await startRunner(tier);
  });
  afterEach(async () => {
    await current?.dispose();
  });
  return {
    get current(): CodeRunner {
      if (!current) throw new Error('no runner: used outside a test');
      return current;
    },
  };
}

const LEAVE_RUNNING = [
  'import os, signal, threading, time, _thread',
  'def burn():',
  '    while True: pass',
  'def writer():',
  '    time.sleep(0.8)',
  '    for i in range(20):',
  '        with open(f"fill-{i}.bin", "wb") as f: f.write(b"x" * (1 << 20))',
  'def forker():',
  '    time.sleep(0.8)',
  '    for k in range(4):',
  '        if os.fork() == 0:',
  '            b = bytearray(20 << 20); time.sleep(30); os._exit(0)',
  'def alarm(signum, frame):',
  '    open("alarm-ran", "w").close()',
  'threading.Thread(target=burn, daemon=True).start()',
  'threading.Thread(target=writer, daemon=True).start()',
  'threading.Thread(target=forker, daemon=True).start()',
  'started = threading.Event()',
  'def burn_raw():',
  '    started.set()',
  '    burn()',
  '_thread.start_new_thread(burn_raw, ())',
  '# The notice counts threads running Python code: wait until this one is.',
  'started.wait(5)',
  'signal.signal(signal.SIGALRM, alarm)',
  'signal.setitimer(signal.ITIMER_REAL, 0.8)',
  'kept = 41',
  'print(os.getpid(), os.readlink("/proc/self/ns/pid"), os.getcwd())',
].join('\n');

describe.each(REQUIRED_TIERS)('nothing of a cell runs after it (%s tier)', (tier) => {
  const runner = freshRunnerEach(tier);

  it('daemon and _thread threads, a delayed writer, a delayed forker and a timer are stopped until the next cell', async () => {
    const result = await runner.current.runCell(LEAVE_RUNNING);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    // The cell says what it left: four threads (two burners, the writer, the forker).
    expect(result.notice).toContain('left 4 background thread(s) running');
    const [pid = '', ns = ''] = result.stdout.trim().split(' ');
    const interpreter = findInterpreter(ns, Number(pid));
    const before = cpuTicks(interpreter.hostPid);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    // Two burners for 2.5 s would be ~500 ticks; a stopped interpreter gains none.
    expect(cpuTicks(interpreter.hostPid) - before).toBeLessThanOrEqual(2);
    expect(statFields(interpreter.hostPid)[0]).toBe('T');
    expect(children(interpreter)).toEqual([]);
    const scratch = runner.current.scratchDir;
    expect(readdirSync(scratch).filter((name) => name.startsWith('fill-'))).toEqual([]);
    expect(existsSync(`${scratch}/alarm-ran`)).toBe(false);
    // The next cell works and keeps the variables; the threads run on during it.
    const next = await runner.current.runCell('print(kept + 1)');
    expect(next.stdout).toBe('42\n');
    expect(next.notice).toContain('background thread(s)');
  });

  it('an interpreter that continues itself between cells (a timer sending SIGCONT) is ended; the next cell says so', async () => {
    const { result, interpreter } = await runContinuedCell(runner.current, ['import threading', 'def burn():', '    while True: pass', 'threading.Thread(target=burn, daemon=True).start()']);
    expect(result.stderr).toBe('');
    // Polled: when the timer's continue is seen and the interpreter ended depends on the machine's load.
    expect(await eventually(() => !isAlive(interpreter.hostPid))).toBe(true);
    const next = await runner.current.runCell('print("kept" in globals())');
    expect(next.stdout).toBe('False\n');
    expect(next.notice).toContain('restarted');
  });

  it('a cell sent while the worker is ending (its interpreter was continued between cells) runs on a fresh worker, not lost', async () => {
    const { result, interpreter } = await runContinuedCell(runner.current, []);
    expect(result.stderr).toBe('');
    const supervisor = Number(statFields(interpreter.hostPid)[1]);
    // The host's event loop is held (as on a loaded machine) while the interpreter is continued
    // and the supervisor ends: the host has not yet seen the worker go when it sends the cell.
    const end = Date.now() + PATIENCE_MS;
    const gone = (pid: number): boolean => {
      try {
        return statFields(pid)[0] === 'Z';
      } catch {
        return true;
      }
    };
    while (!gone(supervisor) && Date.now() < end) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    expect(gone(supervisor)).toBe(true);
    const next = await runner.current.runCell('print("kept" in globals())');
    expect(next.stdout).toBe('False\n');
    expect(next.stderr).toBe('');
    expect(next.killed).toBeUndefined();
    expect(next.notice).toContain('restarted');
    // And the conversation goes on in that worker.
    expect((await runner.current.runCell('print(1 + 1)')).stdout).toBe('2\n');
  });
});

/** A handler that marks and burns for a second, and a timer that fires it while the host idles. */
const HANDLER_AND_TIMER = [
  'import os, signal, time',
  'def alarm(signum, frame):',
  '    open("alarm-ran", "w").close()',
  '    end = time.monotonic() + 1',
  '    while time.monotonic() < end: pass',
  'signal.signal(signal.SIGALRM, alarm)',
  'signal.setitimer(signal.ITIMER_REAL, 0.8)',
  'kept = 41',
  'print(os.getpid(), os.readlink("/proc/self/ns/pid"))',
];

describe.each(REQUIRED_TIERS)('a single-threaded interpreter between cells (%s tier)', (tier) => {
  const runner = freshRunnerEach(tier);

  /** Runs `code`, idles, and returns how the interpreter looked meanwhile. */
  async function idleAfter(code: string[]): Promise<{ state: string; ticks: number; alarmRan: boolean; stderr: string }> {
    const result = await runner.current.runCell(code.join('\n'));
    const [pid = '', ns = ''] = result.stdout.trim().split(' ');
    const interpreter = findInterpreter(ns, Number(pid));
    const before = cpuTicks(interpreter.hostPid);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return { state: statFields(interpreter.hostPid)[0] ?? '', ticks: cpuTicks(interpreter.hostPid) - before, alarmRan: existsSync(`${runner.current.scratchDir}/alarm-ran`), stderr: result.stderr };
  }

  it('is stopped: a signal handler and its timer do not run until the next cell', async () => {
    const idle = await idleAfter(HANDLER_AND_TIMER);
    expect(idle).toMatchObject({ stderr: '', state: 'T', alarmRan: false });
    expect(idle.ticks).toBeLessThanOrEqual(2);
    // The signal waited: its handler runs when the next cell starts, then that cell's code.
    const next = await runner.current.runCell('print(kept + 1)');
    expect(next.stdout).toBe('42\n');
    expect(existsSync(`${runner.current.scratchDir}/alarm-ran`)).toBe(true);
  });

  it('a cell that stops its loop from blocking signals is held all the same', async () => {
    const idle = await idleAfter([
      'import sys',
      "# The interpreter's loop is reachable from the cell: make its signal blocking a no-op.",
      "sys._getframe().f_back.f_globals['sigmask'] = lambda *args: set()",
      ...HANDLER_AND_TIMER,
    ]);
    expect(idle).toMatchObject({ stderr: '', state: 'T', alarmRan: false });
    expect(idle.ticks).toBeLessThanOrEqual(2);
  });

  it('a SIGINT that reaches it between cells (an interrupt that crossed the end of its cell) is dropped, not delivered to the next cell', async () => {
    const idle = await idleAfter([
      'import os, signal',
      '# A handler of its own, so a late delivery would leave a mark.',
      'signal.signal(signal.SIGINT, lambda *args: open("sigint-ran", "w").close())',
      ...posixTimer(2, 500), // SIGINT once, 0.5 s from now
      'print(os.getpid(), os.readlink("/proc/self/ns/pid"))',
    ]);
    expect(idle.stderr).toBe('');
    expect(idle.state).toBe('T');
    const next = await runner.current.runCell('import os\nprint(os.path.exists("sigint-ran"))');
    expect(next.stdout).toBe('False\n');
    expect(next.stderr).toBe('');
  });

  it('a timer that continues it (SIGCONT) ends it; the next cell says so', async () => {
    const { result, interpreter } = await runContinuedCell(runner.current, []);
    expect(result.stderr).toBe('');
    expect(await eventually(() => !isAlive(interpreter.hostPid))).toBe(true);
    const next = await runner.current.runCell('print("kept" in globals())');
    expect(next.stdout).toBe('False\n');
    expect(next.notice).toContain('restarted');
  });
});
