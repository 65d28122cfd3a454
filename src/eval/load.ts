// loadTasks: a file or a folder (walked recursively, layouts may be mixed) → TaskRecords.
// Bad data never throws: each bad file or record becomes a LoadProblem and the rest loads.

import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isBbhFile, loadBbhData } from './loaders/bbh';
import { loadBlocksworldSample } from './loaders/blocksworld';
import { isGame24Header, loadGame24Csv } from './loaders/game24';
import { loadSymbenchSample } from './loaders/symbench';
import { isTaskFileJson, loadJsonlTaskFile, loadJsonTaskFile } from './loaders/taskfile';
import type { LoadProblem, LoadResult, TaskRecord } from './types';

const BLOCKSWORLD_FILE = 'blocksworld_task.txt';
/** Extensions that may hold tasks; other files in a walked folder (README.md, LICENSE) are skipped. */
const DATA_EXTENSIONS = new Set(['.json', '.jsonl', '.csv']);

/**
 * "sample_2" before "sample_10", so records come out in the data's natural order. One collator
 * for the whole walk: `localeCompare` with options builds a new one per call, which was the
 * walk's largest CPU cost on a 20,000-question folder.
 */
const naturalCompare = new Intl.Collator('en', { numeric: true }).compare;

/**
 * Task data is read with synchronous calls, in slices of at most SLICE_MS before yielding to the
 * event loop: a folder of 20,000 samples is 40,000 small files, and an asynchronous read costs
 * four thread-pool round trips each (open, stat, read, close), which made loading take 15 s
 * instead of about one. Yielding keeps the extension host responsive and lets a cancel land.
 */
const SLICE_MS = 8;

class Slicer {
  private sliceStart = performance.now();

  constructor(private readonly signal?: AbortSignal) {}

  /** Yields to the event loop when the current slice is used up; throws when aborted. */
  async tick(): Promise<void> {
    if (performance.now() - this.sliceStart >= SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.sliceStart = performance.now();
    }
    this.signal?.throwIfAborted();
  }
}

/** Reads a data file as UTF-8 (synchronously, see SLICE_MS). */
const readText = (file: string): Promise<string> => {
  try {
    return Promise.resolve(readFileSync(file, 'utf8'));
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
};

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Loads one data file whose layout is decided by extension and content. */
async function loadDataFile(file: string): Promise<LoadResult> {
  const ext = path.extname(file).toLowerCase();
  let text: string;
  try {
    text = await readText(file);
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
  readonly slicer: Slicer;
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

/** The file's text, or undefined when there is no such file (absent, or not a regular file). */
function textIfFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `readText` that first answers from files already read. */
function readingFrom(known: ReadonlyMap<string, string>): (file: string) => Promise<string> {
  return (file) => {
    const text = known.get(file);
    return text !== undefined ? Promise.resolve(text) : readText(file);
  };
}

async function walk(dir: string, into: Collector): Promise<void> {
  await into.slicer.tick();
  // A folder holding question.txt (or solution.json) is one SymBench sample; its family is the
  // parent folder. Its files are tried before the folder is listed: listing each of 20,000
  // sample folders cost as much as reading them.
  const questionFile = path.join(dir, 'question.txt');
  const solutionFile = path.join(dir, 'solution.json');
  const question = textIfFile(questionFile);
  const solution = textIfFile(solutionFile);
  if (question !== undefined || solution !== undefined) {
    const known = new Map<string, string>();
    if (question !== undefined) known.set(questionFile, question);
    if (solution !== undefined) known.set(solutionFile, solution);
    add(into, await loadSymbenchSample(dir, path.basename(path.dirname(dir)), readingFrom(known)));
    return;
  }
  const blocksworldFile = path.join(dir, BLOCKSWORLD_FILE);
  const blocksworld = textIfFile(blocksworldFile);
  if (blocksworld !== undefined) {
    add(into, await loadBlocksworldSample(blocksworldFile, path.basename(path.dirname(dir)), readingFrom(new Map([[blocksworldFile, blocksworld]]))));
    return;
  }
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    into.problems.push({ file: dir, message: `cannot read folder: ${errorText(e)}` });
    return;
  }
  const names = new Set(entries.map((e) => e.name));
  // Present but unreadable (permissions, a folder by that name): the loaders say what is wrong.
  if (names.has('question.txt') || names.has('solution.json')) {
    add(into, await loadSymbenchSample(dir, path.basename(path.dirname(dir)), readText));
    return;
  }
  if (names.has(BLOCKSWORLD_FILE)) {
    add(into, await loadBlocksworldSample(blocksworldFile, path.basename(path.dirname(dir)), readText));
    return;
  }
  const sorted = [...entries].sort((a, b) => naturalCompare(a.name, b.name));
  for (const entry of sorted) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, into);
    else if (entry.isFile() && DATA_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
      await into.slicer.tick();
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
  const into: Collector = { records: [], problems: [], signal, slicer: new Slicer(signal) };
  const resolved = path.resolve(target);
  let info;
  try {
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
