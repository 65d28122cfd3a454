// A cell that leaves a thread running and a fast timer whose handler raises: the thread takes the
// timer's signals (only the interpreter's main thread blocks them between cells), and Python runs
// the handler in the main thread at its next check, wherever the interpreter's own loop then is.
// The innocent next cell must run as usual, its variables kept (docs/sandbox-tiers.md, "Nothing
// of a cell runs after it returns"). Real cells through the real runner, both tiers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeRunner } from '../../../src/sandbox/index';
import { REQUIRED_TIERS, startRunner } from './helpers';

describe.each(REQUIRED_TIERS)('a leftover thread and a raising timer (%s tier)', (tier) => {
  let runner: CodeRunner;
  beforeEach(async () => {
    runner = await startRunner(tier, { limits: { timeoutMs: 3000 } });
  });
  afterEach(async () => {
    await runner.dispose();
  });

  const TIMER = 'signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)';
  // It stops with the handler's raises.
  const SENDER = (sig: string): string => `threading.Thread(target=lambda: [os.kill(os.getpid(), signal.${sig}) or time.sleep(0.001) for _ in iter(lambda: time.monotonic() < until, False)], daemon=True).start()`;
  it.each([
    ['a sleeping daemon thread beside a 1 ms SIGALRM timer', 'SIGALRM', `threading.Thread(target=lambda: [time.sleep(0.001) for _ in iter(int, 1)], daemon=True).start()\n${TIMER}`],
    ['a busy daemon thread beside a 1 ms SIGALRM timer', 'SIGALRM', `threading.Thread(target=lambda: [None for _ in iter(int, 1)], daemon=True).start()\n${TIMER}`],
    ['a daemon thread that sends SIGUSR1 to the interpreter every 1 ms', 'SIGUSR1', SENDER('SIGUSR1')],
    // The interpreter's own SIGINT handler is put back at each cell's start: until then the cell's ran.
    ['a daemon thread that sends SIGINT to the interpreter every 1 ms', 'SIGINT', SENDER('SIGINT')],
    // A C function as the handler (int(signum, frame) raises TypeError), which no Python frame runs.
    ['a daemon thread that sends SIGUSR2 every 1 ms, handled by a C function', 'SIGUSR2', `${SENDER('SIGUSR2')}\nsignal.signal(signal.SIGUSR2, int)`],
  ])('%s, whose handler raises: the next cells keep their variables', async (_name, sig, arm) => {
    // It raises for 0.4 s, then lets the conversation go on.
    const trap = `import os, signal, threading, time\nuntil = time.monotonic() + 0.4\ndef h(*a):\n    if time.monotonic() < until:\n        raise RuntimeError("alarm")\nsignal.signal(signal.${sig}, h)\n${arm}`;
    const first = await runner.runCell(`kept = 1\n${trap}`);
    // Each result may say that the thread runs on; none may say the interpreter was restarted.
    const outcomes = [{ killed: first.killed, restarted: /restarted/.test(first.notice ?? '') }];
    for (let cell = 0; cell < 5; cell++) {
      // The timer's raise may strike this cell anywhere, even before its own try: that is its error.
      const next = await runner.runCell('import time\ntry:\n    time.sleep(0.05)\nexcept RuntimeError:\n    pass');
      outcomes.push({ killed: next.killed, restarted: /restarted/.test(next.notice ?? '') });
    }
    // Until its raises are over (one may land before the cell's first line), then the variables are there.
    let last = await runner.runCell('import signal\nsignal.setitimer(signal.ITIMER_REAL, 0)\nprint(kept, time.monotonic() > until)');
    for (let tries = 0; tries < 20 && last.stdout !== '1 True\n'; tries++) {
      outcomes.push({ killed: last.killed, restarted: /restarted/.test(last.notice ?? '') });
      await new Promise((done) => setTimeout(done, 100));
      last = await runner.runCell('import signal\nsignal.setitimer(signal.ITIMER_REAL, 0)\nprint(kept, time.monotonic() > until)');
    }
    outcomes.push({ killed: last.killed, restarted: /restarted/.test(last.notice ?? '') });
    expect(outcomes).toEqual(outcomes.map(() => ({ killed: undefined, restarted: false })));
    expect(last.stdout).toBe('1 True\n');
  });

  // What the swap must keep: the cell's handler is its own again in the next cell, and a signal that
  // came between cells (the timer fires while the interpreter is stopped; the thread takes it when
  // the interpreter is continued) runs that handler once, as part of the next cell.
  it('a handled timer that fires between cells beside a leftover thread runs its handler in the next cell, and getsignal shows the handler', async () => {
    const first = await runner.runCell(
      'import signal, threading, time\nfired = []\ndef h(signum, frame):\n    fired.append(signum)\nsignal.signal(signal.SIGALRM, h)\nthreading.Thread(target=lambda: [time.sleep(0.001) for _ in iter(int, 1)], daemon=True).start()\nsignal.setitimer(signal.ITIMER_REAL, 0.3)',
    );
    expect(first.killed).toBeUndefined();
    await new Promise((done) => setTimeout(done, 600));
    const next = await runner.runCell('print(fired == [signal.SIGALRM], signal.getsignal(signal.SIGALRM) is h)');
    expect({ stdout: next.stdout, stderr: next.stderr, killed: next.killed }).toEqual({ stdout: 'True True\n', stderr: '', killed: undefined });
  });

  // A signal recorded between cells whose handler a handler run before it set back to the default
  // action: CPython skips such a signal ("ignored due to race condition"); sending it to the
  // interpreter again took the default action (SIGTERM ended the interpreter at the innocent next
  // cell's start, variables lost).
  it('a recorded SIGTERM whose handler a recorded SIGALRM handler set back to SIG_DFL does not end the interpreter', async () => {
    // The thread waits (busy, with the GIL released by the loop's read) for the swap, then sends
    // SIGALRM and SIGTERM to the main thread, which takes them as recorded, blocked or not.
    const first = await runner.runCell(
      [
        'import signal, threading, time',
        'kept, sent, terms = 1, [], []',
        'def on_alrm(signum, frame):',
        '    signal.signal(signal.SIGTERM, signal.SIG_DFL)',
        'def on_term(signum, frame):',
        '    terms.append(signum)',
        'signal.signal(signal.SIGALRM, on_alrm)',
        'signal.signal(signal.SIGTERM, on_term)',
        'main = threading.main_thread().ident',
        'def send(until=time.monotonic() + 5):',
        '    while signal.getsignal(signal.SIGTERM) is on_term and time.monotonic() < until:',
        '        pass',
        '    if signal.getsignal(signal.SIGTERM) is not on_term:',
        '        signal.pthread_kill(main, signal.SIGALRM)',
        '        signal.pthread_kill(main, signal.SIGTERM)',
        '        sent.append(1)',
        'threading.Thread(target=send, daemon=True).start()',
      ].join('\n'),
    );
    expect(first.killed).toBeUndefined();
    const next = await runner.runCell('print(kept, sent, terms, signal.getsignal(signal.SIGTERM) == signal.SIG_DFL)');
    expect({ stdout: next.stdout, killed: next.killed, restarted: /restarted/.test(next.notice ?? '') }).toEqual({ stdout: '1 [1] [] True\n', killed: undefined, restarted: false });
  });

  // A handler of the cell's that runs while the cell's end swaps the handlers (its signal came
  // before its own swap) and sets one on a signal already swapped: that one stayed between cells,
  // and a leftover thread's signal ran it in the interpreter's loop, where its raise ended the
  // interpreter (the innocent next cell "protocol", variables lost).
  it("a 100 us timer whose handler sets SIGUSR1's raising handler again, and a thread that sends SIGUSR1 once it sees the swap: the next cells keep their variables", async () => {
    const first = await runner.runCell(
      [
        'import os, signal, threading, time',
        'kept = 1',
        'def raiser(signum, frame):',
        '    raise RuntimeError("usr1")',
        'def on_alrm(signum, frame):',
        '    signal.signal(signal.SIGUSR1, raiser)',
        'signal.signal(signal.SIGALRM, on_alrm)',
        'signal.signal(signal.SIGUSR1, raiser)',
        'signal.setitimer(signal.ITIMER_REAL, 0.0001, 0.0001)',
        'def send(until=time.monotonic() + 20):',
        '    while time.monotonic() < until:',
        '        if signal.getsignal(signal.SIGALRM) is not on_alrm and signal.getsignal(signal.SIGUSR1) is raiser:',
        '            os.kill(os.getpid(), signal.SIGUSR1)',
        '        time.sleep(0.0002)',
        'threading.Thread(target=send, daemon=True).start()',
      ].join('\n'),
    );
    const outcomes = [{ killed: first.killed, restarted: /restarted/.test(first.notice ?? '') }];
    for (let cell = 0; cell < 40; cell++) {
      // A raise of the cell's handlers may strike this cell anywhere, even before its try: that is its error.
      const next = await runner.runCell('try:\n    kept\nexcept RuntimeError:\n    pass');
      outcomes.push({ killed: next.killed, restarted: /restarted/.test(next.notice ?? '') });
    }
    let last = await runner.runCell('signal.setitimer(signal.ITIMER_REAL, 0)\nsignal.signal(signal.SIGUSR1, signal.SIG_IGN)\nprint(kept)');
    for (let tries = 0; tries < 5 && last.stdout !== '1\n'; tries++) {
      outcomes.push({ killed: last.killed, restarted: /restarted/.test(last.notice ?? '') });
      last = await runner.runCell('signal.setitimer(signal.ITIMER_REAL, 0)\nsignal.signal(signal.SIGUSR1, signal.SIG_IGN)\nprint(kept)');
    }
    outcomes.push({ killed: last.killed, restarted: /restarted/.test(last.notice ?? '') });
    expect(outcomes).toEqual(outcomes.map(() => ({ killed: undefined, restarted: false })));
    expect(last.stdout).toBe('1\n');
  });
});
