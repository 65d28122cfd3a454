// Red team on the whole-sandbox memory budget (issue 10 item 2: memory covers all processes and
// the tmpfs mounts): RAM-backed folders of the sandbox that are none of its sized, counted mounts.
// Without root, bubblewrap builds the sandbox in a user namespace whose only user (65534) is the
// code's own: it owned the sandbox's root folder and /dev, two unsized tmpfs that bubblewrap makes.
// Where the budget is watched (no memory cgroup: a desktop without systemd's user manager) a cell
// that wrote twelve 90 MiB files into / held 1,080 MiB of host RAM across cells under a 256 MiB
// budget: the watcher counts /tmp, home and /dev/shm only. The same ownership let a cell rename
// /home and put a link there, so the host's measure of home (a statfs of
// /proc/PID/root/home/sandbox) followed the link into the host's own file system and the home
// tmpfs went uncounted too. Both folders are now read-only (`--remount-ro`): only scratch and the
// sized mounts take files, in either plan. The test runs the real plan with real bubblewrap and
// real Python (the user-namespace plan as root too: root may make one); the basic tier has no
// mounts of its own (its folders are host disk, held by the disk budget).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBwrapPlan, pythonLayout, SANDBOX_SCRATCH, SANDBOX_TMPFS_MOUNTS } from '../../../src/sandbox/bubblewrap';
import { resolvePython } from '../../../src/sandbox/index';
import { IS_ROOT, isolation, removeDir, REQUIRED_TIERS, tempDir } from './helpers';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) removeDir(dir);
});

/**
 * What a cell tries: a file in every folder it can name (scratch and the sized mounts among them),
 * a rename of /home (to plant a link where the host measures home), and the file systems mounted
 * read-write that hold files in RAM. As root (the plan that drops privileges) it first drops to an
 * unprivileged uid, as the worker does.
 */
const PROBE = [
  'import json, os, sys',
  'if os.getuid() == 0:',
  '    os.setgroups([]); os.setgid(2000001); os.setuid(2000001)',
  'writes = {}',
  'for folder in ["/", "/etc", "/home", "/dev", "/tmp", "/home/sandbox", "/dev/shm", "/scratch"]:',
  '    try:',
  '        with open(os.path.join(folder, "r1ci-probe"), "wb") as f: f.write(b"x" * 4096)',
  '        writes[folder] = "written"',
  '    except OSError as e:',
  '        writes[folder] = "refused"',
  'try:',
  '    os.rename("/home", "/home-moved")',
  '    os.symlink("/", "/home")',
  '    moved = "renamed"',
  'except OSError:',
  '    moved = "refused"',
  'ram = []',
  'for line in open("/proc/self/mountinfo"):',
  '    fields = line.split()',
  '    kind = fields[fields.index("-") + 1]',
  '    if kind in ("tmpfs", "ramfs") and fields[5].split(",")[0] == "rw":',
  '        ram.append(fields[4])',
  'print(json.dumps({"writes": writes, "moved": moved, "ram": sorted(ram)}))',
].join('\n');

describe.runIf(REQUIRED_TIERS.includes('isolated'))('RAM-backed folders of the sandbox outside its counted mounts (isolated tier)', () => {
  // The user-namespace plan (no root) always; the plan that drops privileges where we are root.
  const plans = IS_ROOT ? [false, true] : [false];
  it.each(plans)('only scratch and the sized tmpfs mounts take files, and /home cannot be swapped for a link (plan as root: %s)', async (isRoot) => {
    // Linux as root (CI): the isolated tier is required, so without bubblewrap this fails, never skips.
    expect(isolation.tier).toBe('isolated');
    const bwrap = 'bwrapPath' in isolation ? isolation.bwrapPath : undefined;
    expect(bwrap).toBeDefined();
    const python = await resolvePython();
    const layout = await pythonLayout(python.executable);
    const scratch = join(tempDir('root-tmpfs'), 'scratch');
    dirs.push(join(scratch, '..'));
    spawnSync('mkdir', ['-m', '0777', scratch]);
    const plan = buildBwrapPlan({ layout, scratchDir: scratch, workerScript: join(scratch, 'worker.py'), isRoot, tmpfsBytes: 64 * 1024 ** 2 });
    const run = spawnSync(bwrap ?? 'bwrap', [...plan.args, python.executable, '-I', '-c', PROBE], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    const seen = JSON.parse(run.stdout) as { writes: Record<string, string>; moved: string; ram: string[] };
    const counted = [...SANDBOX_TMPFS_MOUNTS, SANDBOX_SCRATCH];
    for (const [folder, outcome] of Object.entries(seen.writes)) expect([folder, outcome]).toEqual([folder, counted.includes(folder) ? 'written' : 'refused']);
    expect(seen.moved).toBe('refused');
    // Every RAM-backed file system the sandbox may write is one the budget counts (and sizes).
    expect(seen.ram).toEqual([...SANDBOX_TMPFS_MOUNTS].sort());
  });
});
