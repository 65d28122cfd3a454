// loadTasks: a file or a folder (walked recursively, layouts may be mixed) → TaskRecords.
// Bad data never throws: each bad file or record becomes a LoadProblem and the rest loads.

import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isBbhFile, loadBbhData } from './loaders/bbh';
import { loadBlocksworldSample } from './loaders/blocksworld';
import { isGame24Header, loadGame24Csv } from './loaders/game24';
import { loadSymbenchSample } from './loaders/symbench';
import { isTaskFileJson, loadJsonlTaskFile, loadJsonTaskFile } from './loaders/taskfile';
import { readDatasetText } from './safeRead';
import type { LoadProblem, LoadResult, TaskRecord } from './types';

const BLOCKSWORLD_FILE = 'blocksworld_task.txt';
/** Extensions that may hold tasks; other files in a walked folder (README.md, LICENSE) are skipped. */
const DATA_EXTENSIONS = new Set(['.json', '.jsonl', '.csv']);

/** "sample_2" before "sample_10", so records come out in the data's natural order. */
const naturalCompare = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Loads one data file whose layout is decided by extension and content. */
async function loadDataFile(file: string): Promise<LoadResult> {
  const ext = path.extname(file).toLowerCase();
  let text: string;
  try {
    text = await readDatasetText(file);
  } catch (e) {
    return { records: [], problems: [{ file, message: `cannot read: ${errorText(e)}` }] };
  }
  if (ext === '.jsonl') return loadJsonlTaskFile(file, text);
  if (ext === '.csv') {
    const first = text.split(/\r?\n/, 1)[0] ?? '';
    if (isGame24Header(first)) return loadGame24Csv(file, text);
    return { records: [], problems: [{ file, line: 1, message: `unrecognised CSV layout (columns "${first}"; known: Rank,Puzzles,Solutions)` }] };
  }
  if (ext === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return { records: [], problems: [{ file, message: `invalid JSON: ${errorText(e)}` }] };
    }
    if (isBbhFile(data)) return loadBbhData(file, data);
    if (isTaskFileJson(data)) return loadJsonTaskFile(file, data);
    return { records: [], problems: [{ file, message: 'unrecognised JSON layout (expected {"examples": [...]}, a task record, an array of them, or {"tasks": [...]})' }] };
  }
  return { records: [], problems: [{ file, message: `unrecognised task file type "${ext || path.basename(file)}"` }] };
}

interface Collector {
  readonly records: TaskRecord[];
  readonly problems: LoadProblem[];
  readonly signal?: AbortSignal;
}

function add(into: Collector, out: { record?: TaskRecord; problem?: LoadProblem } | LoadResult): void {
  if ('records' in out) {
    into.records.push(...out.records);
    into.problems.push(...out.problems);
    return;
  }
  if (out.record) into.records.push(out.record);
  if (out.problem) into.problems.push(out.problem);
}

async function walk(dir: string, into: Collector): Promise<void> {
  into.signal?.throwIfAborted();
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    into.problems.push({ file: dir, message: `cannot read folder: ${errorText(e)}` });
    return;
  }
  const names = new Set(entries.map((e) => e.name));
  // A folder holding question.txt is one SymBench sample; its family is the parent folder.
  if (names.has('question.txt') || names.has('solution.json')) {
    add(into, await loadSymbenchSample(dir, path.basename(path.dirname(dir))));
    return;
  }
  if (names.has(BLOCKSWORLD_FILE)) {
    add(into, await loadBlocksworldSample(path.join(dir, BLOCKSWORLD_FILE), path.basename(path.dirname(dir))));
    return;
  }
  const sorted = [...entries].sort((a, b) => naturalCompare(a.name, b.name));
  for (const entry of sorted) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, into);
    else if (entry.isFile() && DATA_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
      into.signal?.throwIfAborted();
      add(into, await loadDataFile(full));
    }
  }
}

/**
 * Loads every task under `target` (a task file, a sample folder, or any folder above them).
 * Records get unique ids: a repeated id is reported as a problem and the later record dropped.
 * Rejects only when `signal` is aborted (with the signal's reason).
 */
export async function loadTasks(target: string, signal?: AbortSignal): Promise<LoadResult> {
  const into: Collector = { records: [], problems: [], signal };
  // The one place a link is followed: the target the user named. Below it, none is (safeRead.ts).
  let resolved = path.resolve(target);
  let info;
  try {
    resolved = await realpath(resolved);
    info = await stat(resolved);
  } catch (e) {
    return { records: [], problems: [{ file: resolved, message: `not found: ${errorText(e)}` }] };
  }
  if (info.isDirectory()) await walk(resolved, into);
  else {
    const base = path.basename(resolved);
    const dir = path.dirname(resolved);
    if (base === 'question.txt' || base === 'solution.json') add(into, await loadSymbenchSample(dir, path.basename(path.dirname(dir))));
    else if (base === BLOCKSWORLD_FILE) add(into, await loadBlocksworldSample(resolved, path.basename(path.dirname(dir))));
    else add(into, await loadDataFile(resolved));
  }
  signal?.throwIfAborted();
  return dedupe(into);
}

function dedupe(result: LoadResult): LoadResult {
  const seen = new Set<string>();
  const records: TaskRecord[] = [];
  const problems = [...result.problems];
  for (const r of result.records) {
    if (seen.has(r.id)) {
      problems.push({ ...r.source, message: `duplicate id "${r.id}" (record skipped)` });
      continue;
    }
    seen.add(r.id);
    records.push(r);
  }
  return { records, problems };
}
