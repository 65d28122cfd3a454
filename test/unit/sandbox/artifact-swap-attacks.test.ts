// Red team on how the host opens the artifacts it copies out (issue 10, round 3: the host never
// follows a path the sandbox could have planted). The supervisor lists a file in a folder of
// scratch; the host opens it by name when the cell has ended. Checking after the open (fstat,
// dev/inode, /proc/self/fd) keeps a swapped file's bytes out, but the open itself already acts:
// a folder swapped for a link makes the host open() a host FIFO (a writer waiting on it is let
// through) or a device (a webcam, a serial port that resets its board, a watchdog as root).
// Nothing of the sandbox should run while the host copies, yet a cell can continue its stopped
// interpreter with a POSIX timer that sends SIGCONT (the supervisor ends it at once, but a
// thread of it can swap a folder in that moment): on the isolated tier that made the host open
// every file of a host folder of the cell's choosing. Linux; really run on both tiers.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyOutArtifacts } from '../../../src/sandbox/artifacts';
import { removeDir, REQUIRED_TIERS, startRunner, tempDir } from './helpers';

const outside = tempDir('artifact-swap');
afterAll(() => removeDir(outside));

/** A host process that reports (on stdout) every file opened in `dir` (inotify IN_OPEN); resolves once it watches. */
async function watchOpens(dir: string): Promise<{ opened: () => string[]; stop: () => void }> {
  const script = [
    'import ctypes, os, struct, sys',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'fd = libc.inotify_init()',
    'assert libc.inotify_add_watch(fd, sys.argv[1].encode(), 0x20) >= 0',
    'print("ready", flush=True)',
    'while True:',
    '    data = os.read(fd, 65536); i = 0',
    '    while i < len(data):',
    '        wd, mask, cookie, n = struct.unpack_from("iIII", data, i)',
    '        print(data[i + 16 : i + 16 + n].rstrip(b"\\0").decode(), flush=True); i += 16 + n',
  ].join('\n');
  const child: ChildProcess = spawn('python3', ['-c', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  await new Promise<void>((resolve) =>
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.startsWith('ready\n')) resolve();
    }),
  );
  return {
    // Names of files (the folder's own opens have no name).
    opened: () =>
      text
        .split('\n')
        .slice(1)
        .filter((name) => name !== ''),
    stop: () => child.kill('SIGKILL'),
  };
}

describe.runIf(process.platform === 'linux')('artifacts whose folder became a link after the listing', () => {
  it('are refused before anything behind the link is opened (a host FIFO there is never opened)', async () => {
    const scratch = join(outside, 'scratch');
    const host = join(outside, 'host-fifo');
    mkdirSync(join(scratch, 'd'), { recursive: true });
    mkdirSync(host);
    writeFileSync(join(scratch, 'd', 'plot.png'), 'png');
    const listedStat = lstatSync(join(scratch, 'd', 'plot.png'), { bigint: true });
    const listed = [{ name: 'd/plot.png', size: 3, dev: String(listedStat.dev), ino: String(listedStat.ino) }];
    // After the listing: the folder goes, a link to the host folder takes its name, and a FIFO
    // there has the listed name. A writer on that FIFO is let through by any open() for reading.
    renameSync(join(scratch, 'd'), join(scratch, 'd-old'));
    symlinkSync(host, join(scratch, 'd'));
    execFileSync('mkfifo', [join(host, 'plot.png')]);
    const writer = spawn('python3', ['-c', 'import sys; open(sys.argv[1], "w"); print("let through", flush=True)', join(host, 'plot.png')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let writerSaid = '';
    writer.stdout.on('data', (chunk: Buffer) => (writerSaid += chunk.toString()));
    try {
      // Let the writer block in its open().
      await new Promise((resolve) => setTimeout(resolve, 300));
      const { artifacts } = await copyOutArtifacts(scratch, listed, join(outside, 'copies'), 1024 ** 2);
      expect(artifacts).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(writerSaid).toBe('');
    } finally {
      writer.kill('SIGKILL');
    }
  });

  describe.each(REQUIRED_TIERS)('through the runner (%s tier)', (tier) => {
    it('a cell that continues its interpreter with a SIGCONT timer and swaps its folder for a link never makes the host open a host file', async () => {
      const host = join(outside, `host-${tier}`);
      mkdirSync(host);
      for (let i = 0; i < 200; i++) writeFileSync(join(host, `f${i}`), 'host file\n');
      const watcher = await watchOpens(host);
      const runner = await startRunner(tier, { limits: { timeoutMs: 20_000 } });
      try {
        // The timer fires between 1 and 60 ms after the cell: while the host copies, for some.
        for (const [k, delayMicros] of [1_000, 3_000, 6_000, 10_000, 15_000, 20_000, 30_000, 45_000, 2_000, 4_000, 8_000, 12_000].entries()) {
          const result = await runner.runCell(swapAfterCell(host, k, delayMicros));
          // Copies, when taken, are the sandbox's own 1-byte files, never a host file.
          for (const artifact of result.artifacts) if (artifact.path !== undefined) expect(artifact.sizeBytes).toBe(1);
        }
        const next = await runner.runCell('print(6 * 7)');
        expect(next.stdout).toBe('42\n');
      } finally {
        await runner.dispose();
        await new Promise((resolve) => setTimeout(resolve, 200));
        watcher.stop();
      }
      expect(watcher.opened()).toEqual([]);
    });
  });
});

/**
 * A cell that lists 200 files in folder `d<k>`, then arms a POSIX timer that sends its own
 * process SIGCONT `delayMicros` after the cell, and leaves a daemon thread that swaps `d<k>`
 * with a link to `target` (renameat2 RENAME_EXCHANGE) whenever it runs.
 */
function swapAfterCell(target: string, k: number, delayMicros: number): string {
  return [
    'import ctypes, os, threading, time',
    'libc = ctypes.CDLL(None, use_errno=True)',
    `D, L = b"d${k}", b"link${k}"`,
    'os.makedirs(D)',
    'for i in range(200): open(D + b"/f%d" % i, "w").write("x")',
    `os.symlink(${JSON.stringify(target)}, L)`,
    'class sigevent(ctypes.Structure):',
    '    _fields_ = [("value", ctypes.c_void_p), ("signo", ctypes.c_int), ("notify", ctypes.c_int), ("pad", ctypes.c_char * 48)]',
    'class timespec(ctypes.Structure):',
    '    _fields_ = [("s", ctypes.c_long), ("ns", ctypes.c_long)]',
    'class itimerspec(ctypes.Structure):',
    '    _fields_ = [("interval", timespec), ("value", timespec)]',
    'timer = ctypes.c_void_p()',
    'assert libc.timer_create(1, ctypes.byref(sigevent(None, 18, 0)), ctypes.byref(timer)) == 0',
    'def swap():',
    '    time.sleep(0.002)',
    '    while True: libc.syscall(316, -100, D, -100, L, 2)',
    'threading.Thread(target=swap, daemon=True).start()',
    `assert libc.timer_settime(timer, 0, ctypes.byref(itimerspec(timespec(0, 0), timespec(0, ${delayMicros * 1000}))), None) == 0`,
  ].join('\n');
}
