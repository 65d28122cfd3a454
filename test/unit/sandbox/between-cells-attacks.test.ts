// Red team on "nothing of a cell runs after it returns" and on the leftover check by task count
// (issue 10, docs/sandbox-tiers.md). These cells were written against a "parked" interpreter
// (left asleep in read() instead of stopped), which was then dropped: stopping it was faster once
// the checks parking needed were added, and it is a smaller surface. Each cell is what
// hostile model code would try in order to run between cells (after "done", before the next
// cell) or to keep a process alive past its cell. Really run on both tiers; the host watches the
// interpreter's CPU time and the sandbox's processes from /proc while it idles.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeRunner } from '../../../src/sandbox/index';
import { cpuTicks, hostPidInNamespace, isAlive, REQUIRED_TIERS, startRunner } from './helpers';

/** How long the host idles after the cell (ms): the cells' delayed work is due after 0.5-0.8 s. */
const IDLE_MS = 2_000;

/** Every cell prints `getpid() ns:[...]` last: the interpreter's host pid, found by its NSpid. */
function interpreterHostPid(printed: string): number {
  const [pid = '', ns = ''] = printed.trim().split('\n').pop()?.split(' ') ?? [];
  return hostPidInNamespace(ns, Number(pid));
}

/**
 * Python lines: put `planted` at fd 5 (where the loop reads its next cell), and start a thread
 * that tries to hold the supervisor (SIGSTOP, same uid: refused since s38-red, so the thread goes
 * on without the hold, racing the supervisor's look instead) until the main thread sleeps in
 * read(5), puts the code channel (`_code_channel`, a dup the cell kept) back at fd 5, resets
 * glibc's handler on signal 33 (SIGSETXID, never blocked) with a raw rt_sigaction, lets the
 * supervisor go and exits.
 * Needs `os`, `signal`, `threading`, `time`, `ctypes` and `_libc` in the cell.
 */
function putBackCodeChannel(planted: string): string[] {
  return [
    'main_tid = threading.get_native_id()',
    'supervisor = os.getppid()',
    'def restore():',
    '    try:',
    '        os.kill(supervisor, signal.SIGSTOP)',
    '    except PermissionError:',
    '        pass',
    '    fd = os.open(f"/proc/self/task/{main_tid}/syscall", os.O_RDONLY)',
    '    for _ in range(100000):',
    '        if os.pread(fd, 64, 0).startswith(b"0 0x5 "): break',
    '        time.sleep(0.00005)  # lets the main thread have the GIL',
    '    os.dup2(_code_channel, 5)',
    '    _libc.syscall(13, 33, (ctypes.c_long * 4)(), None, 8)',
    '    os.kill(supervisor, signal.SIGCONT)',
    `os.dup2(${planted}, 5)`,
    'threading.Thread(target=restore, daemon=True).start()',
  ];
}

const PRINT_ME = 'print(os.getpid(), os.readlink("/proc/self/ns/pid"))';

/**
 * Makes the worker's own read of the code channel (`os.read(5, …)`, looked up at call time) run
 * `payload` once, the first time it returns something that is not the code channel's (a
 * timerfd's 8 bytes, or end of file), then
 * read on as the worker would, so the next cell still works.
 */
const WAKE_PAYLOAD = [
  'import os, time',
  '_real_read = os.read',
  'def _hostile_read(fd, n, _state={}):',
  '    data = _real_read(fd, n)',
  '    if fd == 5 and not data.startswith(b"{") and not _state:',
  '        _state["ran"] = True',
  '        open("ran-between-cells", "w").write(str(time.monotonic_ns()))  # CLOCK_MONOTONIC, as process.hrtime',
  '        end = time.monotonic() + 1',
  '        while time.monotonic() < end: pass',
  '        os.dup2(_code_channel, 5)',
  '        return _real_read(5, n)',
  '    return data',
  'os.read = _hostile_read',
];

/** A timerfd that expires in 0.5 s (blocking reads), via libc: Python 3.11 has no os.timerfd_create. */
const TIMERFD = [
  'import ctypes',
  '_libc = ctypes.CDLL(None, use_errno=True)',
  '_timer = _libc.timerfd_create(1, 0)  # CLOCK_MONOTONIC',
  'assert _timer >= 0',
  'assert _libc.timerfd_settime(_timer, 0, (ctypes.c_long * 4)(0, 0, 0, 500_000_000), None) == 0',
  '_code_channel = os.dup(5)',
];

/**
 * io_uring: a timeout linked to a shutdown(SHUT_RD) of the real code channel, queued in the
 * kernel. No thread, no process: the interpreter's read() of fd 5 returns end of file 0.5 s after
 * the cell, and the worker then calls os._exit, which the cell replaced.
 */
