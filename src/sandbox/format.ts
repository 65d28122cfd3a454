// Human-readable sizes and durations for messages shown to people and the model.

/**
 * A size in bytes as people read it: "1 byte", "512 bytes", "1.5 KiB", "64 MiB" (binary units, one
 * decimal when not whole). `rounding` 'up' is for a use reported against a limit it went over:
 * the decimal is rounded up, so the use never reads as equal to the limit. Never throws.
 */
export function formatBytes(bytes: number, rounding: 'nearest' | 'up' = 'nearest'): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  // 'up' (a use over a limit): 64 MiB + 4 KiB is "64.1 MiB", never "64.0 MiB of 64 MiB".
  const shown = rounding === 'up' && !Number.isInteger(value) ? Math.ceil(value * 10) / 10 : value;
  const rounded = Number.isInteger(shown) ? String(shown) : shown.toFixed(1);
  // "file: a.txt (1 byte)", never "(1 bytes)".
  if (unit === 0 && shown === 1) return '1 byte';
  return `${rounded} ${units[unit] ?? 'bytes'}`;
}

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
