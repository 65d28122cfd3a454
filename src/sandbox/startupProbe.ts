// The sandbox's start-up checks (which interpreter, its library layout, whether bubblewrap works,
// whether systemd can cap memory) run short programs once per process, cached. A command
// cancelled meanwhile (Ctrl-C at start-up) must not wait for them: each runs in a process group
// of its own, so stopStartupProbes ends it with everything it started (a pyenv shim's own
// children hold its output pipe open, so ending the shim alone did not end the wait). Once
// stopped, a check that starts later (the next interpreter candidate, the bubblewrap and cgroup
// checks that follow a failed one) is ended as it starts: the command is leaving.

/** Process group ids (the probes' pids) of the probes still running. */
const running = new Set<number>();

/** Set by stopStartupProbes: this process is leaving, so no start-up check may run any more. */
let stopped = false;

/** SIGKILL to the process group `group` (a probe and everything it started); never throws. */
function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Registers `subprocess`, a probe started by execa with `detached: true` (a process group of its
 * own, whose id is its pid; not on Windows, where that opens a console), so stopStartupProbes can
 * end it; returns it unchanged. After stopStartupProbes it is ended at once (it fails, as a
 * stopped probe does).
 */
export function startupProbe<P extends PromiseLike<unknown> & { readonly pid?: number }>(subprocess: P): P {
  const group = subprocess.pid;
  if (group !== undefined && stopped) {
    killGroup(group);
  } else if (group !== undefined) {
    running.add(group);
    const done = (): void => void running.delete(group);
    subprocess.then(done, done);
  }
  return subprocess;
}

/**
 * Ends every start-up probe still running, with each one's whole process group (SIGKILL), and
 * every one started from now on: for a process that is leaving (cancelled at start-up), so it
 * leaves nothing behind and waits for none. The probes fail, so their cached answers are dropped.
 * Never throws; there is no undoing it.
 */
export function stopStartupProbes(): void {
  stopped = true;
  for (const group of running) killGroup(group);
  running.clear();
}
