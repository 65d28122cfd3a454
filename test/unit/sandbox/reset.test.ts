// Evaluation integrity at the cost of a fork (issue 12 item 7, issue 10 item 6): between two
// questions an evaluation keeps its sandbox and resets it (PythonCodeRunner.reset). These
// hostile cells leave behind what a question could: a daemonized child and a thread that keep
// writing, files in every writable folder (and a folder it made unreadable, a link out of
// scratch), a patched module, builtins and environment, a signal handler. After the reset the
// next question's interpreter must see none of it, nothing of the last question may still run,
// and the wipe must not have followed the link. A question that hit a limit is never reused.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PythonCodeRunner } from '../../../src/sandbox/runner';
import { removeTree } from '../../../src/sandbox/scratchJanitor';
import { pidsWithCommandLine, PNG_1X1_PY, REQUIRED_TIERS, startRunner, tempDir } from './helpers';

const dirs: string[] = [];
// removeTree, not rmSync: a host that is not root cannot enter the folder a cell made mode 000.
afterAll(async () => {
  for (const dir of dirs) await removeTree(dir);
});

/** Runs a cell that prints one JSON line; returns it parsed. */
async function report(runner: PythonCodeRunner, code: string): Promise<Record<string, unknown>> {
  const result = await runner.runCell(code);
  expect(result.killed, result.stderr).toBeUndefined();
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

const LOOK = `
import builtins, json, math, os, signal, sys, tempfile
def entries(d):
    try:
        return sorted(os.listdir(d))
    except OSError as e:
        return str(e)
print(json.dumps({
    "global": "LEFT" in globals(),
    "env": os.environ.get("R1CI_LEFT"),
    "math": math.pi,
    "abs": abs(-1),
    "pathHook": any(getattr(h, "__name__", "") == "left_hook" for h in sys.path_hooks),
    "sigterm": signal.getsignal(signal.SIGTERM) == signal.SIG_DFL,
    "scratch": [e for e in entries(".") if e != ".r1ci-cell.py"],
    "tmp": entries(tempfile.gettempdir()),
    "home": entries(os.path.expanduser("~")),
    "shm": entries("/dev/shm") if os.environ.get("HOME") == "/home/sandbox" else [],
}))
`;

describe.each(REQUIRED_TIERS)('reset between questions (%s tier)', (tier) => {
  it('leaves no state, file, process, thread or environment change of the last question', async () => {
    const root = tempDir('reset');
    dirs.push(root);
    // A folder outside scratch that a link in scratch points to: the wipe must not follow it.
    const outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep.txt'), 'host file');
    const token = `r1ci-reset-burner-${tier}-${process.pid}`;
    const runner = (await startRunner(tier, { mode: 'stateless', scratchDir: join(root, 'scratch') })) as PythonCodeRunner;
    try {
      const left = await runner.runCell(`
import builtins, math, os, signal, subprocess, sys, tempfile, threading, time, types
LEFT = 1
os.environ["R1CI_LEFT"] = "yes"
fake = types.ModuleType("math"); fake.pi = 3
sys.modules["math"] = fake
math.pi = 3
builtins.abs = lambda x: "patched"
def left_hook(path):
    raise ImportError
sys.path_hooks.insert(0, left_hook)
signal.signal(signal.SIGTERM, lambda *a: None)
for folder in (".", tempfile.gettempdir(), os.path.expanduser("~")) + (("/dev/shm",) if os.path.isdir("/dev/shm") and os.environ.get("HOME") == "/home/sandbox" else ()):
    open(os.path.join(folder, "left.txt"), "w").write("question one")
os.symlink(${JSON.stringify(tier === 'basic' ? outside : '/usr')}, "link-out")
def write_forever(path):
    while True:
        try:
            open(path, "a").write("x")
        except OSError:
            pass
        time.sleep(0.005)
threading.Thread(target=write_forever, args=("thread.txt",), daemon=True).start()
subprocess.Popen([sys.executable, "-c", "import os, sys, time\\nos.fork() and os._exit(0)\\nwhile True:\\n    open(sys.argv[1], 'a').write('x'); time.sleep(0.005)", os.path.join(tempfile.gettempdir(), "daemon.txt"), "${token}"], start_new_session=True)
time.sleep(0.1)
print("left")
`);
      expect(left.stdout).toContain('left');
      expect(await runner.reset()).toBe(true);
      const look = await report(runner, LOOK);
      expect(look).toEqual({ global: false, env: null, math: Math.PI, abs: 1, pathHook: false, sigterm: true, scratch: [], tmp: [], home: [], shm: [] });
      // Nothing of question one still runs: no file comes back, no process of it is left.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await report(runner, LOOK)).toEqual(look);
      expect(pidsWithCommandLine(token)).toEqual([]);
      expect(existsSync(join(outside, 'keep.txt'))).toBe(true);
      // And the sandbox still works across more resets.
      for (let i = 0; i < 3; i++) {
        expect(await runner.reset()).toBe(true);
        expect((await runner.runCell('print(6 * 7)')).stdout).toBe('42\n');
      }
    } finally {
      await runner.dispose();
    }
  });

  it('empties a folder the question made unreadable, or, when the host cannot list it, starts afresh', async () => {
    const root = tempDir('reset-locked');
    dirs.push(root);
    const runner = (await startRunner(tier, { mode: 'stateless', scratchDir: join(root, 'scratch') })) as PythonCodeRunner;
    try {
      const locked = await runner.runCell(`
import os
os.makedirs("locked/inner")
open("locked/inner/f.txt", "w").write("x")
os.chmod("locked/inner", 0)
os.chmod("locked", 0)
print("locked")
`);
      expect(locked.stdout).toBe('locked\n');
      if (process.getuid?.() === 0) {
        // Root's host lists any folder: the cell is measured, and the reset empties the folder.
        expect(locked.killed, locked.killMessage).toBeUndefined();
        expect(await runner.reset()).toBe(true);
        expect((await report(runner, LOOK))['scratch']).toEqual([]);
      } else {
        // Another user's host cannot measure what the folder holds: that counts as over the disk
        // budget (docs/sandbox-tiers.md), and such a sandbox is never reused for another question.
        expect(locked.killed).toBe('disk');
        expect(locked.killMessage).toMatch(/cannot be read/);
        expect(await runner.reset()).toBe(false);
      }
    } finally {
      await runner.dispose();
    }
  });

  it("refuses to reuse a sandbox whose question changed the supervisor's limits or scheduling", async () => {
    // prlimit(2), setpriority(2), sched_setaffinity(2) and sched_setscheduler(2) need only the
    // same uid: the supervisor shares the interpreter's, and the next interpreter is its fork.
    const root = tempDir('reset-attrs');
    dirs.push(root);
    const runner = (await startRunner(tier, { mode: 'stateless', scratchDir: join(root, 'scratch') })) as PythonCodeRunner;
    try {
      const attacked = await runner.runCell(`
import ctypes, os, resource
libc = ctypes.CDLL(None, use_errno=True)
class RLimit(ctypes.Structure):
    _fields_ = [("cur", ctypes.c_ulong), ("max", ctypes.c_ulong)]
supervisor = os.getppid()
os.sched_setaffinity(supervisor, {min(os.sched_getaffinity(0))})
os.sched_setscheduler(supervisor, os.SCHED_IDLE, os.sched_param(0))
print(libc.prlimit(supervisor, resource.RLIMIT_NOFILE, ctypes.byref(RLimit(20, 20)), None), libc.setpriority(0, supervisor, 19))
`);
      // The attack itself works (else this test would prove nothing).
      expect(attacked.stdout, attacked.stderr).toBe('0 0\n');
      expect(await runner.reset()).toBe(false);
    } finally {
      await runner.dispose();
    }
  });

  if (tier === 'isolated') {
    it('leaves no kernel object of the last question: SysV IPC, POSIX message queues, keyrings', async () => {
      // They outlive every process of the sandbox (its IPC namespace and uid stay), and the
      // wipe cannot list POSIX queues or keys: the sandbox may not make them at all.
      const root = tempDir('reset-ipc');
      dirs.push(root);
      const runner = (await startRunner(tier, { mode: 'stateless', scratchDir: join(root, 'scratch') })) as PythonCodeRunner;
      const objects = (create: boolean): string => `
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
mq_open = getattr(libc, "mq_open", None) or ctypes.CDLL("librt.so.1", use_errno=True).mq_open
flags = 0o1666 if ${create ? 'True' : 'False'} else 0
shm = libc.shmget(0x5231, 4096 if flags else 0, flags)
if shm >= 0 and flags:
    libc.shmat.restype = ctypes.c_void_p
    ctypes.memmove(libc.shmat(shm, None, 0), b"question one", 12)
found = {
    "shm": shm >= 0,
    "sem": libc.semget(0x5231, 1 if flags else 0, flags) >= 0,
    "msg": libc.msgget(0x5231, flags) >= 0,
    "mq": mq_open(b"/r1ci-left", (os.O_CREAT | os.O_RDWR) if flags else os.O_RDONLY, 0o666, None) >= 0,
}
for ring in (-3, -4, -5):  # session, user, user-session keyring
    if flags:
        found["key%d" % ring] = libc.syscall(248, b"user", b"r1ci-left%d" % ring, b"question one", 12, ctypes.c_int(ring)) >= 0
    else:
        found["key%d" % ring] = libc.syscall(250, 10, ctypes.c_int(ring), b"user", b"r1ci-left%d" % ring, 0) >= 0
print(json.dumps(found))
`;
      try {
        await report(runner, objects(true));
        expect(await runner.reset()).toBe(true);
        expect(await report(runner, objects(false))).toEqual({ shm: false, sem: false, msg: false, mq: false, 'key-3': false, 'key-4': false, 'key-5': false });
      } finally {
        await runner.dispose();
      }
    });
  }

  it('a question that ran no cell costs no reset: the sandbox is untouched, the next cell still runs fresh', async () => {
    const root = tempDir('reset-skip');
    dirs.push(root);
    const scratch = join(root, 'scratch');
    const runner = (await startRunner(tier, { mode: 'stateless', scratchDir: scratch })) as PythonCodeRunner;
    try {
      await report(runner, 'LEFT = 1\nopen("left.txt", "w").write("q1")\nprint("{}")');
      expect(await runner.reset()).toBe(true);
      expect(readdirSync(scratch)).toEqual([]);
      // A file no code of the sandbox wrote: a reset would empty scratch, a skipped one leaves it.
      writeFileSync(join(scratch, 'host.txt'), 'not from the sandbox');
      expect(await runner.reset()).toBe(true);
      expect(readdirSync(scratch)).toEqual(['host.txt']);
      expect(await report(runner, LOOK)).toMatchObject({ global: false, scratch: ['host.txt'] });
      // After a cell, the reset does its work again.
      expect(await runner.reset()).toBe(true);
      expect(readdirSync(scratch)).toEqual([]);
    } finally {
      await runner.dispose();
    }
  });

  it("drops the last question's host files: full outputs and artifact copies do not pile up over an evaluation", async () => {
    // Before sandboxes were reused, disposing each question's runner removed them; a reused one
    // would otherwise keep up to 32 MiB of full output per cell for every question of the run.
    const root = tempDir('reset-host-files');
    dirs.push(root);
    const runner = (await startRunner(tier, { mode: 'stateless', scratchDir: join(root, 'scratch'), limits: { outputBytes: 1024 } })) as PythonCodeRunner;
    try {
      const big = await runner.runCell(`print("x" * 200_000)\nopen("plot.png", "wb").write(${PNG_1X1_PY})`);
      expect(big.truncated).toBe(true);
      const kept = [big.fullOutputPath, big.artifacts[0]?.path];
      expect(kept.every((path) => path !== undefined && existsSync(path))).toBe(true);
      expect(await runner.reset()).toBe(true);
      expect(kept.filter((path) => path !== undefined && existsSync(path))).toEqual([]);
      // The next question's output is kept as before.
      const next = await runner.runCell('print("y" * 200_000)');
      expect(next.fullOutputPath && existsSync(next.fullOutputPath)).toBe(true);
    } finally {
      await runner.dispose();
    }
  });

  it('a writable folder swapped for a link to a host folder: the wipe does not follow it', async () => {
    // On the basic tier $HOME and $TMPDIR are a host folder the code may rename and replace with
    // a link; on the isolated tier they are mount points, which cannot be renamed.
    const root = tempDir('reset-swap');
    dirs.push(root);
    const outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep.txt'), 'host file');
    const runner = (await startRunner(tier, { mode: 'stateless', scratchDir: join(root, 'scratch') })) as PythonCodeRunner;
    try {
      const swapped = await runner.runCell(`
import os, tempfile
for folder in {os.path.expanduser("~"), tempfile.gettempdir()}:
    try:
        os.rename(folder, folder + ".moved")
        os.symlink(${JSON.stringify(outside)}, folder)
        print("swapped")
    except OSError as e:
        print("refused", e.errno)
`);
      expect(swapped.stdout, swapped.stderr).toMatch(tier === 'basic' ? /^swapped\n$/ : /^(refused \d+\n)+$/);
      const reused = await runner.reset();
      expect(readdirSync(outside)).toEqual(['keep.txt']);
      if (tier === 'basic') expect(reused).toBe(false);
    } finally {
      await runner.dispose();
    }
  });

  it('refuses to reuse a sandbox whose question hit a limit', async () => {
    const root = tempDir('reset-limit');
    dirs.push(root);
    const runner = (await startRunner(tier, { mode: 'stateless', scratchDir: join(root, 'scratch'), limits: { timeoutMs: 3000 } })) as PythonCodeRunner;
    try {
      // (3 s: print(1) after the timeout must finish under the same limit, on a loaded machine.)
      expect((await runner.runCell('while True: pass')).killed).toBe('timeout');
      expect(await runner.runCell('print(1)')).toMatchObject({ stdout: '1\n' });
      expect(await runner.reset()).toBe(false);
    } finally {
      await runner.dispose();
    }
  });
});
