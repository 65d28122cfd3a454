// Progress of `r1ci eval`: a redrawn bar on a terminal, one plain line per question otherwise
// (logs and CI keep every line and no control characters).
import type { EvalEvent } from '../eval/runner';
import { escapeControls } from '../sandbox/terminalText';
import { counted } from '../text/counted';

interface Out {
  write(text: string): void;
  readonly columns?: number;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Progress lines for `r1ci eval` on `out` (a redrawn bar when `tty`, drawn from the run's start
 * with the questions running: a slow model's first answer can take minutes). One choke point: `say`
 * shows every control character escaped (ids, answers and errors come from task files, the
 * model and servers); only the bar's own redraw (`\r`, erase line) is written raw. With
 * `samples` > 1 (`--samples K`) the counts are of samples and each line names its sample index.
 */
export function createProgressReporter(out: Out, tty: boolean, samples = 1): (event: EvalEvent) => void {
  let barShown = false;
  // Questions (or samples) started and not yet scored: shown on the bar from the first start, so a
  // slow model's first answer is not minutes of a blank line.
  let running = 0;
  let done = 0;
  let toRun = 0;
  let figures = '';
  const say = (text: string): void => out.write(escapeControls(text));
  const clearBar = (): void => {
    if (barShown) out.write('\r\x1b[2K');
    barShown = false;
  };
  const drawBar = (): void => {
    const width = Math.max(10, Math.min(40, (out.columns ?? 80) - 50));
    const filled = Math.round((done / Math.max(toRun, 1)) * width);
    const busy = running > 0 && done < toRun ? ` · ${running} running` : '';
    clearBar();
    say(`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${toRun}${busy}${figures}`);
    barShown = true;
  };
  return (event) => {
    switch (event.type) {
      case 'start':
        if (event.repairedTail) say('The results file ended in a cut-off line (an interrupted run); it was removed.\n');
        if (event.outside > 0)
          say(`The results file also holds ${counted(event.outside, 'result')} of other questions or samples (another task set, ids of an older version, or more samples); the summary leaves them out.\n`);
        if (event.skipped > 0) say(`Resuming: ${event.skipped} of ${counted(event.total, samples > 1 ? 'sample' : 'question')} already done, ${event.toRun} to go.\n`);
        toRun = event.toRun;
        if (tty && toRun > 0) drawBar();
        break;
      case 'result': {
        const r = event.result;
        const mark = r.error !== undefined ? 'ERROR' : r.correct ? 'ok' : 'wrong';
        const acc = `${((event.correctSoFar / event.done) * 100).toFixed(0)}% right`;
        const eta = event.etaMs !== undefined && event.done < event.toRun ? `ETA ${formatDuration(event.etaMs)}` : 'done';
        // Without an answer, why (a question time limit, no <<<answer>>>): else "wrong" alone says nothing.
        const shown = r.answer !== null ? ` (${oneLine(r.answer, 40)})` : r.error === undefined && !r.correct ? ` (${oneLine(r.reason, 60)})` : '';
        const detail = `${r.id}${samples > 1 ? ` sample ${r.sample ?? 0}` : ''}: ${mark}${shown}${r.error !== undefined ? ` ${oneLine(r.error, 80)}` : ''}`;
        if (!tty) {
          say(`[${event.done}/${event.toRun}] ${detail} · ${acc} · ${eta}\n`);
          break;
        }
        if (r.error !== undefined) {
          clearBar();
          say(`${detail}\n`);
        }
        running = Math.max(0, running - 1);
        done = event.done;
        toRun = event.toRun;
        figures = ` · ${acc} · ${eta}`;
        drawBar();
        break;
      }
      case 'end':
        clearBar();
        say(`${event.cancelled ? 'Cancelled' : 'Finished'} in ${formatDuration(event.elapsedMs)}.\n`);
        break;
      case 'question-start':
        running++;
        if (tty) drawBar();
        break;
    }
  };
}

function oneLine(text: string, max: number): string {
  // Answers and errors are model or server text: one line, cut (escaping happens in `say`).
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