const IO_URING_SHUTDOWN = [
  'import ctypes, mmap, os, struct, time',
  '_libc = ctypes.CDLL(None, use_errno=True)',
  '_libc.syscall.restype = ctypes.c_long',
  '_params = (ctypes.c_char * 120)()',
  '_ring = _libc.syscall(425, 4, _params)  # io_uring_setup',
  'if _ring < 0:',
  '    print("io_uring_setup refused", ctypes.get_errno())',
  'else:',
  '    _p = bytes(_params)',
  '    _sq_entries = struct.unpack_from("I", _p, 0)[0]',
  '    _head, _tail, _mask, _entries, _flags, _dropped, _array = struct.unpack_from("7I", _p, 40)',
  '    _cqes = struct.unpack_from("6I", _p, 80)[5]',
  '    _size = max(_array + _sq_entries * 4, _cqes + 16 * struct.unpack_from("I", _p, 4)[0])',
  '    _sq = mmap.mmap(_ring, _size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0)',
  '    _sqes = mmap.mmap(_ring, _sq_entries * 64, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0x10000000)',
  '    _when = (ctypes.c_longlong * 2)(0, 500_000_000)  # 0.5 s',
  '    # TIMEOUT (11), linked (IOSQE_IO_LINK), expiry counts as success (IORING_TIMEOUT_ETIME_SUCCESS)',
  '    _sqes[0:64] = struct.pack("<BBHiQQIIQ24x", 11, 1 << 2, 0, -1, 0, ctypes.addressof(_when), 1, 1 << 5, 1)',
  "    # then SHUTDOWN (34) of fd 5, SHUT_RD: the interpreter's read() of the code channel returns EOF",
  '    _sqes[64:128] = struct.pack("<BBHiQQIIQ24x", 34, 0, 0, 5, 0, 0, 0, 0, 2)',
  '    t = struct.unpack_from("I", _sq, _tail)[0]',
  '    struct.pack_into("I", _sq, _array + 4 * (t & struct.unpack_from("I", _sq, _mask)[0]), 0)',
  '    struct.pack_into("I", _sq, _array + 4 * ((t + 1) & struct.unpack_from("I", _sq, _mask)[0]), 1)',
  '    struct.pack_into("I", _sq, _tail, t + 2)',
  '    assert _libc.syscall(426, _ring, 2, 0, 0, None, 0) == 2, ctypes.get_errno()',
  '    _real_exit = os._exit',
  '    def _hostile_exit(code):',
  '        open("ran-between-cells", "w").write(str(time.monotonic_ns()))  # CLOCK_MONOTONIC, as process.hrtime',
  '        end = time.monotonic() + 1',
  '        while time.monotonic() < end: pass',
  '        _real_exit(code)',
  '    os._exit = _hostile_exit',
];

/** Total size of the scratch files named `tick-*` (each leftover appends a byte every 50 ms). */
function tickBytes(scratch: string): number {
  return readdirSync(scratch)
    .filter((name) => name.startsWith('tick-'))
    .reduce((total, name) => total + statSync(`${scratch}/${name}`).size, 0);
}

/** Leftovers made every way a cell can: each appends to tick-NAME every 50 ms for a minute. */
const LEFTOVERS = [
  'import ctypes, os, signal, time',
  'def ticker(tag):',
  '    end = time.monotonic() + 60',
  '    while time.monotonic() < end:',
  '        with open(f"tick-{tag}", "a") as f: f.write("x")',
  '        time.sleep(0.05)',
  '    os._exit(0)',
  '# A double fork in a session of its own (re-parented to the supervisor).',
  'if os.fork() == 0:',
  '    os.setsid()',
  '    if os.fork() == 0: ticker("double")',
  '    os._exit(0)',
  '# CLONE_PARENT: a sibling of the interpreter, child of the supervisor (raw clone(2)).',
  '_libc = ctypes.CDLL(None, use_errno=True)',
  'if _libc.syscall(56, 0x8000 | signal.SIGCHLD, 0, 0, 0, 0) == 0: ticker("sibling")',
  '# One that forks anew and exits, over and over (never the same pid twice).',
  'if os.fork() == 0:',
  '    end = time.monotonic() + 60',
  '    while time.monotonic() < end:',
  '        if os.fork() != 0: os._exit(0)',
  '        with open("tick-refork", "a") as f: f.write("x")',
  '        time.sleep(0.05)',
  '    os._exit(0)',
  '# A zombie child next to them (never waited for).',
  'if os.fork() == 0: os._exit(0)',
  'time.sleep(0.3)',
];

