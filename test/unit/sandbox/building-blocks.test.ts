// Pure pieces: the Seatbelt profile (macOS, cannot run here), bubblewrap arguments,
// output capture and UTF-8 cutting, worker script lookup, the pool (and the pool per configuration).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRegularFile } from '../../../src/sandbox/artifacts';
import { BoundedLineSplitter, ProtocolError } from '../../../src/sandbox/protocol';
import { buildBwrapPlan, interpreterBinds } from '../../../src/sandbox/bubblewrap';
import { cutUtf8, StreamCapture } from '../../../src/sandbox/output-capture';
import { buildSeatbeltProfile, findWorkerScript, SandboxPool, type CodeRunner } from '../../../src/sandbox/index';
import { ConfiguredSandboxPool } from '../../../src/sandbox/configuredPool';
import { removeDir, tempDir, REQUIRED_TIERS } from './helpers';

describe('buildSeatbeltProfile', () => {
  const profile = buildSeatbeltProfile({
    executable: '/opt/homebrew/bin/python3.12',
    readPaths: ['/opt/homebrew/Cellar/python@3.12', '/Users/me/"odd" dir'],
    scratchDir: '/Users/me/scratch',
    tempDir: '/private/tmp/r1ci-x',
  });
  it('denies by default and has no network', () => {
    expect(profile.startsWith('(version 1)\n(deny default)\n')).toBe(true);
    expect(profile).toContain('(deny network*)');
    expect(profile).not.toMatch(/allow network/);
  });
  it('allows exec of the interpreter only and writes only under scratch and temp', () => {
    expect(profile).toContain('(allow process-exec (literal "/opt/homebrew/bin/python3.12"))');
    const writeLine = profile.split('\n').find((line) => line.startsWith('(allow file-write*')) ?? '';
    expect(writeLine).toBe('(allow file-write* (subpath "/Users/me/scratch") (subpath "/private/tmp/r1ci-x") (literal "/dev/null"))');
  });
  it('escapes quotes in paths', () => {
    expect(profile).toContain('(subpath "/Users/me/\\"odd\\" dir")');
  });
});

describe('bubblewrap plan', () => {
  const layout = {
    prefixes: ['/root/.pyenv/versions/3.11.7', '/root/.pyenv/versions/3.11.7'],
    path: ['/root/.pyenv/versions/3.11.7/lib/python311.zip', '/root/.pyenv/versions/3.11.7/lib/python3.11', '/usr/lib/python3/dist-packages'],
    executable: '/root/.pyenv/versions/3.11.7/bin/python3',
  };
  it('binds the interpreter prefix once and never the whole root', () => {
    const binds = interpreterBinds(layout).filter((p) => p.startsWith('/root'));
    if (existsSync('/root/.pyenv/versions/3.11.7')) expect(binds).toEqual(['/root/.pyenv/versions/3.11.7']);
    const plan = buildBwrapPlan({ layout, scratchDir: '/tmp/s', workerScript: '/ext/resources/sandbox/worker.py', isRoot: true });
    const pairs = plan.args.map((arg, i) => `${arg} ${plan.args[i + 1] ?? ''}`);
    expect(pairs).not.toContain('--ro-bind /');
    expect(pairs).not.toContain('--bind /');
    expect(plan.args).toEqual(expect.arrayContaining(['--die-with-parent', '--new-session', '--unshare-net', '--unshare-pid']));
    expect(plan.args.join(' ')).toContain('--bind /tmp/s /scratch');
    expect(plan.dropPrivileges).toBe(true);
  });
  it('refuses nested user namespaces with --disable-userns where bwrap has it (the user-namespace plan only)', () => {
    const user = buildBwrapPlan({ layout, scratchDir: '/tmp/s', workerScript: '/w/worker.py', isRoot: false, disableUserns: true });
    expect(user.args).toContain('--disable-userns');
    const root = buildBwrapPlan({ layout, scratchDir: '/tmp/s', workerScript: '/w/worker.py', isRoot: true, disableUserns: true });
    expect(root.args).not.toContain('--disable-userns'); // there the worker's seccomp filter does it
  });
  it('uses a user namespace with uid 65534 when not root', () => {
    const plan = buildBwrapPlan({ layout, scratchDir: '/tmp/s', workerScript: '/ext/resources/sandbox/worker.py', isRoot: false });
    expect(plan.args.join(' ')).toContain('--unshare-all --unshare-user --uid 65534 --gid 65534');
    expect(plan.dropPrivileges).toBe(false);
  });
});

