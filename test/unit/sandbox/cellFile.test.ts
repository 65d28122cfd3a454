// The cell's source file in scratch (.r1ci-cell.py, there so multiprocessing, inspect and
// tracebacks find the source) sits in a folder the model's code owns. Whatever a cell leaves at
// that name (a FIFO, a link, a folder) must neither stall nor redirect the next cell. Really run
// on both tiers.
import { afterEach, describe, expect, it } from 'vitest';
import type { CodeRunner } from '../../../src/sandbox/index';
import { REQUIRED_TIERS, startRunner } from './helpers';

const PLANTS: ReadonlyArray<readonly [string, string]> = [
  ['a FIFO', "import os\nos.remove('.r1ci-cell.py')\nos.mkfifo('.r1ci-cell.py')\nprint('planted')"],
  ['a FIFO with a reader kept open', "import os\nos.remove('.r1ci-cell.py')\nos.mkfifo('.r1ci-cell.py')\nKEEP = os.open('.r1ci-cell.py', os.O_RDONLY | os.O_NONBLOCK)\nprint('planted')"],
  ['a link to another file', "import os\nopen('target.txt', 'w').write('untouched')\nos.remove('.r1ci-cell.py')\nos.symlink('target.txt', '.r1ci-cell.py')\nprint('planted')"],
  ['a folder', "import os\nos.remove('.r1ci-cell.py')\nos.mkdir('.r1ci-cell.py')\nopen('.r1ci-cell.py/x', 'w').write('x')\nprint('planted')"],
];

describe.each(REQUIRED_TIERS)('the cell source file (%s tier)', (tier) => {
  let runner: CodeRunner | undefined;
  afterEach(async () => {
    await runner?.dispose();
    runner = undefined;
  });

  it('holds exactly the running cell, after a longer cell and after a cell that wrote to it', async () => {
    runner = await startRunner(tier, { limits: { timeoutMs: 8_000 } });
    // The file as the cell first reads it must equal the source the worker ran (linecache's copy).
    const same = "same = open(__file__).read() == ''.join(__import__('linecache').getlines(__file__))";
    const cells = [`${same}  # ${'long '.repeat(200)}\nprint(same)`, `${same}\nprint(same)`, `${same}\nopen(__file__, 'a').write('# appended\\n' * 50)\nprint(same)`, `${same}\nprint(same)`];
    for (const cell of cells) {
      const result = await runner.runCell(cell);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('True\n');
    }
  });

  it('holds exactly the running cell after a cell made a hard link to it, took its permissions away, set a umask that gives none, or swapped a file in at its name', async () => {
    runner = await startRunner(tier, { limits: { timeoutMs: 8_000 } });
    const same = "same = open(__file__).read() == ''.join(__import__('linecache').getlines(__file__))";
    const plants = ["os.link(__file__, 'kept.py')", 'os.chmod(__file__, 0)', "open('swap.py', 'w').write('print(\"hostile\")\\n' * 100)\nos.replace('swap.py', __file__)", "os.chmod('.', 0o500)", "os.chmod('.', 0o700)"];
    for (const plant of plants) {
      const result = await runner.runCell(`import os\n${same}\n${plant}\nprint(same)`);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('True\n');
    }
    const last = await runner.runCell(`${same}\nprint(same)`);
    expect(last.stdout).toBe('True\n');
  });

  it.each(PLANTS)('%s planted at its name does not stall or redirect the next cells', async (_kind, plant) => {
    runner = await startRunner(tier, { limits: { timeoutMs: 8_000 } });
    expect((await runner.runCell(plant)).stdout).toBe('planted\n');
    for (let i = 0; i < 2; i++) {
      const next = await runner.runCell('import os\nprint(6 * 7)\nprint(open("target.txt").read() if os.path.exists("target.txt") else "no target")');
      expect(next.killed).toBeUndefined();
      expect(next.stdout).toMatch(/^42\n(untouched|no target)\n$/);
    }
    // Tracebacks still quote the cell's source, with or without the file.
    const failing = await runner.runCell('x = 1\nraise ValueError("from line two")');
    expect(failing.stderr).toContain('raise ValueError("from line two")');
  });
});
