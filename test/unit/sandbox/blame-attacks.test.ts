// A hostile cell must not make the NEXT cell of its conversation take the blame
// (docs/sandbox-tiers.md, "Between cells"). A cell can lower its supervisor's limits (prlimit(2)
// needs only the same uid) or leave a timer armed that would kill or stop the interpreter during
// a later cell. The cell that did it is told so in its own result, its interpreter is ended, and
// the next cell runs in a fresh one with the usual "state was lost" notice: never a crash, a time
// limit or a stop blamed on the innocent cell. Real cells through the real runner, both tiers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeRunner, ExecResult } from '../../../src/sandbox/index';
import { IS_ROOT, REQUIRED_TIERS, startRunner } from './helpers';

/** Python lines arming a POSIX timer (timer_create) that sends `signo` to the interpreter once, `ms` from now. */
function posixTimer(signo: number, ms: number): string[] {
  return [
    'import ctypes',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'event = (ctypes.c_int * 16)()  # struct sigevent: sigval, signo, notify (SIGEV_SIGNAL = 0)',
    `event[2] = ${signo}`,
    'timer = ctypes.c_void_p()',
    'assert libc.timer_create(1, ctypes.byref(event), ctypes.byref(timer)) == 0',
    `spec = (ctypes.c_long * 4)(0, 0, ${Math.floor(ms / 1000)}, ${(ms % 1000) * 1_000_000})`,
    'assert libc.timer_settime(timer, 0, spec, None) == 0',
  ];
}

/** The innocent next cell: runs for longer than the attacker's delay, so a timer would strike during it. */
const INNOCENT = 'import time\ntime.sleep(2.5)\nprint("kept" in globals(), "innocent ran")';

/**
 * The innocent cell after an attack ran as if nothing came before it: `stdout` printed, `stderr`
 * (default none), not killed, exit status 0, and no restart notice (its variables were kept).
 */
function expectClean(next: ExecResult, stdout: string, stderr = ''): void {
  expect({ stdout: next.stdout, stderr: next.stderr, killed: next.killed, exitCode: next.exitCode, notice: next.notice }).toEqual({ stdout, stderr, killed: undefined, exitCode: 0, notice: undefined });
}

/** The attacking cell's result must blame it; the next cell must run cleanly in a fresh interpreter. */
async function expectBlamed(runner: CodeRunner, attack: string, blame: RegExp): Promise<{ attack: ExecResult; next: ExecResult }> {
  const first = await runner.runCell(`kept = 1\n${attack}\nprint("attack done")`);
  expect(first.stderr).toBe('');
  expect(first.killMessage ?? '').toMatch(blame);
  // Told what it did, and that the state is gone; its output is kept (unless the kernel
  // killed the supervisor before the cell's end could be reported).
  if (first.killed === 'protocol') expect(first.stdout).toBe('attack done\n');
  expect(first.killMessage ?? '').toMatch(/restarted/);
  const next = await runner.runCell(INNOCENT);
  expect({ killed: next.killed, killMessage: next.killMessage, stderr: next.stderr, stdout: next.stdout, exitCode: next.exitCode }).toEqual({
    killed: undefined,
    killMessage: undefined,
    stderr: '',
    stdout: 'False innocent ran\n',
    exitCode: 0,
  });
  expect(next.notice).toContain('restarted');
  // And the conversation goes on as usual.
  const third = await runner.runCell('kept = 2\nprint(kept)');
  expect(third.stdout).toBe('2\n');
  expect(third.killed).toBeUndefined();
  return { attack: first, next };
}

