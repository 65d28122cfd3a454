// Files a cell created or changed in its scratch folder.
import { readdirSync, lstatSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Artifact } from './types';

/** The sandbox's own folder inside scratch (full outputs, basic-tier $HOME and TMPDIR). */
export const BOOKKEEPING_DIR = '.r1ci';
const IGNORED = new Set([BOOKKEEPING_DIR, '__pycache__', '.ipynb_checkpoints']);
const MAX_ENTRIES = 5_000;
const MAX_DEPTH = 8;

export type ScratchSnapshot = Map<string, { size: number; mtimeMs: number }>;

/** Size and mtime of every regular file in scratch (symlinks are not followed). */
export function snapshotScratch(scratchDir: string): ScratchSnapshot {
  const files: ScratchSnapshot = new Map();
  const walk = (dir: string, prefix: string, depth: number): void => {
    if (depth > MAX_DEPTH || files.size >= MAX_ENTRIES) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (files.size >= MAX_ENTRIES) return;
      if (IGNORED.has(entry.name)) continue;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const abs = join(dir, entry.name);
      if (entry.isDirectory()) walk(abs, rel, depth + 1);
      else if (entry.isFile()) {
        try {
          const stat = lstatSync(abs);
          files.set(rel, { size: stat.size, mtimeMs: stat.mtimeMs });
        } catch {
          // removed meanwhile
        }
      }
    }
  };
  walk(scratchDir, '', 0);
  return files;
}

/** New or modified files between two snapshots, sorted by name. */
export function diffArtifacts(scratchDir: string, before: ScratchSnapshot, after: ScratchSnapshot): Artifact[] {
  const changed: Artifact[] = [];
  for (const [name, now] of after) {
    const then = before.get(name);
    if (then && then.size === now.size && then.mtimeMs === now.mtimeMs) continue;
    changed.push({ name, path: join(scratchDir, ...name.split('/')), sizeBytes: now.size, mimeType: guessMimeType(name) });
  }
  return changed.sort((a, b) => a.name.localeCompare(b.name));
}

const MIME_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.html': 'text/html',
  '.py': 'text/x-python',
  '.npy': 'application/octet-stream',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.zip': 'application/zip',
};

export function guessMimeType(name: string): string {
  return MIME_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}
