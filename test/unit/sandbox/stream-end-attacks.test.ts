// Red team on how a cell's output ends (issue 10): a stream the host has already read to its end
// gets no end-of-cell marker (worker.py `unread_bytes`), the others end at their marker; and on
// what of a question's stdout/stderr survives the reset into the next question. Each cell is
// what hostile model code would try to get its bytes into another cell's output, or to leave the
// next question a broken stdout. Really run on both tiers.
import { afterEach, describe, expect, it } from 'vitest';
import type { PythonCodeRunner } from '../../../src/sandbox/runner';
import { REQUIRED_TIERS, startRunner } from './helpers';

/**
 * A child that outlives the cell without ever being a leftover the host can see: SIGCHLD is
 * ignored, so the kernel reaps it the moment it exits. It waits until its parent (the
 * interpreter) is stopped at the cell's end, waits `delay` µs more, writes JUNK on both streams
 * and exits.
 */
function junkCell(delayMicros: number): string {
  return [
    'import os, signal, time',
    'signal.signal(signal.SIGCHLD, signal.SIG_IGN)',
    'parent = os.getpid()',
    'if os.fork() == 0:',
    '    try:',
    '        while True:',
    '            with open(f"/proc/{parent}/stat", "rb") as f: s = f.read()',
    '            if s[s.rindex(b")") + 2 : s.rindex(b")") + 3] == b"T": break',
    `        end = time.perf_counter() + ${delayMicros} / 1e6`,
    '        while time.perf_counter() < end: pass',
    '        os.write(1, b"JUNK-OUT\\n"); os.write(2, b"JUNK-ERR\\n")',
    '    finally:',
    '        os._exit(0)',
    'print("first", flush=True)',
  ].join('\n');
}

describe.each(REQUIRED_TIERS)('how cell output ends, attacked (%s tier)', (tier) => {
  let runner: PythonCodeRunner | undefined;
  afterEach(async () => {
    await runner?.dispose();
    runner = undefined;
  });

  it("bytes a cell's process writes after the cell ended never show in the next cell", async () => {
    runner = (await startRunner(tier)) as PythonCodeRunner;
    const leaks: string[] = [];
    for (let i = 0; i < 60; i++) {
      const first = await runner.runCell(junkCell((i % 12) * 25));
      expect(first.stdout.startsWith('first\n')).toBe(true);
      // The next cell follows at once, as a scripted model or an evaluation does.
      const second = await runner.runCell('print("second")');
      if (second.stdout !== 'second\n' || second.stderr !== '') leaks.push(`${i}: ${JSON.stringify({ stdout: second.stdout, stderr: second.stderr })}`);
    }
    expect(leaks).toEqual([]);
  });

  it('an immediate cancel still interrupts the cell (SIGINT), so its state is kept', async () => {
    runner = (await startRunner(tier)) as PythonCodeRunner;
    expect((await runner.runCell('kept = 5')).exitCode).toBe(0);
    for (let i = 0; i < 30; i++) {
      const controller = new AbortController();
      const running = runner.runCell('import time\nend = time.monotonic() + 20\nwhile time.monotonic() < end: pass', { signal: controller.signal });
      // Cancelled while the supervisor thaws the interpreter: its SIGINT must not be taken for one
      // that crossed the end of the last cell (and dropped), or the grace ends the interpreter.
      if (i % 3 === 0) queueMicrotask(() => controller.abort());
      else if (i % 3 === 1) setImmediate(() => controller.abort());
      else setTimeout(() => controller.abort(), i % 4);
      const result = await running;
      const next = await runner.runCell('print(kept)');
      expect({ i, killed: result.killMessage, stderr: result.stderr.split('\n').at(-2), stdout: next.stdout, notice: next.notice }).toEqual({
        i,
        killed: 'cancelled',
        stderr: 'KeyboardInterrupt',
        stdout: '5\n',
        notice: undefined,
      });
    }
  });

  it("a question cannot leave the next question's stdout, stderr or code channel non-blocking, async or owned", async () => {
    runner = (await startRunner(tier)) as PythonCodeRunner;
    const flags = [
      'import fcntl, os, socket',
      'def options(fd):',
      '    try: s = socket.socket(fileno=fd)',
      '    except OSError: return None',
      '    try: return s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF), s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, 16)',
      '    finally: s.detach()',
      'print([(fcntl.fcntl(fd, fcntl.F_GETFL) & (os.O_NONBLOCK | os.O_APPEND | 0o20000), fcntl.fcntl(fd, fcntl.F_GETOWN), options(fd)) for fd in (0, 1, 2, 5)])',
    ].join('\n');
    const clean = (await runner.runCell(flags)).stdout;
    const hostile = await runner.runCell(
      [
        'import fcntl, os, socket, struct',
        '# (The code channel stays blocking: this interpreter reads its next cell there.)',
        'for fd in (0, 1, 2, 5):',
        '    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | (0 if fd == 5 else os.O_NONBLOCK) | 0o20000)  # O_ASYNC',
        '    fcntl.fcntl(fd, fcntl.F_SETOWN, os.getppid())  # SIGIO (terminates) to the supervisor',
        '    if fd > 0:',
        '        s = socket.socket(fileno=fd)',
        '        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1)',
        '        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 0, 1))',
        '        s.detach()',
      ].join('\n'),
    );
    expect(hostile.exitCode).toBe(0);
    expect(await runner.reset()).toBe(true);
    const after = await runner.runCell(flags);
    expect(after.stdout).toBe(clean);
    // A large output of the next question arrives whole.
    const big = await runner.runCell('import sys\nsys.stdout.write("y" * 4_000_000)');
    expect({ exitCode: big.exitCode, stderr: big.stderr, killed: big.killed }).toEqual({ exitCode: 0, stderr: '', killed: undefined });
  });

  it('a question that shut its stdout down does not hand the next question a mute sandbox', async () => {
    runner = (await startRunner(tier)) as PythonCodeRunner;
    const hostile = await runner.runCell('import socket\nfor fd in (1, 2): s = socket.socket(fileno=fd); s.shutdown(socket.SHUT_WR); s.detach()');
    expect(hostile.killed).toBeUndefined();
    // Either the reset refuses (the caller then starts a fresh sandbox) or the next question is heard.
    if (await runner.reset()) expect((await runner.runCell('print("heard")')).stdout).toBe('heard\n');
  });
});
