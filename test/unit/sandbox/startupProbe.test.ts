// A command cancelled while the sandbox starts (Ctrl-C at start-up) stops the start-up checks
// (src/sandbox/startupProbe.ts). Found trying the CLI as a new user: Ctrl-C during the check of
// `python3` (a pyenv shim, 2 s on a slow machine) killed that check, and the interpreter search
// then went on to `python`, the bubblewrap and cgroup checks and the worker's start, none of
// them stopped: the CLI left 3 s later instead of at once, and a check that hung would have
// held it until its time limit.
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePython } from '../../../src/sandbox/python';
import { startupProbe, stopStartupProbes } from '../../../src/sandbox/startupProbe';
// Programs of the system, not npm binaries.
const PYTHON3 = 'python3';
const SHELL = '/bin/sh';

// Not ./helpers: it resolves the interpreter at import, and resolvePython caches its answer.
const root = mkdtempSync(join(tmpdir(), 'r1ci-test-startup-probe-'));

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('start-up checks of a command that is leaving', () => {
  it('the interpreter search does not go on to the next candidate once the checks were stopped', async () => {
    // python3: a shim that says it started, then waits to be stopped; python: one that would answer.
    const bin = join(root, 'bin');
    mkdirSync(bin);
    const started = join(root, 'python3-started');
    const real = (await execa(PYTHON3, ['-I', '-c', 'import sys; print(sys.executable)'])).stdout.trim();
    writeFileSync(join(bin, 'python3'), `#!/bin/sh\necho started > '${started}'\nexec sleep 600\n`, { mode: 0o755 });
    writeFileSync(join(bin, 'python'), `#!/bin/sh\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:/usr/bin:/bin`;
    try {
      const resolving = resolvePython();
      await expect.poll(() => existsSync(started) && readFileSync(started, 'utf8') === 'started\n').toBe(true);
      stopStartupProbes();
      // Before the fix: python3's check was killed, then `python` was checked and found.
      await expect(resolving).rejects.toThrow(/No usable Python 3 interpreter/);
    } finally {
      process.env.PATH = path;
      // Without the fix the stop never came if the poll failed: end the shim's sleep either way.
      stopStartupProbes();
    }
  });

  it('a check started after the stop is ended at once, with its process group', async () => {
    stopStartupProbes();
    // Bounded, so that without the fix the test fails on the check's own time limit (SIGTERM) instead of hanging.
    const late = startupProbe(execa(SHELL, ['-c', 'sleep 600 & wait'], { detached: true, stdio: 'ignore', reject: false, timeout: 30_000, forceKillAfterDelay: false }));
    try {
      const result = await late;
      expect(result.signal).toBe('SIGKILL');
    } finally {
      // Without the fix the time limit ends only the shell: its sleep keeps the group.
      try {
        if (late.pid !== undefined) process.kill(-late.pid, 'SIGKILL');
      } catch {
        // ended by the stop, as it should be
      }
    }
  });
});
