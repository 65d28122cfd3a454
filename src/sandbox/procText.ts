// Reading a /proc or cgroup file whole, from a descriptor opened for this read.
import { closeSync, openSync, readSync } from 'node:fs';

/** Reused by every read (they are synchronous, so never two at once). */
const buffer = Buffer.alloc(64 * 1024);

/**
 * The text (latin1, so one character per byte) of the file at `path`, read from a descriptor
 * opened for this read until its end or `maxBytes` bytes, whichever comes first; undefined when
 * it cannot be opened or read. A fresh descriptor matters for cgroup v1's cgroup.procs: one kept
 * open re-reads the pid list the kernel cached at its first read (for up to a second).
 */
export function readProcText(path: string, maxBytes = Number.POSITIVE_INFINITY): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let text = '';
    while (text.length < maxBytes) {
      const got = readSync(fd, buffer, 0, Math.min(buffer.length, maxBytes - text.length), null);
      if (got === 0) break;
      text += buffer.toString('latin1', 0, got);
    }
    return text;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
