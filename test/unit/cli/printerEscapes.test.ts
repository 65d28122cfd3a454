// The CLI printer's one choke point (issue: red team, "terminal escapes on some paths"): whatever
// an agent event carries — reasoning, code from a tool call or from the reasoning, messages,
// the answer — reaches the terminal with every control shown escaped; only the printer's own
// style codes (SGR `ESC [ … m`, with colour on) are raw.
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../src/agent/events';
import { createPrinter } from '../../../src/cli/printer';

const HOSTILE = 'a\x1b]0;OWNED\x07b\x1b[2Jc\u202Eevil\u202Cd\x9b31me\r!';
const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
/** The printer's own paint codes, removed before looking for anything raw. */
const OWN_STYLE = /\x1b\[[\d;]*m/g;

const events: AgentEvent[] = [
  { type: 'reasoning', turn: 0, text: `Think ${HOSTILE}\nsecond ${HOSTILE}` },
  { type: 'code', index: 0, turn: 0, language: 'python', code: `print(1)  # ${HOSTILE}`, offsetInTurn: 0, source: 'tool-call' },
  { type: 'code', index: 1, turn: 0, language: 'python', code: `print(2)  # ${HOSTILE}`, offsetInTurn: 0, source: 'reasoning' },
  { type: 'token', turn: 0, text: `reply ${HOSTILE}` },
  { type: 'warning', kind: 'context-truncated', turn: 0, message: `warn ${HOSTILE}` },
  { type: 'error', message: `err ${HOSTILE}` },
  { type: 'done', answer: `42${HOSTILE}`, reason: 'answer', answerSource: 'model' },
] as unknown as AgentEvent[];

function print(color: boolean): string {
  let out = '';
  const printer = createPrinter({ write: (t) => void (out += t) }, color);
  for (const e of events) printer(e);
  return out;
}

describe('CLI printer', () => {
  it.each([false, true])('shows every control in reasoning, tool-call and reasoning code, messages and the answer escaped (colour %s)', (color) => {
    const out = print(color);
    expect(out.replace(OWN_STYLE, '')).not.toMatch(RAW_CONTROL);
    expect(out).toContain('Think a\\x1b]0;OWNED\\x07b\\x1b[2Jc\\u202eevil\\u202cd\\x9b31me\\r!');
    expect(out).toContain('print(1)  # a\\x1b]0;OWNED');
    expect(out).toContain('print(2)  # a\\x1b]0;OWNED');
    expect(out).toMatch(/Final answer: 42a\\x1b\]0;OWNED/);
    if (color) expect(out).toContain('\x1b[2m');
  });
});
