// A cell behaves like a script (issue 11, item 5), on both tiers: __main__ with __file__
// (pickling its own classes, multiprocessing), unbuffered output that survives a kill or
// os._exit, os._exit(0) as an exit, non-daemon threads waited for, plt.show() saving figures.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunner } from '../../../src/sandbox/index';
import { REQUIRED_TIERS, startRunner } from './helpers';
import { matplotlibPython } from '../../support/matplotlibPython';

describe.each(REQUIRED_TIERS)('a cell behaves like a script (%s tier)', (tier) => {
  // Cells that must end by themselves (a spawn Pool starts fresh interpreters: slow on a loaded
  // machine) run under the default time limit; the tests about the time limit use `limited`.
  let runner: CodeRunner;
  let limited: CodeRunner;
  beforeAll(async () => {
    runner = await startRunner(tier);
    limited = await startRunner(tier, { limits: { timeoutMs: 4_000 } });
  });
  afterAll(async () => {
    await Promise.all([runner.dispose(), limited.dispose()]);
  });

  it('runs as __main__ with __file__, so its own classes pickle', async () => {
    const result = await runner.runCell('import pickle, os\nclass Point:\n    def __init__(self, x): self.x = x\ndata = pickle.dumps(Point(3))\nprint(pickle.loads(data).x, __name__, os.path.isfile(__file__))');
    expect(result.stdout).toBe('3 __main__ True\n');
    // A class from an earlier cell still pickles (persistent state lives in __main__).
    expect((await runner.runCell('import pickle\nprint(pickle.loads(pickle.dumps(Point(4))).x)')).stdout).toBe('4\n');
  });

  it('multiprocessing works: a fork Pool and a spawn Pool (which re-imports __file__), /dev/shm included', async () => {
    const fork = await runner.runCell('from multiprocessing import Pool\ndef sq(x):\n    return x * x\nwith Pool(2) as p:\n    print(sum(p.map(sq, range(10))))');
    expect(fork.stderr).toBe('');
    expect(fork.stdout).toBe('285\n');
    const spawn = await runner.runCell(
      'import multiprocessing as mp\ndef cube(x):\n    return x ** 3\nif __name__ == "__main__":\n    with mp.get_context("spawn").Pool(2) as p:\n        print(sum(p.map(cube, range(5))))',
    );
    expect(spawn.stderr).toBe('');
    expect(spawn.stdout).toBe('100\n');
    const shm = await runner.runCell('from multiprocessing import shared_memory\ns = shared_memory.SharedMemory(create=True, size=16)\ns.buf[0] = 7\nprint(s.buf[0])\ns.close(); s.unlink()');
    expect(shm.stdout).toBe('7\n');
  });

  it('what was printed before a hard kill at the time limit reaches the model', async () => {
    const result = await limited.runCell('import time, signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nprint("progress: best so far = 17")\nwhile True:\n    time.sleep(0.1)');
    expect(result.killed).toBe('timeout');
    expect(result.stdout).toBe('progress: best so far = 17\n');
    expect((await limited.runCell('print(1)')).stdout).toBe('1\n');
  });

  it('os._exit(0) is an exit, not a crash; output before it arrives; the next cell is told the state is gone', async () => {
    const result = await runner.runCell('import os, sys\nkept = 1\nprint("before exit")\nsys.stderr.write("err before exit\\n")\nos._exit(0)');
    expect(result.stdout).toBe('before exit\n');
    expect(result.stderr).toBe('err before exit\n');
    expect(result.exitCode).toBe(0);
    expect(result.killed).toBeUndefined();
    const code3 = await runner.runCell('import os\nprint("three")\nos._exit(3)');
    expect(code3.exitCode).toBe(3);
    expect(code3.stdout).toBe('three\n');
    const next = await runner.runCell('print("kept" in globals())');
    expect(next.stdout).toBe('False\n');
    expect(next.notice).toContain('restarted');
  });

  it('a crash (segfault) is reported as one, with the output before it', async () => {
    const result = await runner.runCell('import ctypes\nprint("about to crash")\nctypes.string_at(0)');
    expect(result.stdout).toBe('about to crash\n');
    expect(result.killed).toBe('crashed');
    expect(result.killMessage).toMatch(/crashed \(signal 11\)/);
    expect((await runner.runCell('print(2)')).stdout).toBe('2\n');
  });

  it('non-daemon threads are waited for; a thread that never ends is stopped by the time limit', async () => {
    const result = await runner.runCell('import threading, time\ndef work():\n    time.sleep(0.5)\n    print("thread done")\nthreading.Thread(target=work).start()\nprint("main done")');
    expect(result.stdout).toBe('main done\nthread done\n');
    const stuck = await limited.runCell('import threading, time\nthreading.Thread(target=lambda: time.sleep(3600), daemon=False).start()\nprint("started")');
    expect(stuck.stdout).toBe('started\n');
    expect(stuck.killed).toBe('timeout');
  });

  it('plt.show() saves each open figure as an image artifact (import hook, exercised with a stand-in pyplot)', async () => {
    // The hook patches whatever module is imported as matplotlib.pyplot; this stand-in has
    // the three functions it uses, so the test runs where matplotlib is not installed.
    const result = await runner.runCell(
      [
        'import os, sys, types',
        'os.makedirs("fake_mpl/matplotlib", exist_ok=True)',
        'open("fake_mpl/matplotlib/__init__.py", "w").write("")',
        'open("fake_mpl/matplotlib/pyplot.py", "w").write("""',
        'class F:',
        '    def savefig(self, name): open(name, "wb").write(bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"fake")',
        '_figs = {1: F(), 2: F()}',
        'def get_fignums(): return sorted(_figs)',
        'def figure(n): return _figs[n]',
        'def close(which): _figs.clear()',
        'def show(): raise SystemExit("the real show ran")',
        '""")',
        'sys.path.insert(0, os.path.abspath("fake_mpl"))',
        'import matplotlib.pyplot as plt',
        'plt.show()',
        'print(sorted(f for f in os.listdir(".") if f.endswith(".png")))',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe("['plot-1.png', 'plot-2.png']\n");
    expect(result.artifacts.filter((a) => a.mimeType === 'image/png').map((a) => a.name)).toEqual(['plot-1.png', 'plot-2.png']);
    expect(readFileSync(result.artifacts.find((a) => a.name === 'plot-1.png')?.path ?? '', 'latin1')).toMatch(/^\x89PNG[^]*fake$/);
  });
});

/** With a real matplotlib (Debian's python3-matplotlib on CI; see test/support/matplotlibPython.ts). */
describe('plt.show() with real matplotlib', () => {
  it.each(REQUIRED_TIERS)('saves the figure as a PNG artifact without font-cache noise (%s tier)', async (tier) => {
    const runner = await startRunner(tier, { pythonPath: matplotlibPython(), limits: { timeoutMs: 60_000 } });
    try {
      const result = await runner.runCell('import matplotlib.pyplot as plt\nxs = list(range(10))\nplt.plot(xs, [x * x for x in xs])\nplt.title("squares")\nplt.show()\nprint("plotted")');
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('plotted\n');
      const png = result.artifacts.find((a) => a.name === 'plot-1.png');
      expect(png?.mimeType).toBe('image/png');
      expect(
        readFileSync(png?.path ?? '')
          .subarray(0, 4)
          .toString('latin1'),
      ).toBe('\x89PNG');
    } finally {
      await runner.dispose();
    }
  });
});
