import { describe, expect, it } from 'vitest';
import { PY_WS, pyRstrip, pyStrip } from '../../../src/text/pythonStrip';

/** The definition: Python's whitespace class at either end, as regular expressions. */
const reference = (s: string): string => s.replace(new RegExp(`^[${PY_WS}]+`), '').replace(new RegExp(`[${PY_WS}]+$`), '');

describe('pyStrip / pyRstrip', () => {
  it("strips exactly Python's whitespace: U+001C-U+001F and U+0085 go, a byte order mark and a zero-width space stay", () => {
    for (let c = 0; c < 0x3100; c++) {
      const ch = String.fromCharCode(c);
      expect(pyStrip(`${ch}a${ch}b${ch}`), `U+${c.toString(16)}`).toBe(reference(`${ch}a${ch}b${ch}`));
    }
    expect(pyStrip('\ufeff 3 \u200b')).toBe('\ufeff 3 \u200b');
    expect(pyStrip('\x1c\x85 3\u3000\x1f')).toBe('3');
    expect(pyRstrip(' 3 \t')).toBe(' 3');
    expect(pyStrip(' \n\t ')).toBe('');
  });

  it('handles long whitespace runs inside the text (a trailing-whitespace regex is quadratic there)', () => {
    const run = ' '.repeat(400_000);
    expect(pyStrip(`${run}a${run}b${run}`)).toBe(`a${run}b`);
    expect(pyRstrip(`a${run}b${run}`)).toBe(`a${run}b`);
  });
});
