// How long the host's event loop is held, measured in CPU time of its main thread rather than in
// wall-clock delay. A loaded machine stretches wall-clock delay (the process waits for a core) but
// not the CPU a synchronous task spends, so a bound on this holds on a busy CI machine and still
// catches a host that does seconds of work in one go.
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc (100 on every Linux architecture, proc(5)). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) of this process's main thread so far, in ms, from /proc/self/task/PID/stat. */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  // Fields after the command (which may hold spaces): state is field 3, utime 14, stime 15 (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** A running watch of the longest task; `stop` ends it and returns that task's CPU time in ms. */
export interface LongestTaskWatch {
  stop(): number;
}

/**
 * Watches the event loop of this process: a timer ticks every `intervalMs` (ms), and the main
 * thread's CPU time between two ticks is the cost of what the loop ran in between. `stop` returns
 * the largest such cost, in ms (to the 10 ms the kernel counts in). Linux only (reads /proc).
 */
export function watchLongestTask(intervalMs = 10): LongestTaskWatch {
  let last = mainThreadCpuMs();
  let longest = 0;
  const timer = setInterval(() => {
    const now = mainThreadCpuMs();
    longest = Math.max(longest, now - last);
    last = now;
  }, intervalMs);
  return {
    stop(): number {
      clearInterval(timer);
      return Math.max(longest, mainThreadCpuMs() - last);
    },
  };
}
