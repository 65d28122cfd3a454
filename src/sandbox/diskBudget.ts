// How much disk a sandbox's scratch folder takes, measured the way a quota would: allocated
// blocks (a sparse file costs what it really holds), each inode once (hard links are not
// counted twice), and files and folders as entries. The walk stops one entry past the
// entry budget, so a folder of 200,000 empty folders costs milliseconds, not seconds.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface ScratchUsage {
  /** Bytes allocated on disk (st_blocks × 512) by the entries seen. */
  readonly bytes: number;
  /** Files, folders, links and other entries seen (the scratch folder itself excluded). */
  readonly entries: number;
  /** False when the walk stopped early (more than `maxEntries` entries) or a folder could not be read. */
  readonly complete: boolean;
}

/** Walks `dir` without following links; stops after `maxEntries` + 1 entries. Never throws. */
export function measureScratch(dir: string, maxEntries: number): ScratchUsage {
  const seen = new Set<string>();
  let bytes = 0;
  let entries = 0;
  const count = (path: string): boolean => {
    try {
      const stat = lstatSync(path, { bigint: false });
      const key = `${stat.dev}:${stat.ino}`;
      if (!seen.has(key)) {
        seen.add(key);
        bytes += stat.blocks * 512;
      }
      return stat.isDirectory();
    } catch {
      return false; // removed meanwhile
    }
  };
  let complete = true;
  const stack = [dir];
  count(dir);
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === undefined) break;
    let names: string[];
    try {
      names = readdirSync(current);
    } catch {
      // A folder the sandbox made unreadable (mode 000) would hide what it holds: it counts as over.
      if (current !== dir) complete = false;
      continue;
    }
    for (const name of names) {
      entries++;
      if (entries > maxEntries) return { bytes, entries, complete: false };
      const path = join(current, name);
      if (count(path)) stack.push(path);
    }
  }
  return { bytes, entries, complete };
}

/** True when `usage` is past either budget, or could not be measured completely. */
export function overDiskBudget(usage: ScratchUsage, limits: { readonly diskBytes: number; readonly diskEntries: number }): boolean {
  return !usage.complete || usage.bytes > limits.diskBytes || usage.entries > limits.diskEntries;
}