describe.each(REQUIRED_TIERS)('attacks on the interpreter between cells (%s tier)', (tier) => {
  let runner: CodeRunner;
  beforeEach(async () => {
    runner = await startRunner(tier, { limits: { timeoutMs: 10_000 } });
  });
  afterEach(async () => {
    await runner.dispose();
  });

  /**
   * Runs the cell, idles, and says whether anything of it ran meanwhile. A cell whose thread
   * races the supervisor's look at fd 5 (putBackCodeChannel) may lose the race: the look then
   * finds fd 5 replaced and ends the interpreter, blaming the cell, as in the timerfd case below.
   * That is contained too; the idle then checks that nothing of the cell ran on (ticks 0: the
   * interpreter is gone).
   */
  async function idleAfter(code: string[]): Promise<{ ticks: number; ranBetween: boolean; stderr: string; hostPid: number }> {
    const result = await runner.runCell(code.join('\n'));
    expect(result.stderr).toBe('');
    if (result.killed !== undefined) {
      expect(result.killed).toBe('protocol');
      expect(result.killMessage ?? '').toMatch(/code channel/);
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      return { ticks: 0, ranBetween: existsSync(`${runner.scratchDir}/ran-between-cells`), stderr: result.stderr, hostPid: 0 };
    }
    const hostPid = interpreterHostPid(result.stdout);
    const before = cpuTicks(hostPid);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const ticks = isAlive(hostPid) ? cpuTicks(hostPid) - before : 0;
    return { ticks, ranBetween: existsSync(`${runner.scratchDir}/ran-between-cells`), stderr: result.stderr, hostPid };
  }

  /** Nothing of the cell ran while the host idled: no mark left, no CPU time gained. */
  function expectNothingRan(idle: { ranBetween: boolean; ticks: number }): void {
    expect(idle.ranBetween).toBe(false);
    expect(idle.ticks).toBeLessThanOrEqual(2);
  }

  /** `expectNothingRan`, then the next cell still runs its own code (with or without the cell's leftovers). */
  async function expectNothingRanThenNextWorks(idle: { ranBetween: boolean; ticks: number }): Promise<void> {
    expectNothingRan(idle);
    expect((await runner.runCell('print(6 * 7)')).stdout).toContain('42');
  }

  it('a timerfd put at fd 5 (the loop then sleeps in read() on it, not on the code channel): the cell is told, and nothing wakes between cells', async () => {
    // The supervisor sees that fd 5 is no longer the code channel once the interpreter is
    // stopped, and ends it (blame-attacks: a descriptor a later cell needs).
    const result = await runner.runCell([...WAKE_PAYLOAD, ...TIMERFD, 'os.dup2(_timer, 5)', PRINT_ME].join('\n'));
    expect(result.killed).toBe('protocol');
    expect(result.killMessage ?? '').toMatch(/code channel/);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    expect(existsSync(`${runner.scratchDir}/ran-between-cells`)).toBe(false);
    expect((await runner.runCell('print(6 * 7)')).stdout).toContain('42');
  });

  it('a thread that puts the code channel back at fd 5 once the loop sleeps on a timerfd, then exits, does not wake it between cells', async () => {
    const idle = await idleAfter([
      ...WAKE_PAYLOAD,
      '# Many files in scratch: the supervisor scans them before it looks at the interpreter.',
      'os.makedirs("many", exist_ok=True)',
      'for i in range(4000): open(f"many/{i}", "w").close()',
      ...TIMERFD,
      'import signal, threading',
      ...putBackCodeChannel('_timer'),
      PRINT_ME,
    ]);
    await expectNothingRanThenNextWorks(idle);
  });
  it('io_uring: a timeout linked to a shutdown of the code channel does not wake it between cells', async () => {
    const idle = await idleAfter([...IO_URING_SHUTDOWN, PRINT_ME]);
    await expectNothingRanThenNextWorks(idle);
  });
  it("a socket of the cell's own at fd 5, whose other end a leftover holds, does not wake it when the host kills that leftover", async () => {
    const idle = await idleAfter([
      ...WAKE_PAYLOAD,
      'import ctypes, signal, socket, threading',
      '_libc = ctypes.CDLL(None, use_errno=True)',
      '_code_channel = os.dup(5)',
      'mine, theirs = socket.socketpair()',
      'if os.fork() == 0:',
      '    # The leftover: holds the other end until the host kills it (end of file for the loop).',
      '    mine.close()',
      '    time.sleep(60)',
      '    os._exit(0)',
      'theirs.close()',
      ...putBackCodeChannel('mine.fileno()'),
      PRINT_ME,
    ]);
    await expectNothingRanThenNextWorks(idle);
  });
  it('leftovers of every kind (double fork with setsid, CLONE_PARENT, a re-forking loop, a zombie beside them) do not run on', async () => {
    const result = await runner.runCell([...LEFTOVERS, 'kept = 41', PRINT_ME].join('\n'));
    expect(result.stderr).toBe('');
    const hostPid = interpreterHostPid(result.stdout);
    // Every leftover ticked during the cell.
    const scratch = runner.scratchDir;
    expect(
      readdirSync(scratch)
        .filter((name) => name.startsWith('tick-'))
        .sort(),
    ).toEqual(['tick-double', 'tick-refork', 'tick-sibling']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const settled = tickBytes(scratch);
    const ticks = cpuTicks(hostPid);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    expect(tickBytes(scratch)).toBe(settled);
    expect(cpuTicks(hostPid) - ticks).toBeLessThanOrEqual(2);
    // The interpreter kept its state and the next cell works.
    const next = await runner.runCell('print(kept + 1)');
    expect(next.stdout).toBe('42\n');
  });
  it('a leftover that stops and continues the interpreter over and over is killed; nothing runs on, and the next cell works', async () => {
    const result = await runner.runCell(
      [
        'import os, signal, time',
        'interpreter = os.getpid()',
        'if os.fork() == 0:',
        '    for _ in range(1200):',
        '        os.kill(interpreter, signal.SIGSTOP); os.kill(interpreter, signal.SIGCONT)',
        '        with open("tick-stopper", "a") as f: f.write("x")',
        '        time.sleep(0.05)',
        '    os._exit(0)',
        'time.sleep(0.3)',
        'kept = 41',
        PRINT_ME,
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const settled = tickBytes(runner.scratchDir);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    expect(tickBytes(runner.scratchDir)).toBe(settled);
    // A continue while the interpreter was stopped for the end of the cell ends it (see
    // between-cells.test.ts); otherwise it keeps its state. Either way the next cell runs.
    const next = await runner.runCell('print(globals().get("kept", 0) + 1)');
    expect(next.stdout === '42\n' || (next.stdout === '1\n' && (next.notice ?? '').includes('restarted'))).toBe(true);
  });
  it("handlers on signals 32 and 33 (raw rt_sigaction: glibc's sigmask never blocks them) and a timer that sends 33 do not run between cells", async () => {
    const idle = await idleAfter([
      'import ctypes, os, signal',
      '_libc = ctypes.CDLL(None, use_errno=True)',
      '_handler = ctypes.CFUNCTYPE(None, ctypes.c_int)(lambda signum: open("ran-between-cells", "w").close())',
      '# struct kernel_sigaction: handler, flags (SA_RESTORER | SA_RESTART), restorer, mask',
      'for signum in (32, 33):',
      '    _act = (ctypes.c_void_p * 4)(ctypes.cast(_handler, ctypes.c_void_p), 0x04000000 | 0x10000000, ctypes.cast(_libc.sigreturn, ctypes.c_void_p) if hasattr(_libc, "sigreturn") else None, 0)',
      '    assert _libc.syscall(13, signum, _act, None, 8) == 0, ctypes.get_errno()',
      '_event = (ctypes.c_int * 16)()',
      '_event[2] = 33',
      '_timer = ctypes.c_void_p()',
      'assert _libc.timer_create(1, ctypes.byref(_event), ctypes.byref(_timer)) == 0',
      'assert _libc.timer_settime(_timer, 0, (ctypes.c_long * 4)(0, 0, 0, 500_000_000), None) == 0',
      PRINT_ME,
    ]);
    expectNothingRan(idle);
  });

  it('a leftover that ptraces the interpreter and swallows its stop: nothing runs on (the interpreter is stopped or ended), the next cell works', async () => {
    const result = await runner.runCell(
      [
        'import ctypes, os, time',
        '_libc = ctypes.CDLL(None, use_errno=True)',
        '_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]',
        'interpreter = os.getpid()',
        'if os.fork() == 0:',
        '    assert _libc.ptrace(0x4206, interpreter, None, None) == 0  # PTRACE_SEIZE',
        '    open("traced", "w").close()',
        '    end = time.monotonic() + 60',
        '    while time.monotonic() < end:',
        '        _, status = os.waitpid(interpreter, 0x40000000)  # __WALL',
        '        with open("tick-tracer", "a") as f: f.write("x")',
        '        _libc.ptrace(7, interpreter, None, None)  # PTRACE_CONT, the signal swallowed',
        '    os._exit(0)',
        'while not os.path.exists("traced"): time.sleep(0.01)',
        'kept = 41',
        PRINT_ME,
      ].join('\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const settled = tickBytes(runner.scratchDir);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    expect(tickBytes(runner.scratchDir)).toBe(settled);
    expect(result.stdout).toContain('pid:[');
    const next = await runner.runCell('print(globals().get("kept", 0) + 1)');
    expect(next.stdout === '42\n' || (next.stdout === '1\n' && (next.notice ?? '').includes('restarted'))).toBe(true);
  });
  it("a socket of the cell's own at fd 5 (put back by an exiting thread) whose other end only an unreachable SCM_RIGHTS cycle holds does not wake it, even after a unix socket is released on the host", async () => {
    const result = await runner.runCell(
      [
        ...WAKE_PAYLOAD,
        'import array, ctypes, signal, socket, threading',
        '_libc = ctypes.CDLL(None, use_errno=True)',
        '_code_channel = os.dup(5)',
        'mine, theirs = socket.socketpair()',
        'c, d = socket.socketpair()',
        'def send_fd(sock, fd): sock.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])',
        '# theirs and c wait in d, d in c: once closed, nothing but the cycle holds them.',
        'send_fd(c, theirs.fileno()); send_fd(c, c.fileno()); send_fd(d, d.fileno())',
        'theirs.close(); c.close(); d.close()',
        ...putBackCodeChannel('mine.fileno()'),
        PRINT_ME,
      ].join('\n'),
    );
    const cellEnded = process.hrtime.bigint();
    expect(result.stderr).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The kernel's unix GC (machine-wide) frees the cycle, and with it the other end, when a unix
    // socket is released anywhere: a loop left asleep in read() would then read end of file. The
    // interpreter is stopped between cells, so nothing of it runs.
    execFileSync('python3', ['-c', 'import socket\na, b = socket.socketpair()\na.close(); b.close()']);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    // Other processes release unix sockets all the time (other test files, another test run), and
    // each release lets the GC free the cycle: when that came before the main thread reached its
    // read, the payload ran inside its own cell (before its end was reported), which is allowed.
    // Only a run after the cell's end, when the host holds it stopped, is the escape.
    const marker = `${runner.scratchDir}/ran-between-cells`;
    const ranAt = existsSync(marker) ? BigInt(readFileSync(marker, 'utf8')) : undefined;
    expect(ranAt === undefined || ranAt < cellEnded, `the payload ran ${ranAt === undefined ? 0 : Number(ranAt - cellEnded) / 1e6} ms after the cell's end`).toBe(true);
  });
  it("a process that shares the interpreter's descriptor table without being its thread (CLONE_FILES) cannot be made; threads, fork and subprocess still work", async () => {
    const result = await runner.runCell(
      [
        'import ctypes, os, signal, subprocess, sys, threading',
        '_libc = ctypes.CDLL(None, use_errno=True)',
        'pid = _libc.syscall(56, 0x400 | signal.SIGCHLD, 0, 0, 0, 0)  # clone(CLONE_FILES)',
        'if pid == 0: os._exit(0)',
        'print(pid, ctypes.get_errno())',
        'box = []',
        't = threading.Thread(target=lambda: box.append(1)); t.start(); t.join()',
        'child = os.fork()',
        'if child == 0: os._exit(3)',
        'print(box, os.waitpid(child, 0)[1] >> 8, subprocess.run([sys.executable, "-c", "print(5)"], capture_output=True, text=True).stdout.strip())',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('-1 1\n[1] 3 5\n');
  });
  it("a cell that replaces the worker's LineReader.read with a loop that never reads (it writes every 50 ms) is still running: stopped at its time limit, nothing after", async () => {
    const quick = await startRunner(tier, { limits: { timeoutMs: 1_500 } });
    try {
      const result = await quick.runCell(
        [
          'import os, sys, time',
          'worker = sys._getframe().f_back.f_globals',
          'def never_reads(self):',
          '    end = time.monotonic() + 30',
          '    while time.monotonic() < end:',
          '        with open("tick-loop", "a") as f: f.write("x")',
          '        time.sleep(0.05)',
          '    return []',
          "worker['LineReader'].read = never_reads",
        ].join('\n'),
      );
      expect(result.killed).toBe('timeout');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const settled = tickBytes(quick.scratchDir);
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      expect(tickBytes(quick.scratchDir)).toBe(settled);
      const next = await quick.runCell('print(6 * 7)');
      expect(next.stdout).toBe('42\n');
    } finally {
      await quick.dispose();
    }
  });
});
