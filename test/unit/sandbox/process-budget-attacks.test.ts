// Red team on the sandbox's process budget (issue 10, round 3): processes a cell leaves behind
// are killed when it returns, but a killed child of the interpreter stays a zombie until its
// parent waits for it, and zombies count against RLIMIT_NPROC of the sandbox's uid. A cell that
// ends on its own (no time limit, no cancel) with its children left running must not use up the
// process budget of every later cell, nor leave zombies that make the host's leftover check
// take its slow path after every later cell. Really run on both tiers (as root in CI).
import { afterEach, describe, expect, it } from 'vitest';
import type { CodeRunner } from '../../../src/sandbox/index';
import { REQUIRED_TIERS, startRunner } from './helpers';

/** Forks sleeping children until fork fails or `cap` is reached, then returns (the cell ends on its own). */
const forkFlood = (cap: number): string =>
  [
    'import os, time',
    'n = 0',
    `while n < ${cap}:`,
    '    try:',
    '        pid = os.fork()',
    '    except OSError:',
    '        break',
    '    if pid == 0:',
    '        time.sleep(60)',
    '        os._exit(0)',
    '    n += 1',
    'print(n)',
  ].join('\n');

/** The interpreter's own children (zombies included), as the kernel lists them. */
const OWN_CHILDREN = 'import os\np = os.getpid()\nprint(sorted(int(c) for t in os.listdir(f"/proc/{p}/task") for c in open(f"/proc/{p}/task/{t}/children").read().split()))';

describe.each(REQUIRED_TIERS)('the process budget, attacked (%s tier)', (tier) => {
  let runner: CodeRunner | undefined;
  afterEach(async () => {
    await runner?.dispose();
    runner = undefined;
  });

  it('children left by a cell that returned are killed and waited for: no zombies, the budget comes back', async () => {
    runner = await startRunner(tier, { limits: { timeoutMs: 20_000 } });
    // Isolated: up to RLIMIT_NPROC (256 for the sandbox's own uid). Basic as root ignores that
    // limit, so a bounded number of children stands in for the flood there.
    const cap = tier === 'isolated' ? 1_000 : 100;
    const first = await runner.runCell(forkFlood(cap));
    expect(first.killed).toBeUndefined();
    const forked = Number(first.stdout.trim());
    expect(forked).toBeGreaterThan(50);
    // The next cell starts with no child of the interpreter left, zombie or not.
    const children = await runner.runCell(OWN_CHILDREN);
    expect(children.stdout).toBe('[]\n');
    // And the whole budget is back: a second flood forks as many as the first.
    const again = await runner.runCell(forkFlood(cap));
    expect(again.stderr).toBe('');
    expect(Number(again.stdout.trim())).toBe(forked);
    const single = await runner.runCell('import subprocess\nprint(subprocess.run(["true"]).returncode)');
    expect(single.stdout).toBe('0\n');
  });
});