describe('StreamCapture', () => {
  const marker = Buffer.from('\0abc\0', 'latin1');
  it('finds a marker split across chunks and keeps the output exact', () => {
    const capture = new StreamCapture(marker, 1024, '/nonexistent/spill');
    capture.push(Buffer.from('hello\0a'));
    capture.push(Buffer.from('bc\0after'));
    expect(capture.ended).toBe(true);
    expect(capture.text(1024)).toBe('hello');
    expect(capture.total).toBe(5);
  });
  it('cuts on a UTF-8 boundary', () => {
    const text = Buffer.from('aé✓');
    expect(cutUtf8(text, 2).toString()).toBe('a');
    expect(cutUtf8(text, 3).toString()).toBe('aé');
    expect(cutUtf8(text, 5).toString()).toBe('aé');
    expect(cutUtf8(text, 6).toString()).toBe('aé✓');
  });
});

describe('findWorkerScript', () => {
  it('finds worker.py from source and from a dist/ or dist/bench/ folder', () => {
    expect(findWorkerScript()).toMatch(/resources[/\\]sandbox[/\\]worker\.py$/);
    expect(findWorkerScript(join(process.cwd(), 'dist'))).toBe(join(process.cwd(), 'resources', 'sandbox', 'worker.py'));
    expect(findWorkerScript(join(process.cwd(), 'dist', 'bench'))).toBe(join(process.cwd(), 'resources', 'sandbox', 'worker.py'));
  });
});

describe.each(REQUIRED_TIERS)('SandboxPool (%s tier)', (tier) => {
  it('hands the warm spare to a new conversation and keeps one ready', async () => {
    const root = tempDir('pool');
    const pool = new SandboxPool({ scratchRoot: root, isolation: tier === 'basic' ? 'basic' : 'auto' });
    try {
      pool.prewarm();
      const runner = await pool.acquire(join(root, 'conversation-1'));
      expect(runner.scratchDir).toBe(join(root, 'conversation-1'));
      const result = await runner.runCell('open("out.txt","w").write("x")\nv = 3\nprint(v)');
      expect(result.stdout).toBe('3\n');
      expect(result.artifacts.map((a) => a.name)).toEqual(['out.txt']);
      // Served from the runner's host-private copy, never from scratch.
      expect(result.artifacts[0]?.path?.startsWith(join(root, 'conversation-1'))).toBe(false);
      expect(readFileSync(result.artifacts[0]?.path ?? '', 'utf8')).toBe('x');
      expect(existsSync(join(root, 'conversation-1', 'out.txt'))).toBe(true);
      const other = await pool.acquire(join(root, 'conversation-2'));
      expect((await other.runCell('print("v" in globals())')).stdout).toBe('False\n');
      await Promise.all([runner.dispose(), other.dispose()]);
    } finally {
      await pool.dispose();
      removeDir(root);
    }
  });

  it('gives callers that ask at once a sandbox each, and leaves no spare running after dispose', async () => {
    // Two chat conversations, or two tool calls of one reply, may ask at the same moment: the
    // one warm spare must go to one of them, never to both (one sandbox shared by two).
    const root = tempDir('pool-race');
    const pool = new SandboxPool({ scratchRoot: root, isolation: tier === 'basic' ? 'basic' : 'auto' });
    const runners: CodeRunner[] = [];
    try {
      pool.prewarm();
      runners.push(...(await Promise.all([1, 2, 3].map((n) => pool.acquire(join(root, `conversation-${n}`))))));
      expect(new Set(runners).size).toBe(3);
      expect(runners.map((r) => r.scratchDir)).toEqual([1, 2, 3].map((n) => join(root, `conversation-${n}`)));
      await runners[0]?.runCell('shared = 1');
      expect((await Promise.all(runners.map((r) => r.runCell('print("shared" in globals())')))).map((r) => r.stdout)).toEqual(['True\n', 'False\n', 'False\n']);
    } finally {
      await Promise.all(runners.map((r) => r.dispose()));
      await pool.dispose();
    }
    // Every interpreter the pool started (spares included) has ended: none still runs in this root.
    expect(processesUsing(root)).toEqual([]);
    removeDir(root);
  });
});

describe.each(REQUIRED_TIERS)('ConfiguredSandboxPool (%s tier)', (tier) => {
  it('a setting changed while a sandbox is handed out: that caller still gets its sandbox, and the old pool ends after', async () => {
    const root = tempDir('pool-switch');
    const isolation = tier === 'basic' ? 'basic' : 'auto';
    const before = { scratchRoot: root, isolation } as const;
    const after = { ...before, limits: { timeoutMs: 5_000 } };
    const pools = new ConfiguredSandboxPool();
    const runners: CodeRunner[] = [];
    try {
      pools.prewarm(before);
      // A conversation takes the warm spare (still starting); a tool call asks with the new setting.
      const first = pools.acquire(before, join(root, 'conversation-1'));
      const second = pools.acquire(after, join(root, 'conversation-2'));
      runners.push(...(await Promise.all([first, second])));
      expect((await Promise.all(runners.map((r) => r.runCell('print(6 * 7)')))).map((r) => r.stdout)).toEqual(['42\n', '42\n']);
    } finally {
      await Promise.all(runners.map((r) => r.dispose()));
      await pools.dispose();
    }
    // The replaced pool's spare (started again after it handed one out) has ended too.
    await expect.poll(() => processesUsing(root)).toEqual([]);
    removeDir(root);
  });
});