describe.each(REQUIRED_TIERS)('a cell that sabotages later cells takes the blame itself (%s tier)', (tier) => {
  let runner: CodeRunner;
  beforeEach(async () => {
    runner = await startRunner(tier);
  });
  afterEach(async () => {
    await runner.dispose();
  });

  const LIMITS: ReadonlyArray<[string, string]> = [
    // 1 s of CPU time: the supervisor would be killed during a later cell.
    ['RLIMIT_CPU', '(1, 1)'],
    ['RLIMIT_NOFILE', '(0, 0)'],
    ['RLIMIT_AS', '(1 << 20, 1 << 20)'],
    ['RLIMIT_FSIZE', '(0, 0)'],
    ['RLIMIT_NPROC', '(0, 0)'],
  ];
  it.each(LIMITS)('lowering the supervisor’s %s with resource.prlimit', async (name, value) => {
    await expectBlamed(runner, `import os, resource\nresource.prlimit(os.getppid(), resource.${name}, ${value})`, /supervisor's limits/);
  });

  it('lowering the supervisor’s limit with the prlimit tool', async () => {
    await expectBlamed(runner, 'import os, subprocess\nsubprocess.run(["prlimit", "--pid", str(os.getppid()), "--cpu=1:1"], check=True)', /supervisor's limits/);
  });

  it('a CPU limit of 0 kills the supervisor at once: the blame stays on the cell that set it', async () => {
    // A hard limit already passed: the kernel kills the supervisor the next time it runs, which is
    // while it handles this cell's end (then this cell "crashed") or, if its check comes first,
    // the check reports it. Either way it is this cell's result, never the next one's.
    await expectBlamed(runner, 'import os, resource\nresource.prlimit(os.getppid(), resource.RLIMIT_CPU, (0, 0))', /supervisor's limits|crashed/);
  });

  it('lowering the supervisor’s nice value and CPU affinity', async () => {
    await expectBlamed(runner, 'import os\nos.setpriority(os.PRIO_PROCESS, os.getppid(), 19)\nos.sched_setaffinity(os.getppid(), {min(os.sched_getaffinity(0))})', /supervisor's limits/);
  });

  it.each([
    ['SIGKILL', 9],
    ['SIGSTOP', 19],
    ['SIGTERM', 15],
  ])('a POSIX timer that sends %s to the interpreter during the next cell', async (_name, signo) => {
    await expectBlamed(runner, posixTimer(signo, 1_000).join('\n'), /left a timer/);
  });

  it.each([
    ['ITIMER_REAL', 'SIGALRM'],
    ['ITIMER_VIRTUAL', 'SIGVTALRM'],
    ['ITIMER_PROF', 'SIGPROF'],
  ])('signal.setitimer(%s) whose %s would end the interpreter during the next cell', async (timer, sig) => {
    await expectBlamed(runner, `import signal\nsignal.signal(signal.${sig}, signal.SIG_DFL)\nsignal.setitimer(signal.${timer}, 1.0)`, /left a timer/);
  });

  it('a timer whose signal has a handler of the cell stays the cell’s own (state kept)', async () => {
    const first = await runner.runCell('import signal\nfired = []\nsignal.signal(signal.SIGALRM, lambda *a: fired.append(1))\nsignal.setitimer(signal.ITIMER_REAL, 0.3)\nkept = 1');
    expect(first.killed).toBeUndefined();
    const next = await runner.runCell('import time\ntime.sleep(0.6)\nprint(kept, len(fired))');
    expect(next.stdout).toBe('1 1\n');
    expect(next.killed).toBeUndefined();
  });

  // The code channel (fd 5) and stdout/stderr are open files the interpreter shares with the
  // supervisor and with every later interpreter: a receive low-water mark left on the code
  // channel made the next cell wait for bytes that never come (it was reported as timed out), a
  // receive timeout or O_NONBLOCK there made the interpreter end itself before the next cell (which
  // was told "the previous cell was stopped"), O_NONBLOCK on stdout made the next cell's print
  // fail once the pipe was full, and the code channel shut down for writing (by the interpreter,
  // which never writes it) made the host end its own side: every later cell "exited 0" with no
  // output. They are put back after every cell, or never reach the host: the next cell runs as usual.
  const STREAM_TRAPS: ReadonlyArray<[string, string]> = [
    ['a receive low-water mark on the code channel', 'import os, socket\ns = socket.socket(fileno=os.dup(5))\ns.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, 1 << 20)'],
    ['a receive timeout on the code channel', 'import os, socket, struct\ns = socket.socket(fileno=os.dup(5))\ns.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 0, 1000))'],
    // With a default socket timeout set, the interpreter's own repair made the channel non-blocking again and spun.
    ['O_NONBLOCK on the code channel under a default socket timeout', 'import fcntl, os, socket\nsocket.setdefaulttimeout(0.001)\nfcntl.fcntl(5, fcntl.F_SETFL, fcntl.fcntl(5, fcntl.F_GETFL) | os.O_NONBLOCK)'],
    ['O_NONBLOCK on the code channel', 'import fcntl, os\nfcntl.fcntl(5, fcntl.F_SETFL, fcntl.fcntl(5, fcntl.F_GETFL) | os.O_NONBLOCK)'],
    // Nothing inside writes the code channel; shut down for writing, the host's socket ended its own side too.
    ['the code channel shut down for writing', 'import os, socket\ns = socket.socket(fileno=os.dup(5))\ns.shutdown(socket.SHUT_WR)'],
    ['O_NONBLOCK on stdout and stderr', 'import fcntl, os\nfor fd in (1, 2): fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)'],
  ];
  it.each(STREAM_TRAPS)('%s left for the next cell is put back (state kept, nothing blamed on the next cell)', async (_name, trap) => {
    const first = await runner.runCell(`kept = 1\n${trap}\nprint("trap set")`);
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'trap set\n', killed: undefined });
    // 1 MiB: more than the pipe holds, so the host must read while the cell writes.
    const next = await runner.runCell('import sys\nprint(kept, "innocent ran")\nfor _ in range(64): sys.stdout.write("x" * 16383 + "\\n")');
    expect({ killed: next.killed, killMessage: next.killMessage, notice: next.notice, stderr: next.stderr, exitCode: next.exitCode, first: next.stdout.split('\n')[0] }).toEqual({
      killed: undefined,
      killMessage: undefined,
      notice: undefined,
      stderr: '',
      exitCode: 0,
      first: '1 innocent ran',
    });
    // Every byte reached the host (none lost to EAGAIN).
    expect(next.stdout).toContain('[output truncated: 1.0 MiB in total');
  });

  // stdout and stderr are descriptors of the interpreter: one a cell closed or pointed elsewhere
  // (dup2 of /dev/null or a file of its own) silenced every later cell (exit 0, no output, no word).
  // The supervisor cannot give them back, so the cell that did it is told and the interpreter ends.
  const OUTPUT_TRAPS: ReadonlyArray<[string, string]> = [
    ['pointed at /dev/null with dup2', 'fd = os.open("/dev/null", os.O_WRONLY)\nos.dup2(fd, 1)\nos.dup2(fd, 2)'],
    ['pointed at a file of its own with dup2', 'fd = os.open("quiet.txt", os.O_WRONLY | os.O_CREAT)\nos.dup2(fd, 1)'],
    ['closed', 'os.close(1)\nos.close(2)'],
  ];
  it.each(OUTPUT_TRAPS)('stdout or stderr %s: the cell is told, the next cell’s output is seen', async (_name, trap) => {
    const first = await runner.runCell(`import os\nkept = 1\n${trap}`);
    expect(first.killed).toBe('protocol');
    expect(first.killMessage ?? '').toMatch(/stdout|stderr/);
    expect(first.killMessage ?? '').toMatch(/restarted/);
    const next = await runner.runCell('import sys\nprint("innocent ran")\nprint("and its errors", file=sys.stderr)');
    expect({ killed: next.killed, stdout: next.stdout, stderr: next.stderr, exitCode: next.exitCode }).toEqual({
      killed: undefined,
      stdout: 'innocent ran\n',
      stderr: 'and its errors\n',
      exitCode: 0,
    });
    expect(next.notice).toContain('restarted');
  });

  // stdin and the code channel (fd 5) are descriptors of the interpreter that later cells use too.
  // A pipe of the cell's own put at fd 5 (its write end kept, so it never ends) made the interpreter
  // wait there for the next cell's code, which never came: the innocent next cell "timed out" and
  // its state was lost. One put at stdin made a later cell that reads its input (sys.stdin.read())
  // wait until its time limit instead of reading the empty input. The cell is told.
  it.each([
    ['the code channel (fd 5)', 5, /code channel/, 'print("innocent ran")', 'innocent ran\n'],
    ['stdin', 0, /stdin/, 'import sys\nprint("innocent read", repr(sys.stdin.read()))', "innocent read ''\n"],
  ])('%s replaced with a pipe of the cell’s own: the cell is told, the next cell runs', async (_name, fd, blame, innocent, printed) => {
    await runner.dispose();
    runner = await startRunner(tier, { limits: { timeoutMs: 10_000 } });
    const first = await runner.runCell(`import os\nkept = 1\nr, w = os.pipe()\nos.dup2(r, ${fd})\nprint("replaced")`);
    expect(first.stdout).toBe('replaced\n');
    expect(first.killed).toBe('protocol');
    expect(first.killMessage ?? '').toMatch(blame);
    expect(first.killMessage ?? '').toMatch(/restarted/);
    const next = await runner.runCell(innocent);
    expect({ stdout: next.stdout, stderr: next.stderr, killed: next.killed, timedOut: next.timedOut }).toEqual({ stdout: printed, stderr: '', killed: undefined, timedOut: false });
    expect(next.notice).toContain('restarted');
  });

  // A signal the cell blocked and sent itself (or that reached it blocked between cells) stays
  // pending. Delivered when the next cell began, one whose default action ends the process made
  // that innocent cell "the Python interpreter crashed (signal 15)", its state lost. It is dropped
  // as a script's end drops it; one the cell handles still runs its handler in the next cell.
  it('signals the cell left pending (blocked) do not end the next cell; a handled one runs its handler there (state kept)', async () => {
    const first = await runner.runCell(
      [
        'import os, signal, threading',
        'kept = 1',
        'fired = []',
        'signal.signal(signal.SIGUSR1, lambda *a: fired.append("usr1"))',
        'signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGRTMIN + 3})',
        'for sig in (signal.SIGTERM, signal.SIGRTMIN + 3, signal.SIGRTMIN + 3, signal.SIGUSR1):',
        '    os.kill(os.getpid(), sig)',
        'signal.pthread_kill(threading.get_ident(), signal.SIGHUP)',
        'print(sorted(int(s) for s in signal.sigpending()))',
      ].join('\n'),
    );
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: '[1, 10, 15, 37]\n', killed: undefined });
    const next = await runner.runCell('import signal\nprint(kept, fired, sorted(signal.sigpending()))');
    expect({ stdout: next.stdout, stderr: next.stderr, killed: next.killed, notice: next.notice }).toEqual({ stdout: "1 ['usr1'] []\n", stderr: '', killed: undefined, notice: undefined });
  });

  // The interpreter's own limits are part of its process too: a CPU-time limit just above the time
  // it had used made the next cell that computed for a second "crash (signal 24)" (SIGXCPU).
  // Soft limits are put back after every cell, as a script's limits end with its run; a lowered
  // hard limit cannot be raised again, so that cell is told and its interpreter ends.
  it('a soft CPU-time limit the cell set on its own interpreter is put back (state kept)', async () => {
    const first = await runner.runCell('import resource, time\nkept = 1\nused = int(time.process_time()) + 1\nresource.setrlimit(resource.RLIMIT_CPU, (used, resource.RLIM_INFINITY))\nprint("set")');
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'set\n', killed: undefined });
    const next = await runner.runCell('import time\nend = time.process_time() + 1.5\nwhile time.process_time() < end: pass\nprint(kept, "innocent ran")');
    expect({ stdout: next.stdout, killed: next.killed, killMessage: next.killMessage, notice: next.notice }).toEqual({ stdout: '1 innocent ran\n', killed: undefined, killMessage: undefined, notice: undefined });
  });

  it('a hard CPU-time limit the cell set on its own interpreter: the cell is told', async () => {
    await expectBlamed(runner, 'import resource, time\nused = int(time.process_time()) + 1\nresource.setrlimit(resource.RLIMIT_CPU, (used, used + 1))', /interpreter's own limits/);
  });

  // Every limit of the interpreter, not only those that kill it, ends with its cell as a script's
  // with its run: a cell that lowered its own address space limit to 300 MiB made a later cell's
  // 600 MiB allocation "stopped: MemoryError at the memory limit (2 GiB)", a limit it never
  // reached; a lowered file size limit made a later cell's 2 MiB write "file size limit (100 MiB)";
  // a lowered descriptor limit made a later cell fail to open files. (resource limits, `value`
  // bytes or descriptors; `work` is what the next cell does, which the sandbox's own limits allow.)
  const OTHER_LIMITS: ReadonlyArray<[string, number, string]> = [
    ['RLIMIT_AS', 300 * 1024 ** 2, 'x = bytearray(600 << 20)\ndel x'],
    ['RLIMIT_DATA', 300 * 1024 ** 2, 'x = bytearray(600 << 20)\ndel x'],
    ['RLIMIT_FSIZE', 1024 ** 2, 'with open("big.bin", "wb") as f: f.write(bytes(2 << 20))'],
    ['RLIMIT_NOFILE', 16, 'files = [open(__file__) for _ in range(64)]\nfor f in files: f.close()'],
  ];
  it.each(OTHER_LIMITS)('a soft %s the cell lowered on its own interpreter is put back: the next cell runs under the sandbox’s limits (state kept)', async (name, value, work) => {
    const first = await runner.runCell(`import resource\nkept = 1\nresource.setrlimit(resource.${name}, (${value}, resource.getrlimit(resource.${name})[1]))\nprint("set")`);
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'set\n', killed: undefined });
    const next = await runner.runCell(`${work}\nprint(kept, "innocent ran")`);
    expect({ stdout: next.stdout, stderr: next.stderr, killed: next.killed, killMessage: next.killMessage, notice: next.notice }).toEqual({
      stdout: '1 innocent ran\n',
      stderr: '',
      killed: undefined,
      killMessage: undefined,
      notice: undefined,
    });
  });

  it.each(OTHER_LIMITS)('a hard %s the cell lowered on its own interpreter: the cell is told, later cells run under the sandbox’s limits', async (name, value, work) => {
    await expectBlamed(runner, `import resource\nresource.setrlimit(resource.${name}, (${value}, ${value}))`, new RegExp(`interpreter's own limits.*${name}`));
    const later = await runner.runCell(`${work}\nprint("later ran")`);
    expect({ stdout: later.stdout, stderr: later.stderr, killed: later.killed }).toEqual({ stdout: 'later ran\n', stderr: '', killed: undefined });
  });

  // What a script's end takes with it ends with its cell too (each cell starts as a new run of a
  // script would): faulthandler's watchdog (a C thread, so no "background thread" notice) armed by
  // one cell made the next, innocent cell exit with status 1 and a "Timeout" dump, and a SIGPIPE or
  // SIGXFSZ set back to its default (Python ignores both at start-up) made a later cell's broken
  // pipe or write past the file size limit "the Python interpreter crashed (signal 13/25)" instead
  // of BrokenPipeError or "file size limit". The state is kept; the next cell is not blamed.
  it.each([
    ["faulthandler's dump_traceback_later(exit=True)", 'import faulthandler\nfaulthandler.dump_traceback_later(1, exit=True)', 'import time\ntime.sleep(2)\nprint(kept, "innocent ran")', '1 innocent ran\n'],
    [
      'SIGPIPE set back to its default action',
      'import signal\nsignal.signal(signal.SIGPIPE, signal.SIG_DFL)',
      'import os\nr, w = os.pipe()\nos.close(r)\ntry:\n    os.write(w, b"x")\nexcept BrokenPipeError:\n    print(kept, "broken pipe")',
      '1 broken pipe\n',
    ],
    [
      'SIGXFSZ set back to its default action',
      'import signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_DFL)',
      'try:\n    with open("big.bin", "wb") as f: f.write(bytes(2 << 20))\nexcept OSError as error:\n    print(kept, "too big", error.errno)',
      '1 too big 27\n',
    ],
  ])('%s by one cell does not strike the next (state kept)', async (_what, trap, innocent, printed) => {
    await runner.dispose();
    runner = await startRunner(tier, { limits: { fileSizeBytes: 1024 ** 2 } });
    const first = await runner.runCell(`kept = 1\n${trap}\nprint("set")`);
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'set\n', killed: undefined });
    const next = await runner.runCell(innocent);
    expect({ stdout: next.stdout, stderr: next.stderr, exitCode: next.exitCode, killed: next.killed, notice: next.notice }).toEqual({
      stdout: printed,
      stderr: '',
      exitCode: 0,
      killed: undefined,
      notice: undefined,
    });
  });

  // A seccomp filter cannot be taken off a process: one a cell stacked on its interpreter (allowed,
  // since the sandbox's own filter brings no_new_privs) that kills it at a syscall a later cell
  // makes (here mkdir) made that innocent cell "the Python interpreter crashed (signal 31)".
  // Filters of the cell's own are refused (EPERM), through seccomp(2) and prctl alike.
  it.each([
    ['prctl(PR_SET_SECCOMP)', 'libc.prctl(22, ctypes.c_ulong(2), ctypes.byref(prog), ctypes.c_ulong(0), ctypes.c_ulong(0))'],
    ['seccomp(2)', `libc.syscall(${process.arch === 'arm64' ? 277 : 317}, 1, 0, ctypes.byref(prog))`],
  ])('a seccomp filter of the cell’s own (%s) is refused, so no later cell is killed by it', async (_how, install) => {
    const nrMkdir = process.arch === 'arm64' ? 34 : 83; // aarch64 has mkdirat only
    const first = await runner.runCell(
      [
        'import ctypes',
        'kept = 1',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'class Filter(ctypes.Structure):',
        '    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]',
        'class Prog(ctypes.Structure):',
        '    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]',
        // load nr; if mkdir: kill the process; else allow
        `rows = (Filter * 4)(Filter(0x20, 0, 0, 0), Filter(0x15, 0, 1, ${nrMkdir}), Filter(0x06, 0, 0, 0x80000000), Filter(0x06, 0, 0, 0x7FFF0000))`,
        'prog = Prog(4, rows)',
        `result = ${install}`,
        'print("installed" if result == 0 else "refused", ctypes.get_errno())',
      ].join('\n'),
    );
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'refused 1\n', killed: undefined });
    const next = await runner.runCell('import os\nos.mkdir("made")\nprint(kept, os.path.isdir("made"))');
    expect({ stdout: next.stdout, stderr: next.stderr, killed: next.killed, notice: next.notice }).toEqual({ stdout: '1 True\n', stderr: '', killed: undefined, notice: undefined });
  });

  // A Landlock domain cannot be taken off a process either: one a cell put on its interpreter
  // (handling file writes, allowing none) made every later cell's writes to scratch fail with
  // "Permission denied", as if the folder were read-only. landlock_restrict_self is refused.
  it('a Landlock domain of the cell’s own is refused, so later cells can still write to scratch', async () => {
    const first = await runner.runCell(
      [
        'import ctypes',
        'kept = 1',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'attr = (ctypes.c_uint64 * 1)((1 << 1) | (1 << 8))  # handled: write a file, make a regular file',
        'ruleset = libc.syscall(444, ctypes.byref(attr), 8, 0)',
        'result = libc.syscall(446, ruleset, 0) if ruleset >= 0 else -2',
        'print("restricted" if result == 0 else "refused" if result == -1 else "no landlock")',
      ].join('\n'),
    );
    expect({ killed: first.killed }).toEqual({ killed: undefined });
    expect(['refused\n', 'no landlock\n']).toContain(first.stdout);
    const next = await runner.runCell('with open("written.txt", "w") as f: f.write("x")\nprint(kept, open("written.txt").read())');
    expect({ stdout: next.stdout, stderr: next.stderr, killed: next.killed }).toEqual({ stdout: '1 x\n', stderr: '', killed: undefined });
  });

  // The supervisor believes an interpreter's "done" only once it sees its main thread waiting for
  // the next cell's code (/proc/PID/syscall), and checks its stdout and stderr through kcmp or
  // /proc/PID/fd: a cell can make its interpreter non-dumpable (prctl PR_SET_DUMPABLE 0), which
  // closes those to the supervisor. A cell that only did that was stopped as "closed or replaced
  // the interpreter's stdout", its state lost; a cell that toggled it while sending its own "done"
  // and running on had the "done" believed whenever the look fell on a non-dumpable moment, and the
  // next, innocent cell then ran into its time limit (its code was never read).
  // Making the interpreter non-dumpable is refused (EPERM; making it dumpable is not).
  it('a cell cannot make its interpreter non-dumpable, and keeps its state', async () => {
    const first = await runner.runCell('import ctypes\nkept = 1\nlibc = ctypes.CDLL(None, use_errno=True)\nprint(libc.prctl(4, 0, 0, 0, 0), ctypes.get_errno(), libc.prctl(4, 1, 0, 0, 0), libc.prctl(3, 0, 0, 0, 0))');
    expect({ stdout: first.stdout, killed: first.killed, killMessage: first.killMessage }).toEqual({ stdout: '-1 1 0 1\n', killed: undefined, killMessage: undefined });
    const next = await runner.runCell('print(kept, "innocent ran")');
    expect({ stdout: next.stdout, killed: next.killed, notice: next.notice }).toEqual({ stdout: '1 innocent ran\n', killed: undefined, notice: undefined });
  });

  it('a cell that forges its own "done" while flipping its interpreter non-dumpable takes its own time limit; the next cell runs', async () => {
    await runner.dispose();
    runner = await startRunner(tier, { limits: { timeoutMs: 3_000 } });
    const forged = await runner.runCell(
      [
        'import ctypes, gc, json, threading',
        'libc = ctypes.CDLL(None)',
        'def flip():',
        '    while True:',
        '        libc.prctl(4, 0, 0, 0, 0)',
        '        libc.prctl(4, 1, 0, 0, 0)',
        'threading.Thread(target=flip, daemon=True).start()',
        'me = next(o for o in gc.get_objects() if type(o).__name__ == "Interpreter")',
        'print("forging", flush=True)',
        'for _ in range(50):',
        '    me.control.sendall((json.dumps({"type": "done", "seq": me.seq, "exitCode": 0, "error": None, "threads": 0}) + "\\n").encode())',
        'while True: pass',
      ].join('\n'),
    );
    expect(forged.stdout).toBe('forging\n');
    expect(['timeout', 'protocol']).toContain(forged.killed);
    const next = await runner.runCell('print(6 * 7)');
    expect({ stdout: next.stdout, killed: next.killed }).toEqual({ stdout: '42\n', killed: undefined });
  });

  // A nice value raised or SCHED_IDLE cannot be undone by the process (nor by the supervisor)
  // without CAP_SYS_NICE: every later cell would run only when nothing else wants the CPU.
  it.each([
    ['a raised nice value', 'import os\nos.nice(19)'],
    ['the idle scheduling policy', 'import os\nos.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))'],
  ])('%s the cell set on its own interpreter: the cell is told, the next cell runs at normal priority', async (_what, attack) => {
    const { next } = await expectBlamed(runner, attack, /interpreter's own scheduling/);
    const check = await runner.runCell('import os\nprint(os.nice(0), os.sched_getscheduler(0))');
    expect(check.stdout).toBe('0 0\n');
    expect(next.killed).toBeUndefined();
  });

  // A SIGINT handler outlives its cell the way no script's outlives its run: one cell that ignored
  // SIGINT (or swallowed it) left every later cell's time limit and cancel to the hard kill, so an
  // innocent cell that ran too long lost every variable of the conversation instead of getting a
  // KeyboardInterrupt. Each cell starts with the sandbox's own SIGINT handler.
  it.each([
    ['ignored', 'signal.signal(signal.SIGINT, signal.SIG_IGN)'],
    ['swallowed by a handler', 'signal.signal(signal.SIGINT, lambda *args: None)'],
  ])('SIGINT %s by one cell: a later cell’s time limit still interrupts it and keeps the state', async (_what, trap) => {
    await runner.dispose();
    runner = await startRunner(tier, { limits: { timeoutMs: 3_000 } });
    const first = await runner.runCell(`import signal\nkept = 1\n${trap}\nprint("set")`);
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'set\n', killed: undefined });
    const slow = await runner.runCell('while True: pass');
    expect(slow.killed).toBe('timeout');
    expect(slow.stderr).toContain('KeyboardInterrupt');
    expect(slow.killMessage ?? '').not.toMatch(/restarted/);
    const next = await runner.runCell('print(kept)');
    expect({ stdout: next.stdout, notice: next.notice }).toEqual({ stdout: '1\n', notice: undefined });
  });

  // The umask is the interpreter's too: a cell that set it to 0o777 made every file a later cell
  // wrote unreadable to that cell (it failed with PermissionError reading back what it had just
  // written). Each cell starts with the umask the sandbox started with, as a script's run starts
  // with its shell's; the state is kept.
  it('a umask the cell set does not reach the next cell’s files (state kept)', async () => {
    const MODE_OF_NEW = (name: string): string => `import os, stat\nopen("${name}", "w").close()\nprint(oct(stat.S_IMODE(os.stat("${name}").st_mode)))`;
    const before = await runner.runCell(MODE_OF_NEW('before.txt'));
    const first = await runner.runCell('import os\nkept = 1\nos.umask(0o777)\nprint("set")');
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'set\n', killed: undefined });
    const next = await runner.runCell(`${MODE_OF_NEW('after.txt')}\nprint(kept)`);
    expect({ stdout: next.stdout, killed: next.killed, notice: next.notice }).toEqual({ stdout: `${before.stdout}1\n`, killed: undefined, notice: undefined });
  });

  // The interpreter's CPUs are inherited by every later cell's processes and threads: a cell that
  // pinned its interpreter to one CPU held every later cell to it (a parallel computation then
  // took as long as a serial one, or ran into its time limit). Put back after every cell, as a
  // script's end takes them with it; the state is kept.
  it('CPUs the cell narrowed its interpreter to are put back for the next cell (state kept)', async () => {
    const all = await runner.runCell('import os\nprint(sorted(os.sched_getaffinity(0)))');
    const first = await runner.runCell('import os\nkept = 1\nos.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\nprint(len(os.sched_getaffinity(0)))');
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: '1\n', killed: undefined });
    const next = await runner.runCell('import os\nprint(kept, sorted(os.sched_getaffinity(0)))');
    expect({ stdout: next.stdout, killed: next.killed, notice: next.notice }).toEqual({ stdout: `1 ${all.stdout}`, killed: undefined, notice: undefined });
  });

  // The timer slack of the interpreter's main thread (prctl PR_SET_TIMERSLACK, up to ~584 years)
  // delays every sleep and timeout of later cells by up to that much: a time.sleep(0.1) of the next
  // cell took 20 s, or ran into its time limit. Each cell starts with the default slack.
  it('a timer slack the cell set on the interpreter does not reach the next cell', async () => {
    await runner.dispose();
    runner = await startRunner(tier, { limits: { timeoutMs: 10_000 } });
    const slack = 'import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nlibc.prctl.restype = ctypes.c_long';
    const first = await runner.runCell(`${slack}\nkept = 1\nassert libc.prctl(29, ctypes.c_ulong(100 * 10**9), 0, 0, 0) == 0\nprint(libc.prctl(30, 0, 0, 0, 0))`);
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: '100000000000\n', killed: undefined });
    const next = await runner.runCell(`${slack}\nimport time\ntime.sleep(0.1)\nprint(kept, libc.prctl(30, 0, 0, 0, 0) < 10**9)`);
    expect({ stdout: next.stdout, killed: next.killed, notice: next.notice }).toEqual({ stdout: '1 True\n', killed: undefined, notice: undefined });
  });

  // Before each cell the interpreter writes into sys.modules and linecache.cache and resets
  // multiprocessing's state: objects earlier cells own and may have replaced. A replacement that
  // raised there ended the interpreter (the next cell "may not have run", variables lost); one that
  // slept made the next cell time out with its variables lost. sys.modules and linecache.cache are
  // put back; multiprocessing's state is reset as part of the cell: an error is said and the cell
  // runs, a hang is interrupted at the time limit with the earlier cell's code in the traceback, and
  // the variables are kept.
  it.each([
    ['linecache.cache (None)', 'import linecache\nlinecache.cache = None'],
    ['linecache.cache (a dict that sleeps)', 'import linecache, time\nclass Trap(dict):\n    def __setitem__(self, key, value):\n        time.sleep(1000)\nlinecache.cache = Trap()'],
    ['sys.modules (a dict that sleeps)', 'import sys, time\nclass Trap(dict):\n    def __setitem__(self, key, value):\n        time.sleep(1000)\nsys.modules = Trap(sys.modules)'],
  ])('a cell that replaces %s, which the interpreter writes before each cell: the next cell runs as usual', async (_what, attack) => {
    const first = await runner.runCell(`kept = 1\n${attack}\nprint("replaced")`);
    expect(first.stdout).toBe('replaced\n');
    const next = await runner.runCell('print(kept, "innocent ran")\nraise ValueError("shown")');
    expect({ stdout: next.stdout, killed: next.killed, exitCode: next.exitCode, notice: next.notice }).toEqual({ stdout: '1 innocent ran\n', killed: undefined, exitCode: 1, notice: undefined });
    expect(next.stderr).toMatch(/line 2, in <module>\n {4}raise ValueError\("shown"\)\nValueError: shown/);
  });

  // A cell's error is printed with the traceback module, which the cells own: one replaced so that
  // formatting raised ended the interpreter when the innocent next cell raised (variables lost).
  it('a cell that breaks the traceback module: the next cell’s error is still named, the variables are kept', async () => {
    const first = await runner.runCell('kept = 1\nimport traceback\ntraceback.TracebackException = None\nprint("replaced")');
    expect(first.stdout).toBe('replaced\n');
    const next = await runner.runCell('raise ValueError("innocent")');
    expect({ killed: next.killed, exitCode: next.exitCode, notice: next.notice }).toEqual({ killed: undefined, exitCode: 1, notice: undefined });
    expect(next.stderr).toMatch(/^ValueError: innocent\n\[sandbox: no traceback: formatting it failed \(TypeError\)\]/);
    const third = await runner.runCell('print(kept)');
    expect({ stdout: third.stdout, notice: third.notice }).toEqual({ stdout: '1\n', notice: undefined });
  });

  it('a cell that replaces multiprocessing’s default context with one that raises: the next cell runs and is told, the variables are kept', async () => {
    const first = await runner.runCell(
      'kept = 1\nimport multiprocessing.context\nclass Trap:\n    def __getattr__(self, name):\n        raise OSError("trap")\nmultiprocessing.context._default_context = Trap()\nprint("replaced")',
    );
    expect(first.stdout).toBe('replaced\n');
    const next = await runner.runCell('print(kept, "innocent ran")');
    expect({ stdout: next.stdout, killed: next.killed, exitCode: next.exitCode, notice: next.notice }).toEqual({ stdout: '1 innocent ran\n', killed: undefined, exitCode: 0, notice: undefined });
    expect(next.stderr).toMatch(/not reset for this cell: an earlier cell replaced their state \(OSError: trap\)/);
  });

  it('a cell that makes multiprocessing’s default context sleep: the next cell is interrupted at its time limit, the variables are kept', async () => {
    await runner.dispose();
    runner = await startRunner(tier, { limits: { timeoutMs: 4000 } });
    const first = await runner.runCell(
      'kept = 1\nimport multiprocessing.context, time\nclass Trap:\n    def __getattr__(self, name):\n        time.sleep(1000)\nmultiprocessing.context._default_context = Trap()\nprint("replaced")',
    );
    expect(first.stdout).toBe('replaced\n');
    const next = await runner.runCell('print("innocent ran")');
    expect(next.stdout).toBe('');
    expect(next.stderr).toMatch(/File "<cell 1>"[\s\S]*KeyboardInterrupt/);
    expect(next.notice).toBeUndefined();
    const third = await runner.runCell('import multiprocessing.context as c\nc._default_context = c.DefaultContext(c._concrete_contexts["fork"])\nprint(kept, "third ran")');
    expect(third.notice).toBeUndefined();
  });

  // What the loop calls itself is taken before any cell (copies of os, signal and the builtins, a
  // JSON scanner of its own, the control socket's send): a cell that replaced json.loads made every
  // later cell time out without running; one that made signal.sigpending, signal.getitimer or
  // socket.socket.sendall hide a pending SIGTERM or an armed SIGALRM timer from the checks made the
  // next cell "crash (signal 15/14)", with no word for the cell that did it.
  const INNOCENT_KEPT = 'import time\ntime.sleep(1.5)\nprint("kept" in globals(), "innocent ran")';
  it.each([
    ['json.loads', 'import json\njson.loads = lambda s, **k: {}'],
    ['json.loads (None)', 'import json\njson.loads = None'],
    ['os.read', 'import os, time\nos.read = lambda fd, n: time.sleep(1000)'],
    ['exec and compile', 'import builtins\nbuiltins.exec = lambda *a, **k: None\nbuiltins.compile = lambda *a, **k: None'],
    ['threading._active (a table whose values() sleeps)', 'import threading, time\nclass Table(dict):\n    def values(self):\n        time.sleep(1000)\nthreading._active = Table(threading._active)'],
    ['signal.sigpending (hiding a pending SIGTERM)', 'import os, signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})\nos.kill(os.getpid(), signal.SIGTERM)\nsignal.sigpending = lambda: set()'],
    // The loop's prctl at each cell's start read both at call time.
    ['ctypes.c_ulong and sys.platform', 'import ctypes, sys\nctypes.c_ulong = None\nsys.platform = None'],
  ])('a cell that replaces %s, which the interpreter uses between cells: the next cell runs as usual', async (_what, attack) => {
    const first = await runner.runCell(`kept = 1\n${attack}\nprint("replaced")`);
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'replaced\n', killed: undefined });
    const next = await runner.runCell(INNOCENT_KEPT);
    expectClean(next, 'True innocent ran\n');
  });

  // A trace or profile function (or a lowered recursion limit) outlived its cell, as no script's
  // does: one that raised at the loop's next call made the innocent next cell fail as "the
  // interpreter's own loop failed", its variables lost.
  it.each([
    ['sys.settrace', 'import sys\ndef trap(frame, event, arg):\n    if frame.f_code.co_name == "run_cell":\n        raise RuntimeError("trap")\nsys.settrace(trap)'],
    ['sys.setprofile', 'import sys\ndef trap(frame, event, arg):\n    if event == "call" and frame.f_code.co_name == "standard_streams":\n        raise RuntimeError("trap")\nsys.setprofile(trap)'],
    ['sys.setrecursionlimit', 'import sys\nimport traceback\nsys.setrecursionlimit(len(traceback.extract_stack()) + 8)'],
  ])('%s left by a cell does not reach the next cell (state kept)', async (_what, attack) => {
    const first = await runner.runCell(`kept = 1\n${attack}\nprint("set")`);
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'set\n', killed: undefined });
    const next = await runner.runCell('import sys\ndef depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\nprint(kept, depth(200), sys.gettrace(), sys.getprofile())');
    expectClean(next, '1 200 None None\n');
  });

  // Interpreter-wide settings that a script's end takes with it but a cell's end did not: each made
  // the innocent NEXT cell fail. A switch interval of 1e6 s let a thread the cell left busy keep the
  // GIL, so the next cell timed out before it began (variables lost); SIGTERM or SIGCHLD set to
  // SIG_IGN was inherited by later cells' children or made the kernel reap them (a later
  // `subprocess.run(["false"])` returned 0); the garbage collector switched off left a later cell's
  // cyclic garbage unfreed (MemoryError); a 32 KiB stack for new threads crashed a later cell's
  // thread (SIGSEGV) that printed a nested list; a signal wake-up file on a copy of the code channel wrote
  // there at the next cell's first signal (a protocol violation). Each is put back at the cell's end,
  // the variables kept.
  const BUSY_THREAD = 'import threading, time\ndef busy():\n    time.sleep(0.5)\n    while True:\n        pass\nthreading.Thread(target=busy, daemon=True).start()';
  // 375 MiB of cyclic garbage, 128 KiB a cycle: over the 256 MiB budget unless the collector frees it (every 700 cycles).
  const CYCLES = 'for i in range(3000):\n    cycle = [bytearray(1 << 17)]\n    cycle.append(cycle)\ndel cycle';
  const NESTED_IN_THREAD =
    'import threading\nout = []\ndef work():\n    x = []\n    for i in range(900):\n        x = [x]\n    out.append(len(repr(x)))\nthread = threading.Thread(target=work)\nthread.start()\nthread.join()';
  const HANDLED_ALARM = 'import signal, time\nsignal.signal(signal.SIGALRM, lambda *a: print("alarm"))\nsignal.setitimer(signal.ITIMER_REAL, 0.2)\ntime.sleep(0.5)';
  it.each([
    ['sys.setswitchinterval(1e6) beside a busy thread', `${BUSY_THREAD}\nimport sys\nsys.setswitchinterval(1e6)`, 'import sys, time\ntime.sleep(1)\nprint(kept, sys.getswitchinterval())', '1 0.005\n'],
    ['SIGTERM set to SIG_IGN', 'import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)', 'import subprocess\np = subprocess.Popen(["sleep", "100"])\np.terminate()\nprint(kept, p.wait())', '1 -15\n'],
    ['SIGCHLD set to SIG_IGN', 'import signal\nsignal.signal(signal.SIGCHLD, signal.SIG_IGN)', 'import subprocess\nprint(kept, subprocess.run(["false"]).returncode)', '1 1\n'],
    ['gc.disable()', 'import gc\ngc.disable()', `${CYCLES}\nprint(kept, "freed")`, '1 freed\n'],
    ['gc.set_threshold(0)', 'import gc\ngc.set_threshold(0)', `${CYCLES}\nprint(kept, "freed")`, '1 freed\n'],
    ['gc.set_debug(gc.DEBUG_SAVEALL)', 'import gc\ngc.set_debug(gc.DEBUG_SAVEALL)', `${CYCLES}\nprint(kept, "freed")`, '1 freed\n'],
    ['threading.stack_size(32768)', 'import threading\nthreading.stack_size(32768)', `${NESTED_IN_THREAD}\nprint(kept, out)`, '1 [1802]\n'],
    ['threading.settrace (a function that raises)', 'import threading\ndef trap(*args):\n    raise RuntimeError("trap")\nthreading.settrace(trap)', `${NESTED_IN_THREAD}\nprint(kept, out)`, '1 [1802]\n'],
    ['sys.set_int_max_str_digits(640)', 'import sys\nsys.set_int_max_str_digits(640)', 'import math\nprint(kept, len(str(math.factorial(500))))', '1 1135\n'],
    [
      'sys.addaudithook (a hook that raises on every exec and compile)',
      'import sys\ndef trap(event, args):\n    if event in ("exec", "compile"):\n        raise RuntimeError("trap")\nsys.addaudithook(trap)',
      'print(kept, eval("6 * 7"))',
      '1 42\n',
    ],
    ['signal.set_wakeup_fd on a copy of the code channel', 'import os, signal\nfd = os.dup(5)\nos.set_blocking(fd, False)\nsignal.set_wakeup_fd(fd)', `${HANDLED_ALARM}\nprint(kept)`, 'alarm\n1\n'],
  ])('%s, left by a cell, does not reach the next cell (state kept)', async (_what, attack, innocent, expected) => {
    await runner.dispose();
    runner = await startRunner(tier, { limits: { timeoutMs: 30_000, memoryBytes: 256 * 1024 ** 2 } });
    const first = await runner.runCell(`kept = 1\n${attack}\nprint("set")`);
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'set\n', killed: undefined });
    const next = await runner.runCell(innocent);
    expect({ stdout: next.stdout, stderr: next.stderr, killed: next.killed, exitCode: next.exitCode, restarted: next.notice?.includes('restarted') ?? false }).toEqual({
      stdout: expected,
      stderr: '',
      killed: undefined,
      exitCode: 0,
      restarted: false,
    });
  });

  // The reset above is for the signals process tools send or wait on; any other signal a cell
  // ignored on purpose stays ignored, as in a notebook (SIGUSR1 reset to its default had made a
  // later cell's own os.kill(os.getpid(), SIGUSR1) crash the interpreter, variables lost).
  it('a signal a cell ignored on purpose that no process tool uses (SIGUSR1) stays ignored in later cells', async () => {
    const first = await runner.runCell('import os, signal\nkept = 1\nsignal.signal(signal.SIGUSR1, signal.SIG_IGN)');
    expect(first.exitCode).toBe(0);
    const next = await runner.runCell('os.kill(os.getpid(), signal.SIGUSR1)\nprint(kept, signal.getsignal(signal.SIGUSR1) == signal.SIG_IGN)');
    expect({ stdout: next.stdout, stderr: next.stderr, notice: next.notice }).toEqual({ stdout: '1 True\n', stderr: '', notice: undefined });
  });

  // What SIGINT does at the kernel, which the loop's look at Python's handler table did not see:
  // faulthandler.register(SIGINT) put a C handler there that only printed a traceback, and
  // siginterrupt(SIGINT, False) made the next cell's wait for a child restart after the interrupt;
  // either way the next cell's time limit fell to the hard kill, which took every variable.
  it.each([
    ['faulthandler.register(SIGINT)', 'import faulthandler, signal\nfaulthandler.register(signal.SIGINT)'],
    ['signal.siginterrupt(SIGINT, False)', 'import signal\nsignal.siginterrupt(signal.SIGINT, False)'],
  ])('%s, left by a cell, does not keep the next cell’s time limit from interrupting it (state kept)', async (_what, attack) => {
    await runner.dispose();
    runner = await startRunner(tier, { limits: { timeoutMs: 4000 } });
    const first = await runner.runCell(`kept = 1\n${attack}\nprint("set")`);
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'set\n', killed: undefined });
    const next = await runner.runCell('import subprocess\nsubprocess.run(["sleep", "100"])');
    expect(next.killed).toBe('timeout');
    expect(next.stderr).toMatch(/KeyboardInterrupt/);
    const third = await runner.runCell('print(kept)');
    expect({ stdout: third.stdout, notice: third.notice }).toEqual({ stdout: '1\n', notice: undefined });
  });

  // The signals the sandbox itself makes for the interpreter after a cell, which no script's run
  // gets: SIGCONT when the supervisor continues it for the next cell, SIGCHLD when the host kills
  // the children the cell left. A handler the cell put on them ran in the NEXT cell: faulthandler's
  // dump on the control socket ended that innocent cell as a protocol violation (variables lost),
  // on stdout it came before every later cell's output, and a raising handler failed every later cell.
  const CONTROL_SOCKET = 'import os, stat\ncontrol = next(fd for fd in map(int, os.listdir("/proc/self/fd")) if fd > 5 and stat.S_ISSOCK(os.fstat(fd).st_mode))';
  it.each([
    ['faulthandler.register(SIGCONT) on the control socket', `${CONTROL_SOCKET}\nimport faulthandler, signal\nfaulthandler.register(signal.SIGCONT, file=control, all_threads=False)`],
    ['faulthandler.register(SIGCONT) on stdout', 'import faulthandler, signal, sys\nfaulthandler.register(signal.SIGCONT, file=sys.stdout)'],
    ['a SIGCONT handler that raises', 'import signal\ndef trap(*args):\n    raise RuntimeError("trap")\nsignal.signal(signal.SIGCONT, trap)'],
    [
      'faulthandler.register(SIGCHLD) on the control socket, with a child left running',
      `${CONTROL_SOCKET}\nimport faulthandler, signal, subprocess\nchild = subprocess.Popen(["sleep", "100"])\nfaulthandler.register(signal.SIGCHLD, file=control, all_threads=False)`,
    ],
  ])('%s, left by a cell, does not reach the next cell (state kept)', async (_what, attack) => {
    const first = await runner.runCell(`kept = 1\n${attack}\nprint("set")`);
    expect({ stdout: first.stdout, stderr: first.stderr, killed: first.killed }).toEqual({ stdout: 'set\n', stderr: '', killed: undefined });
    for (let cell = 0; cell < 2; cell++) {
      const next = await runner.runCell('print("café"); import json; print(kept)');
      expect({ stdout: next.stdout, stderr: next.stderr, killed: next.killed, killMessage: next.killMessage, exitCode: next.exitCode, notice: next.notice }).toEqual({
        stdout: 'café\n1\n',
        stderr: '',
        killed: undefined,
        killMessage: undefined,
        exitCode: 0,
        notice: undefined,
      });
    }
  });

  // mlockall(MCL_FUTURE) locked every later allocation of the interpreter: past the usual 8 MiB of
  // locked memory a later, innocent cell's 200 MiB failed as "MemoryError at the memory limit".
  // The sandbox allows no locked memory (root on the basic tier is not held to that limit).
  it('mlockall(MCL_FUTURE) in a cell does not fail a later cell’s allocations (state kept)', async () => {
    const first = await runner.runCell('import ctypes\nkept = 1\nlibc = ctypes.CDLL(None, use_errno=True)\nprint(libc.mlockall(2), ctypes.get_errno())');
    // Refused (EPERM) where the limit binds; root on the basic tier keeps CAP_IPC_LOCK, so there
    // the call succeeds and only the later allocation is checked.
    const refused = !(tier === 'basic' && IS_ROOT);
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: refused ? '-1 1\n' : '0 0\n', killed: undefined });
    const next = await runner.runCell('block = bytearray(200 * 1024 * 1024)\nprint(kept, len(block))\ndel block');
    expectClean(next, '1 209715200\n');
  });

  it.each([
    ['signal.getitimer', 'import signal\nsignal.getitimer = lambda which: (0.0, 0.0)'],
    ['socket.socket.sendall', 'import socket\nsend = socket.socket.sendall\nsocket.socket.sendall = lambda self, data, *a: send(self, data.replace(b\', "itimers": [14]\', b""), *a)'],
  ])('a cell that makes %s hide its armed SIGALRM timer takes the blame itself', async (_what, hide) => {
    await expectBlamed(runner, `${hide}\nimport signal\nsignal.setitimer(signal.ITIMER_REAL, 1.0)`, /timer that would send SIGALRM/);
  });

  // The standard streams are put back before each cell, but a cell that reconfigured them in place
  // kept its settings for every later cell: an ASCII stdout made the next cell's print("café")
  // raise UnicodeEncodeError, a buffered one held its output back from the host.
  it('a cell that reconfigures the standard streams in place leaves the next cell the usual ones (state kept)', async () => {
    const first = await runner.runCell('import sys\nkept = 1\nsys.stdout.reconfigure(encoding="ascii", errors="strict")\nsys.stderr.reconfigure(encoding="latin-1", write_through=False)\nprint("reconfigured")');
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'reconfigured\n', killed: undefined });
    const next = await runner.runCell('import sys\nprint(kept, "café ✓")\nprint("ß ✓", file=sys.stderr)\nprint(sys.stdout.encoding, sys.stderr.encoding, sys.stderr.write_through)');
    expect({ stdout: next.stdout, stderr: next.stderr, exitCode: next.exitCode, notice: next.notice }).toEqual({
      stdout: '1 café ✓\nutf-8 utf-8 True\n',
      stderr: 'ß ✓\n',
      exitCode: 0,
      notice: undefined,
    });
  });

  it('a cell that points stdout at a file and puts it back before it ends keeps its state', async () => {
    const first = await runner.runCell(
      'import os\nkept = 1\nsaved = os.dup(1)\nfd = os.open("captured.txt", os.O_WRONLY | os.O_CREAT)\nos.dup2(fd, 1)\nos.write(1, b"captured")\nos.dup2(saved, 1)\nos.close(saved)\nprint("back")',
    );
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'back\n', killed: undefined });
    const next = await runner.runCell('print(kept, open("captured.txt").read())');
    expect({ stdout: next.stdout, notice: next.notice }).toEqual({ stdout: '1 captured\n', notice: undefined });
  });

  // The interpreter's loop touches objects of the cells around each cell, outside the cell's own
  // code: reporting its end reads its exception, its SystemExit code and the streams it left, and
  // setting up a run drops what the last cell left in sys.argv, sys.stderr or __warningregistry__.
  // That ran outside the time limit and uncaught: a sys.stderr whose write raised, an exception
  // whose __str__ slept or a SystemExit code that could not be printed ended the interpreter or
  // lost the variables; sys.exit(10**100) made the "done" line a protocol violation; a __del__ that
  // slept when the sandbox dropped the object made the innocent NEXT cell time out, its variables
  // lost. Now all of that is the cell's own: interrupted at its time limit, said, variables kept.
  const SLEEPS_ON_DEL = 'import time\nclass Sleeper(str):\n    def __del__(self):\n        time.sleep(1000)\n';
  const CELL_OBJECT_TRAPS: ReadonlyArray<[string, string]> = [
    [
      'a sys.stderr whose write raises, then an error',
      'import sys\nclass W:\n    def write(self, s):\n        raise RuntimeError("w")\n    def flush(self):\n        raise RuntimeError("f")\nsys.stdout = sys.stderr = W()\n1 / 0',
    ],
    ['a sys.stderr whose write sleeps, then an error', 'import sys, time\nclass W:\n    def write(self, s):\n        time.sleep(1000)\nsys.stderr = W()\n1 / 0'],
    ['an exception whose __str__ sleeps', 'import time\nclass E(Exception):\n    def __str__(self):\n        time.sleep(1000)\nraise E()'],
    ['an OSError whose errno sleeps', 'import time\nclass E(OSError):\n    @property\n    def errno(self):\n        time.sleep(1000)\nraise E()'],
    ['a SystemExit whose code cannot be printed', 'class C:\n    def __str__(self):\n        raise RuntimeError("s")\nraise SystemExit(C())'],
    ['a SystemExit whose code is beyond a C long', 'raise SystemExit(10 ** 100)'],
    ['an object in sys.argv whose __del__ sleeps', `${SLEEPS_ON_DEL}import sys\nsys.argv = [Sleeper("a")]`],
    ['a __warningregistry__ whose __del__ sleeps', `${SLEEPS_ON_DEL}__warningregistry__ = Sleeper("a")`],
    ['a sys.stderr whose __del__ sleeps', `${SLEEPS_ON_DEL}import sys\nclass S(Sleeper):\n    def write(self, s):\n        return len(s)\n    def flush(self):\n        pass\nsys.stderr = S()`],
  ];
  it.each(CELL_OBJECT_TRAPS)('%s: the cell that left it takes it, the next cell runs as usual (state kept)', async (_name, trap) => {
    await runner.dispose();
    runner = await startRunner(tier, { limits: { timeoutMs: 3000 } });
    const first = await runner.runCell(`kept = 1\n${trap}`);
    expect({ notice: first.notice, killMessage: first.killMessage ?? '' }).toEqual({ notice: undefined, killMessage: expect.not.stringMatching(/restarted/) });
    expect([undefined, 'timeout']).toContain(first.killed);
    const next = await runner.runCell('print("café"); import json; print(json.dumps([kept]))');
    expectClean(next, 'café\n[1]\n');
  });

  it('what the cell’s own objects made of its end is said on stderr (the cell is not restarted)', async () => {
    const first = await runner.runCell('kept = 1\nimport sys\nclass W:\n    def write(self, s):\n        raise RuntimeError("w")\nsys.stderr = W()\n1 / 0');
    expect({ exitCode: first.exitCode, killed: first.killed, notice: first.notice }).toEqual({ exitCode: 1, killed: undefined, notice: undefined });
    expect(first.stderr).toMatch(/\[sandbox: this cell's run could not be set up or its end reported in full \(RuntimeError\)/);
    const big = await runner.runCell('raise SystemExit(10 ** 100)');
    expect({ exitCode: big.exitCode, killed: big.killed, notice: big.notice }).toEqual({ exitCode: -1, killed: undefined, notice: undefined });
  });

  // Attributes set on the standard stream objects themselves outlived the cell (the streams are put
  // back each cell, but they are the same objects): every later cell printed nothing, and a replaced
  // reconfigure that slept made the innocent next cell time out before it began, its variables lost.
  it.each([
    ['write', 'import sys\nsys.stdout.write = lambda s: len(s)\nsys.stderr.write = lambda s: len(s)'],
    ['buffer.write', 'import sys\nsys.stdout.buffer.write = lambda b: len(b)'],
    ['flush (raising)', 'import sys\ndef f():\n    raise RuntimeError("f")\nsys.stdout.flush = sys.stderr.flush = f'],
    ['reconfigure (sleeping)', 'import sys, time\nsys.stdout.reconfigure(encoding="ascii")\nsys.stdout.reconfigure = lambda **k: time.sleep(1000)'],
    // Compared with ==, its __eq__ raised in every later cell's set-up: none of them ran its code.
    ['value whose __eq__ raises', 'import sys\nclass E:\n    def __eq__(self, other):\n        raise ValueError("eq")\n    __hash__ = object.__hash__\nsys.stdout.mode = E()\nsys.stderr.buffer.mode = E()'],
  ])('a %s set on the standard stream objects does not reach the next cell (state kept)', async (_name, trap) => {
    const first = await runner.runCell(`kept = 1\n${trap}`);
    expect({ killed: first.killed, notice: first.notice }).toEqual({ killed: undefined, notice: undefined });
    const next = await runner.runCell('import sys\nprint("café", kept)\nprint("err", file=sys.stderr)');
    expectClean(next, 'café 1\n', 'err\n');
  });

  // Between cells the interpreter's signals are blocked; they were let in by the loop itself, so a
  // handler of the cells for a signal that came meanwhile ran there, and one that raised ended the
  // interpreter before the innocent next cell (variables lost). It runs as part of that cell now,
  // as documented, and a garbage collection the last cell left just under its threshold no longer
  // runs the cells' callbacks in the loop (with every signal blocked, one that slept could only be
  // killed).
  it.each([
    [
      'a pending signal whose handler raises',
      'import os, signal\ndef h(*a):\n    raise RuntimeError("usr1")\nsignal.signal(signal.SIGUSR1, h)\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})\nos.kill(os.getpid(), signal.SIGUSR1)',
    ],
    [
      'a garbage collection left just under its threshold, whose callback sleeps once',
      'import gc, time\nstate = {"armed": False}\ndef cb(phase, info):\n    if state["armed"] and phase == "start":\n        state["armed"] = False\n        time.sleep(1000)\ngc.callbacks.append(cb)\ngc.collect()\njunk = []\nstate["armed"] = True\nwhile gc.get_count()[0] < gc.get_threshold()[0] - 10:\n    junk.append([])',
    ],
    // Allocations after the cell's park (its end, the collector's own count) had started a
    // collection there, with every signal blocked: the callback slept past the time limit.
    [
      'a collector at threshold 1 whose callback sleeps while SIGINT is blocked',
      'import gc, signal, time\ndef cb(phase, info):\n    if phase == "start" and signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []):\n        time.sleep(1000)\ngc.callbacks.append(cb)\ngc.set_threshold(1)',
    ],
    // Its first three signals raise (one strikes each of the next cells, as it would a notebook's).
    [
      'a 1 ms repeating timer whose handler raises',
      'import signal\nraised = [0]\ndef h(*a):\n    raised[0] += 1\n    if raised[0] <= 3:\n        raise RuntimeError("alarm")\nsignal.signal(signal.SIGALRM, h)\nsignal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)',
    ],
  ])('%s: it runs as part of a cell, never in the loop between cells (state kept)', async (_name, trap) => {
    await runner.dispose();
    runner = await startRunner(tier, { limits: { timeoutMs: 3000 } });
    const results = [await runner.runCell(`kept = 1\n${trap}`)];
    for (let cell = 0; cell < 4; cell++) results.push(await runner.runCell('import time\ntime.sleep(0.2)'));
    const last = await runner.runCell('print(kept)');
    expect(results.concat(last).map((result) => ({ notice: result.notice, protocol: result.killed === 'protocol' }))).toEqual(Array(results.length + 1).fill({ notice: undefined, protocol: false }));
    expect(last.stdout).toBe('1\n');
  });

  // The 1 ms timer above, made deterministic: K signals let in at once, each with a handler that
  // raises, strike at K places in a row where Python runs pending handlers, so the Kth raise lands
  // wherever the cell's end then is. One that landed in the park before signals were blocked, or
  // in the handling of that failure, struck outside any try: from K = 4 the loop failed (stopped as
  // "protocol", variables lost). The signals are the cell's own; they run as part of its end.
  it('K signals whose handlers raise, let in at once (K = 1 to 30), never end the loop between cells (state kept)', async () => {
    const outcomes: Array<{ k: number; killed: string | undefined; notice: string | undefined; next: string }> = [];
    for (let k = 1; k <= 30; k++) {
      const trap = `import os, signal\nsigs = [signal.SIGRTMIN + i for i in range(${k})]\ndef h(*a):\n    raise RuntimeError("again")\nfor s in sigs:\n    signal.signal(s, h)\nsignal.pthread_sigmask(signal.SIG_BLOCK, sigs)\nfor s in sigs:\n    os.kill(os.getpid(), s)\nsignal.pthread_sigmask(signal.SIG_UNBLOCK, sigs)`;
      const first = await runner.runCell(`kept = ${k}\n${trap}`);
      const next = await runner.runCell('import json\nprint("café", kept)');
      outcomes.push({ k, killed: first.killed ?? next.killed, notice: next.notice, next: next.stdout });
    }
    expect(outcomes).toEqual(outcomes.map(({ k }) => ({ k, killed: undefined, notice: undefined, next: `café ${k}\n` })));
  });
});
