// The session registry with real sandboxes (real Python): persistence per session, one-off cells,
// idle timeout, maximum count, refusals, and that ending a session disposes its sandbox.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MAX_IDLE_TIMEOUT_MS, SessionError, SessionRegistry, type SessionSandbox } from '../../../src/codeTool/sessionRegistry';
import { createCodeRunner } from '../../../src/sandbox';

const root = mkdtempSync(join(tmpdir(), 'r1ci-registry-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Real sandboxes; remembers which were disposed. */
function factory() {
  const disposed: string[] = [];
  let n = 0;
  const create = async (signal?: AbortSignal): Promise<SessionSandbox> => {
    // The default time limit: no test here is about it, and a short one can strike a cell on a loaded machine.
    const runner = await createCodeRunner({ scratchDir: join(root, `s${n++}-${process.pid}-${Date.now()}`), signal });
    return {
      runner: {
        ...runner,
        tier: runner.tier,
        tierNote: runner.tierNote,
        scratchDir: runner.scratchDir,
        runCell: (code, options) => runner.runCell(code, options),
        dispose: async () => {
          disposed.push(runner.scratchDir);
          await runner.dispose();
        },
      },
    };
  };
  return { create, disposed };
}

let registry: SessionRegistry | undefined;
afterEach(async () => {
  await registry?.dispose();
  registry = undefined;
});

describe('SessionRegistry', () => {
  it('keeps variables per session and starts a fresh interpreter for a one-off cell', async () => {
    const f = factory();
    registry = new SessionRegistry({ createSandbox: f.create });
    const first = await registry.run('x = 42', { sessionId: 'a' });
    expect(first.newSession).toBe(true);
    const second = await registry.run('print(x)', { sessionId: 'a' });
    expect(second.result.stdout).toBe('42\n');
    expect(second.newSession).toBe(false);
    const oneOff = await registry.run('print(x)');
    expect(oneOff.sessionId).toBeNull();
    expect(oneOff.result.stderr).toContain('NameError');
    // The one-off sandbox is gone; the session's is not.
    expect(f.disposed).toEqual([oneOff.scratchDir]);
    expect(registry.list().map((s) => [s.id, s.cells, s.tier])).toEqual([['a', 2, first.tier]]);
  });

  it('runs the cells of one session one after another, in order', async () => {
    registry = new SessionRegistry({ createSandbox: factory().create });
    const runs = await Promise.all([1, 2, 3].map((i) => registry!.run(`import time; time.sleep(0.05); seen = globals().get("seen", []) + [${i}]; print(seen)`, { sessionId: 'q' })));
    expect(runs.map((r) => r.result.stdout.trim())).toEqual(['[1]', '[1, 2]', '[1, 2, 3]']);
  });

  it('refuses an idle timeout a timer cannot hold (over 2^31 - 1 ms Node fires it at once)', () => {
    const create = () => Promise.reject(new Error('no sandbox is started'));
    expect(() => new SessionRegistry({ createSandbox: create, idleTimeoutMs: 3_000_000_000 })).toThrow(RangeError);
    expect(() => new SessionRegistry({ createSandbox: create, idleTimeoutMs: 0 })).toThrow(RangeError);
    expect(new SessionRegistry({ createSandbox: create, idleTimeoutMs: MAX_IDLE_TIMEOUT_MS }).limits.idleTimeoutMs).toBe(MAX_IDLE_TIMEOUT_MS);
  });

  it('ends an idle session after the timeout and disposes its sandbox', async () => {
    const f = factory();
    registry = new SessionRegistry({ createSandbox: f.create, idleTimeoutMs: 300 });
    const run = await registry.run('y = 1', { sessionId: 'idle' });
    expect(registry.list()).toHaveLength(1);
    // Polled, not a fixed wait: a loaded machine may fire the idle timer late.
    await expect.poll(() => registry?.list().length).toBe(0);
    await expect.poll(() => f.disposed).toEqual([run.scratchDir]);
    const again = await registry.run('print(y)', { sessionId: 'idle' });
    expect(again.newSession).toBe(true);
    expect(again.result.stderr).toContain('NameError');
  });

  it('a running cell is not ended by the idle timeout', async () => {
    registry = new SessionRegistry({ createSandbox: factory().create, idleTimeoutMs: 200 });
    await registry.run('z = 3', { sessionId: 'long' });
    const slow = await registry.run('import time; time.sleep(0.6); print(z)', { sessionId: 'long' });
    expect(slow.result.stdout).toBe('3\n');
  });

  it('at the maximum, ends the least recently used idle session; refuses when all are busy', async () => {
    const f = factory();
    registry = new SessionRegistry({ createSandbox: f.create, maxSessions: 2 });
    const s1 = await registry.run('v = 1', { sessionId: 's1' });
    await registry.run('v = 2', { sessionId: 's2' });
    await registry.run('print(v)', { sessionId: 's1' });
    await registry.run('v = 3', { sessionId: 's3' });
    expect(
      registry
        .list()
        .map((s) => s.id)
        .sort(),
    ).toEqual(['s1', 's3']);
    expect(f.disposed).not.toContain(s1.scratchDir);
    expect(f.disposed).toHaveLength(1);

    const busy = [registry.run('import time; time.sleep(1)', { sessionId: 's1' }), registry.run('import time; time.sleep(1)', { sessionId: 's3' })];
    await new Promise((r) => setTimeout(r, 100));
    await expect(registry.run('print(1)', { sessionId: 's4' })).rejects.toBeInstanceOf(SessionError);
    await Promise.all(busy);
  });

  it('refuses session ids that are not short plain names', async () => {
    registry = new SessionRegistry({ createSandbox: factory().create });
    for (const id of ['', '../x', 'a/b', 'x'.repeat(65), 'new\nline']) await expect(registry.run('print(1)', { sessionId: id })).rejects.toBeInstanceOf(SessionError);
  });

  it('reset and dispose end the sandboxes; after dispose nothing runs', async () => {
    const f = factory();
    registry = new SessionRegistry({ createSandbox: f.create });
    const a = await registry.run('pass', { sessionId: 'a' });
    const b = await registry.run('pass', { sessionId: 'b' });
    expect(await registry.reset('a')).toBe(true);
    expect(await registry.reset('a')).toBe(false);
    expect(f.disposed).toEqual([a.scratchDir]);
    await registry.dispose();
    expect(f.disposed.sort()).toEqual([a.scratchDir, b.scratchDir].sort());
    await expect(registry.run('pass', { sessionId: 'c' })).rejects.toBeInstanceOf(SessionError);
  });

  it('a sandbox that fails to start is not kept as a session', async () => {
    let fail = true;
    const f = factory();
    registry = new SessionRegistry({
      createSandbox: async (signal) => {
        if (fail) throw new SessionError('refused for the test');
        return f.create(signal);
      },
    });
    await expect(registry.run('pass', { sessionId: 'x' })).rejects.toThrow('refused for the test');
    expect(registry.list()).toEqual([]);
    fail = false;
    expect((await registry.run('print(2)', { sessionId: 'x' })).result.stdout).toBe('2\n');
  });

  it('runs no cell on a tier allowTier refuses, in a session or one-off; the session keeps its variables', async () => {
    const f = factory();
    registry = new SessionRegistry({ createSandbox: f.create });
    const seen: string[] = [];
    const refuseAll = (tier: string): string => {
      seen.push(tier);
      return `Not run: not on ${tier}`;
    };
    const marker = join(root, `allow-tier-${process.pid}-${Date.now()}`);
    const writes = `open(${JSON.stringify(marker)}, 'w').write('ran')`;
    await registry.run('kept = 7', { sessionId: 'a' });
    await expect(registry.run(`kept = 8\n${writes}`, { sessionId: 'a', allowTier: refuseAll })).rejects.toThrow(/^Not run: not on (isolated|basic)$/);
    await expect(registry.run(writes, { allowTier: refuseAll })).rejects.toThrow(SessionError);
    expect(seen).toHaveLength(2);
    expect(existsSync(marker)).toBe(false);
    expect((await registry.run('print(kept)', { sessionId: 'a', allowTier: () => undefined })).result.stdout).toBe('7\n');
  });
});

// Callers that ask at once (Copilot agent mode runs the tool calls of one reply in parallel; an
// MCP client may have several tools/call requests in flight): the interleavings are forced by
// the order of the calls, never by timing.
describe('SessionRegistry with calls at once', () => {
  /** Real sandboxes; counts how many were started and how many are alive now (and at most). */
  function counting() {
    const f = factory();
    const counts = { started: 0, alive: 0, most: 0 };
    const create = async (signal?: AbortSignal): Promise<SessionSandbox> => {
      const sandbox = await f.create(signal);
      counts.started++;
      counts.most = Math.max(counts.most, ++counts.alive);
      const dispose = sandbox.runner.dispose.bind(sandbox.runner);
      return {
        runner: {
          ...sandbox.runner,
          dispose: async () => {
            counts.alive--;
            await dispose();
          },
        },
      };
    };
    return { create, counts, disposed: f.disposed };
  }

  it('new sessions asked for at once never make more sandboxes than the maximum; the extra callers are refused', async () => {
    const c = counting();
    registry = new SessionRegistry({ createSandbox: c.create, maxSessions: 2 });
    const runs = await Promise.allSettled(['n1', 'n2', 'n3', 'n4'].map((id) => registry!.run('print(1)', { sessionId: id })));
    expect(runs.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refused = runs.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refused).toHaveLength(2);
    for (const reason of refused) expect(reason).toBeInstanceOf(SessionError);
    expect(c.counts.most).toBeLessThanOrEqual(2);
    expect(registry.list()).toHaveLength(2);
  });

  it('one-off cells asked for at once count against the maximum too', async () => {
    const c = counting();
    registry = new SessionRegistry({ createSandbox: c.create, maxSessions: 1 });
    const runs = await Promise.allSettled([registry.run('print(1)'), registry.run('print(2)')]);
    expect(runs.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(c.counts.most).toBe(1);
  });

  it('work lent a sandbox at once (the MCP solve tool) counts against the maximum with cells and sessions', async () => {
    const c = counting();
    registry = new SessionRegistry({ createSandbox: c.create, maxSessions: 2 });
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const lend = (): Promise<string> =>
      (registry as SessionRegistry).withSandbox(async (runner) => {
        await gate;
        return (await runner.runCell('print(6 * 7)')).stdout;
      });
    const lent = [lend(), lend()];
    // Both slots are taken (nothing idle to end): a third solve and a cell are refused, not started.
    await expect(lend()).rejects.toThrow('All 2 sandboxes are busy');
    await expect(registry.run('print(1)', { sessionId: 'late' })).rejects.toBeInstanceOf(SessionError);
    // Both lent sandboxes are up together, and no third was started.
    await expect.poll(() => c.counts.alive).toBe(2);
    open();
    expect(await Promise.all(lent)).toEqual(['42\n', '42\n']);
    expect(c.counts.started).toBe(2);
    expect(c.counts.alive).toBe(0);
  });

  it('a call still making room when the registry is disposed starts no sandbox that outlives it', async () => {
    const c = counting();
    registry = new SessionRegistry({ createSandbox: c.create, maxSessions: 1 });
    await registry.run('pass', { sessionId: 'old' });
    // The new session must first end "old" (awaited); the registry is disposed meanwhile.
    const late = registry.run('print(1)', { sessionId: 'new' });
    const disposing = registry.dispose();
    await expect(late).rejects.toBeInstanceOf(SessionError);
    await disposing;
    expect(c.counts.alive).toBe(0);
    expect(registry.list()).toEqual([]);
  });

  it('a caller cancelled while its session starts does not fail another caller waiting for that session', async () => {
    registry = new SessionRegistry({ createSandbox: factory().create });
    const cancel = new AbortController();
    const first = registry.run('print(1)', { sessionId: 'shared', signal: cancel.signal });
    const second = registry.run('print(2)', { sessionId: 'shared' });
    cancel.abort();
    await expect(first).rejects.toThrow();
    const run = await second;
    expect(run.result.stdout).toBe('2\n');
    expect(run.newSession).toBe(true);
  });

  it('a session reset while its cell runs ends that cell as cancelled (not as a crash) and leaves no sandbox', async () => {
    const c = counting();
    registry = new SessionRegistry({ createSandbox: c.create });
    const { scratchDir } = await registry.run('pass', { sessionId: 'r' });
    const running = registry.run('open("started", "w").close()\nimport time\ntime.sleep(60)', { sessionId: 'r' });
    await expect.poll(() => existsSync(join(scratchDir, 'started'))).toBe(true);
    expect(await registry.reset('r')).toBe(true);
    const ended = await running;
    expect(ended.result.killed).toBe('cancelled');
    expect(c.counts.alive).toBe(0);
  });
});