describe('SandboxPool set-up', () => {
  it('a failed set-up is tried again on the next acquire: Python installed after the error is found without a new pool', async () => {
    const root = tempDir('pool-setup');
    const python = join(root, 'bin', 'python3');
    const pool = new SandboxPool({ scratchRoot: join(root, 'scratch'), pythonPath: python, isolation: 'basic' });
    try {
      await expect(pool.acquire(join(root, 'scratch', 'first'))).rejects.toThrow();
      mkdirSync(join(root, 'bin'));
      symlinkSync(execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim(), python);
      const runner = await pool.acquire(join(root, 'scratch', 'second'));
      expect((await runner.runCell('print(6 * 7)')).stdout).toBe('42\n');
      await runner.dispose();
    } finally {
      await pool.dispose();
      removeDir(root);
    }
  });
});

/** Pids of processes working in `dir` or naming it on their command line (bubblewrap binds scratch from there). */
function processesUsing(dir: string): number[] {
  const read = (f: () => string): string => {
    try {
      return f();
    } catch {
      return ''; // ended meanwhile, or not ours to read
    }
  };
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => read(() => readFileSync(`/proc/${pid}/cmdline`, 'latin1')).includes(dir) || read(() => readlinkSync(`/proc/${pid}/cwd`)).startsWith(dir))
    .map(Number);
}

describe('openRegularFile (how the host opens anything taken from scratch)', () => {
  const dir = tempDir('open-regular');
  const scratch = join(dir, 'scratch');
  const hostFolder = join(dir, 'host');
  mkdirSync(join(scratch, 'plots'), { recursive: true });
  mkdirSync(hostFolder);
  writeFileSync(join(hostFolder, 'fig.png'), 'host secret');
  writeFileSync(join(scratch, 'plots', 'fig.png'), 'real');
  writeFileSync(join(scratch, 'other.png'), 'other');
  execFileSync('mkfifo', [join(scratch, 'pipe.png')]);
  symlinkSync('/dev/zero', join(scratch, 'zero.bin'));
  symlinkSync(join(hostFolder, 'fig.png'), join(scratch, 'link.png'));
  symlinkSync(hostFolder, join(scratch, 'swapped'));
  const reasonOf = async (name: string, expect: { dev?: string; ino?: string; insideDir?: string } = {}): Promise<string> => {
    const opened = await openRegularFile(join(scratch, name), { insideDir: scratch, ...expect });
    if ('reason' in opened) return opened.reason;
    await opened.handle.close();
    return 'opened';
  };

  it('opens a regular file of scratch', async () => {
    expect(await reasonOf('plots/fig.png')).toBe('opened');
  });
  it('refuses a FIFO without blocking, and links (to a device, to a host file)', async () => {
    expect(await reasonOf('pipe.png')).toBe('not a regular file');
    expect(await reasonOf('zero.bin')).toBe('a link');
    expect(await reasonOf('link.png')).toBe('a link');
  });
  it('refuses a file reached through a folder swapped for a link, and a file swapped after listing', async () => {
    expect(await reasonOf('swapped/fig.png')).toBe('outside the scratch folder');
    const listed = statSync(join(scratch, 'plots', 'fig.png'), { bigint: true });
    expect(await reasonOf('other.png', { dev: String(listed.dev), ino: String(listed.ino) })).toBe('replaced after it was listed');
  });
  afterAll(() => removeDir(dir));
});

describe('BoundedLineSplitter (the host end of the reply channel)', () => {
  it('splits lines across chunks and keeps multi-byte characters whole', () => {
    const splitter = new BoundedLineSplitter(64);
    const bytes = Buffer.from('{"a":"é"}\n{"b":2}\n');
    expect([...splitter.push(bytes.subarray(0, 7)), ...splitter.push(bytes.subarray(7))]).toEqual(['{"a":"é"}', '{"b":2}']);
  });
  it('throws on a line over the bound, however it arrives, and holds no more than the bound', () => {
    const splitter = new BoundedLineSplitter(1024 * 1024);
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let thrownAt = -1;
    for (let i = 0; i < 1600 && thrownAt < 0; i++) {
      try {
        splitter.push(chunk);
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
        thrownAt = i;
      }
    }
    // 1 MiB = 16 chunks: the flood is refused at the 17th, not after 100 MiB.
    expect(thrownAt).toBe(16);
  });
});
