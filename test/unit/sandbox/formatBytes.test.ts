// Sizes as the CLI, the panel and the model read them (artifact lines, output and budget notices).
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../src/sandbox/format';

describe('formatBytes', () => {
  it('says "1 byte" for one byte and "bytes" for every other count below 1 KiB', () => {
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1, 'up')).toBe('1 byte');
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(2)).toBe('2 bytes');
    expect(formatBytes(1023)).toBe('1023 bytes');
  });

  it('switches to binary units at 1024, one decimal when not whole; 1 KiB stays "1 KiB"', () => {
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(64 * 1024 ** 2)).toBe('64 MiB');
    expect(formatBytes(64 * 1024 ** 2 + 4096, 'up')).toBe('64.1 MiB');
  });
});
