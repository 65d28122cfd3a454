// Hostile code, really run (as root in CI). On the isolated tier every probe must be
// contained and the next cell must still work. On the basic tier the probes that basic
// cannot contain are asserted as documented expectations (docs/sandbox-tiers.md), so a
// change in what basic does shows up here.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunner } from '../../../src/sandbox/index';
import { IS_ROOT, isAlive, pidsInNamespace, pidsWithCommandLine, removeDir, startRunner, tempDir, REQUIRED_TIERS } from './helpers';
import { eventually } from '../../support/processTree';

const outside = tempDir('outside');
const workspace = join(outside, 'workspace');
const fakeHome = join(outside, 'home');
const keyPath = join(fakeHome, '.ssh', 'id_ed25519');
const KEY = '-----BEGIN OPENSSH PRIVATE KEY----- planted-test-key';
let server: Server;
let port = 0;
let connections = 0;
let secretHolder: ChildProcess;
let sleeper: ChildProcess;

beforeAll(async () => {
  mkdirSync(workspace, { recursive: true });
  mkdirSync(join(fakeHome, '.ssh'), { recursive: true });
  writeFileSync(keyPath, KEY, { mode: 0o600 });
  server = createServer((socket) => {
    connections++;
    socket.end('hello from the host\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  secretHolder = spawn('sleep', ['300'], { env: { PATH: '/usr/bin:/bin', R1CI_PROBE_SECRET: 'environ-secret-42' }, stdio: 'ignore' });
  sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
});

afterAll(async () => {
  secretHolder.kill('SIGKILL');
  sleeper.kill('SIGKILL');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  removeDir(outside);
});

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return true; // gone
  }
}

describe.each(REQUIRED_TIERS)('hostile code (%s tier)', (tier) => {
  const isolated = tier === 'isolated';
  // Cells that must end by themselves run under the default time limit (60 s: a short one can
  // strike a slow cell on a loaded machine); the tests about the time limit use `limited`.
  let runner: CodeRunner;
  let limited: CodeRunner;
  beforeAll(async () => {
    runner = await startRunner(tier);
    limited = await startRunner(tier, { limits: { timeoutMs: 2_000 } });
  });
  afterAll(async () => {
    await Promise.all([runner.dispose(), limited.dispose()]);
  });
  const stillWorks = async (on: CodeRunner = runner): Promise<void> => {
    // The whole result on a failure (a kill reason or notice says why the output is missing).
    expect(await on.runCell('print(6 * 7)')).toMatchObject({ stdout: '42\n' });
  };

  it('infinite loop: stopped at the time limit', async () => {
    const result = await limited.runCell('while True:\n    pass');
    expect(result.killed).toBe('timeout');
    await stillWorks(limited);
  });

  it('10 GB allocation: MemoryError under RLIMIT_AS', async () => {
    const result = await runner.runCell('x = bytearray(10 * 1024**3)');
    expect(result.killed).toBe('memory');
    await stillWorks();
  });

  it('printing 1 GB: parent-side output cap, bounded full-output file', async () => {
    // On `runner`, whose time limit a loaded machine cannot reach before the output cap: the cap,
    // not the clock, must be what stops this cell.
    const result = await runner.runCell('import sys\nchunk = "x" * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.write(chunk)');
    expect(result.killed).toBe('output-limit');
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBeLessThan(70 * 1024);
    expect(result.fullOutputPath && existsSync(result.fullOutputPath)).toBe(true);
    await stillWorks();
  });

  it('writing outside scratch', async () => {
    const target = join(workspace, 'pwned.txt');
    const result = await runner.runCell(`open(${JSON.stringify(target)}, "w").write("pwned")`);
    if (isolated) {
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/FileNotFoundError|Read-only file system|PermissionError/);
      expect(existsSync(target)).toBe(false);
    } else {
      // documented: basic runs as the user and can write wherever the user can
      expect(existsSync(target)).toBe(true);
    }
    await stillWorks();
  });

  it('reading a planted ~/.ssh key', async () => {
    const result = await runner.runCell(`print(open(${JSON.stringify(keyPath)}).read())`);
    if (isolated) {
      expect(result.stdout).not.toContain('planted-test-key');
      expect(result.stderr).toMatch(/FileNotFoundError|PermissionError/);
    } else {
      expect(result.stdout).toContain('planted-test-key'); // documented: basic cannot hide files
    }
    await stillWorks();
  });

  it("reading another process's /proc/PID/environ", async () => {
    const result = await runner.runCell(`print(open("/proc/${secretHolder.pid}/environ", "rb").read())`);
    if (isolated) {
      expect(result.stdout).not.toContain('environ-secret-42');
      expect(result.exitCode).toBe(1);
    } else {
      // documented: same user (or root) can read it on basic
      expect(result.stdout).toContain('environ-secret-42');
    }
    await stillWorks();
  });

  it('connecting to a live TCP server on 127.0.0.1', async () => {
    const before = connections;
    const result = await runner.runCell(`import socket\ns = socket.create_connection(("127.0.0.1", ${port}), timeout=1)\nprint(s.recv(100))`);
    if (isolated) {
      expect(result.stderr).toMatch(/ConnectionRefusedError|OSError|unreachable/);
      expect(connections).toBe(before);
    } else {
      expect(result.stdout).toContain('hello from the host'); // documented: no network confinement on basic
    }
    await stillWorks();
  });

  it('signalling an outside process', async () => {
    const result = await runner.runCell(`import os, signal\nos.kill(${sleeper.pid}, signal.SIGTERM)\nprint("sent")`);
    if (isolated) {
      expect(result.stderr).toContain('ProcessLookupError');
      expect(isAlive(sleeper.pid ?? -1)).toBe(true);
    } else if (IS_ROOT) {
      // documented: basic as root can signal anything (the test's sleeper is gone now)
      expect(result.stdout).toBe('sent\n');
      sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    }
    await stillWorks();
  });

  it('setsid and start_new_session children do not survive a timeout', async () => {
    const token = `${Math.floor(Math.random() * 1e6) + 1000}.${tier === 'isolated' ? 1 : 2}`;
    const code = [
      'import os, subprocess, time',
      `subprocess.Popen(["sleep", "${token}"], start_new_session=True)`,
      'if os.fork() == 0:',
      '    os.setsid()',
      '    if os.fork() == 0:',
      `        os.execvp("sleep", ["sleep", "${token}"])`,
      '    os._exit(0)',
      'time.sleep(0.3)',
      'print("children started", flush=True)',
      'while True: time.sleep(1)',
    ].join('\n');
    // A limit of its own: the children must be started (and said so) before it strikes, which
    // takes more than 2 s on a loaded machine.
    const patient = await startRunner(tier, { limits: { timeoutMs: 6_000 } });
    try {
      const result = await patient.runCell(code);
      expect(result.stdout).toContain('children started');
      expect(result.killed).toBe('timeout');
      expect(await eventually(() => pidsWithCommandLine(`sleep\0${token}`).length === 0)).toBe(true);
      await stillWorks(patient);
    } finally {
      await patient.dispose();
    }
  });

  it('setsid children do not survive a cancel', async () => {
    const token = `${Math.floor(Math.random() * 1e6) + 1000}.${tier === 'isolated' ? 3 : 4}`;
    const controller = new AbortController();
    const running = runner.runCell(`import subprocess, time\nsubprocess.Popen(["setsid", "sleep", "${token}"])\nprint("go", flush=True)\ntime.sleep(60)`, { signal: controller.signal });
    await eventually(() => pidsWithCommandLine(`sleep\0${token}`).length > 0);
    controller.abort();
    const result = await running;
    expect(result.killed).toBe('cancelled');
    expect(await eventually(() => pidsWithCommandLine(`sleep\0${token}`).length === 0)).toBe(true);
    await stillWorks();
  });

  it('fork bomb: bounded by RLIMIT_NPROC and fully killed (basic as root: documented as unbounded)', async () => {
    if (!isolated && IS_ROOT) {
      // Not run as root on basic: RLIMIT_NPROC is not enforced for uid 0, so the bomb
      // would be unbounded. Check the documented reason instead of running it.
      const probe = await limited.runCell('import os, resource\nprint(os.getuid(), resource.getrlimit(resource.RLIMIT_NPROC)[0])');
      expect(probe.stdout).toBe('0 256\n');
      return;
    }
    const ns = (await limited.runCell('import os; print(os.readlink("/proc/self/ns/pid"))')).stdout.trim();
    const result = await limited.runCell('import os, time\nfor _ in range(100000):\n    try:\n        os.fork()\n    except OSError:\n        time.sleep(0.01)');
    expect(result.killed).toBe('timeout');
    // SIGKILLed processes vanish asynchronously; on a loaded 2-core machine that can take seconds.
    if (isolated) expect(await eventually(() => pidsInNamespace(ns).filter((pid) => !isZombie(pid)).length <= 3)).toBe(true);
    await stillWorks(limited);
    // Its killed children are the interpreter's to wait for, which it does when the next cell
    // starts (between cells it is stopped).
    if (isolated) expect(await eventually(() => pidsInNamespace(ns).length <= 3)).toBe(true);
  });

  // Five rounds in a row on the same runner, each a test of its own: one round takes 5-20 s on a
  // loaded machine (the bomb's thousands of processes killed and reaped beside two burners), so
  // five in one test came near the test's bound.
  it.each([1, 2, 3, 4, 5])('fork bombs at the time limit, five in a row (round %i): the grace of one never falls on the next cell', async (round) => {
    if (!isolated && IS_ROOT) return; // unbounded there (see the fork bomb above)
    // Reaping a bomb's processes after its interrupted cell can outlast the interrupt's grace
    // (500 ms) on a loaded machine; the worker must not then be killed under the next cell.
    // Two host processes that burn a core each make the machine as loaded as a busy CI runner.
    const burners = [0, 1].map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
    try {
      const bomb = await limited.runCell('import os, time\nfor _ in range(100000):\n    try:\n        os.fork()\n    except OSError:\n        time.sleep(0.01)');
      expect(bomb.killed).toBe('timeout');
      const next = await limited.runCell('print(6 * 7)');
      expect({ round, stdout: next.stdout, killed: next.killMessage }).toEqual({ round, stdout: '42\n', killed: undefined });
    } finally {
      for (const burner of burners) burner.kill('SIGKILL');
    }
  });

  it('stopping the supervisor (SIGSTOP, same uid) is refused, however the signal is sent', async () => {
    // A stopped supervisor cannot see its host end and kill what the cell left: on the basic tier a
    // cell that stopped it, then saw its host SIGKILLed, ran on with its children forever (s38-red;
    // the host's death itself: test/unit/cli/hostDeath.test.ts). Every way a cell has to send it
    // SIGSTOP: by pid (kill, rt_sigqueueinfo, tkill, tgkill, rt_tgsigqueueinfo), to its process group
    // or the caller's, through a pidfd, and as the I/O notice signal of an open file (F_SETSIG, which
    // F_SETOWN may point at it). To every process (-1) only where a pid namespace bounds it: were the
    // refusal missing, as root on the basic tier that would stop every process of the machine.
    const result = await limited.runCell(
      [
        'import ctypes, fcntl, os, platform, signal, socket, struct',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'NR = {"x86_64": (129, 200, 234, 297), "aarch64": (138, 130, 131, 240)}[platform.machine()]',
        'sup, STOP = os.getppid(), int(signal.SIGSTOP)',
        'info = ctypes.create_string_buffer(128)',
        'struct.pack_into("iii", info, 0, STOP, 0, -1)  # si_code SI_QUEUE, as sigqueue(3) sends',
        'def raw(nr, *args):',
        '    if libc.syscall(ctypes.c_long(nr), *args) != 0:',
        '        raise OSError(ctypes.get_errno(), "refused")',
        'def try_(fn):',
        '    try:',
        '        fn()',
        '        return "sent"',
        '    except OSError as e:',
        '        return e.errno',
        'a, b = socket.socketpair()',
        'routes = {',
        '    "kill": lambda: os.kill(sup, STOP),',
        '    "own group": lambda: os.kill(0, STOP),',
        '    "its group": lambda: os.killpg(os.getpgid(sup), STOP),',
        '    "sigqueue": lambda: raw(NR[0], ctypes.c_long(sup), ctypes.c_long(STOP), info),',
        '    "tkill": lambda: raw(NR[1], ctypes.c_long(sup), ctypes.c_long(STOP)),',
        '    "tgkill": lambda: raw(NR[2], ctypes.c_long(sup), ctypes.c_long(sup), ctypes.c_long(STOP)),',
        '    "tgsigqueue": lambda: raw(NR[3], ctypes.c_long(sup), ctypes.c_long(sup), ctypes.c_long(STOP), info),',
        '    "pidfd": lambda: signal.pidfd_send_signal(os.pidfd_open(sup), STOP),',
        '    "F_SETSIG": lambda: fcntl.fcntl(a, 10, STOP),',
        `    ${isolated ? '"everyone": lambda: os.kill(-1, STOP),' : ''}`,
        '}',
        'print(sorted({name: try_(fn) for name, fn in routes.items()}.items()))',
        'print(open("/proc/%d/stat" % sup).read().rsplit(")", 1)[1].split()[0])',
      ].join('\n'),
    );
    const routes = ['F_SETSIG', ...(isolated ? ['everyone'] : []), 'its group', 'kill', 'own group', 'pidfd', 'sigqueue', 'tgkill', 'tgsigqueue', 'tkill'];
    // The supervisor's state after every route: not stopped (T). It sleeps (S) or, doing its own
    // checks while the cell runs, runs (R) or waits on the disk (D): a CI run saw R (s40).
    const [refusals, state] = result.stdout.split('\n');
    expect({ refusals, killed: result.killMessage }, result.stderr).toEqual({ refusals: `[${routes.map((name) => `('${name}', 1)`).join(', ')}]`, killed: undefined });
    expect(state, result.stderr).toMatch(/^[SRD]$/);
    await stillWorks(limited);
  });

  it("the supervisor still stops what a cell leaves (SIGSTOP to the interpreter and its own children is the sandbox's, and the cell's own)", async () => {
    const result = await limited.runCell(
      'import os, signal, subprocess, time\np = subprocess.Popen(["sleep", "30"])\nos.kill(p.pid, signal.SIGSTOP)\ntime.sleep(0.1)\nprint(open("/proc/%d/stat" % p.pid).read().rsplit(")", 1)[1].split()[0])',
    );
    expect(result.stdout, result.stderr).toBe('T\n');
    await stillWorks(limited);
  });
});
