// loadTasks: a file or a folder (walked recursively, layouts may be mixed) → TaskRecords.
// Bad data never throws: each bad file or record becomes a LoadProblem and the rest loads.

import { readdirSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { relativeId } from './ids';
import { isBbhFile, loadBbhData } from './loaders/bbh';
import { isGame24Header, loadGame24Csv } from './loaders/game24';
import { isGsmHardRecord, loadGsmHardJsonl, isMathProblem, unsupportedJson } from './loaders/otherBenchmarks';
import { isReasoningGymItem, loadReasoningGymJsonl } from './loaders/reasoningGym';
import { sampleFolderLayout, loadSampleFolder } from './loaders/symbench';
import { isTaskFileJson, loadJsonlTaskFile, loadJsonTaskFile } from './loaders/taskfile';
import { readDatasetText, UnsafeDatasetPathError } from './safeRead';
import { ownOutputKind } from './loaders/ownOutputs';
import { fileErrorText } from '../text/fileErrors';
import type { LoadedItem, LoadProblem, LoadResult, SkippedFile, TaskRecord, UnsupportedTask } from './types';
/** Extensions that may hold tasks; other files in a walked folder (README.md, LICENSE) are skipped. */
const DATA_EXTENSIONS = new Set(['.json', '.jsonl', '.csv']);

/** "sample_2" before "sample_10", so records come out in the data's natural order. */
// One collator for the whole walk: `localeCompare` with options builds a new one per call, which
// was the largest CPU cost of loading a 20,000-question folder (bench/evalScale).
const naturalCompare = new Intl.Collator('en', { numeric: true }).compare;

/**
 * Folders are listed and files read synchronously (see safeRead.ts), in slices of at most
 * SLICE_MS before the walk yields to the event loop: an asynchronous call costs a thread-pool
 * round trip each, and a 20,000-question folder is 40,000 files and 20,000 folders. Yielding
 * keeps the extension host responsive and lets a cancel land.
 */
const SLICE_MS = 8;
let sliceStart = performance.now();
async function yieldWhenSliceUsed(signal: AbortSignal | undefined): Promise<void> {
  if (performance.now() - sliceStart >= SLICE_MS) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  }
  signal?.throwIfAborted();
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The first non-blank line of a JSONL text, parsed, or undefined. */
function firstJsonlRecord(text: string): unknown {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('//'));
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * Loads one data file whose layout is decided by extension and content; `fileId` is its path
 * relative to the folder or file the user gave (the prefix of its items' ids).
 */
async function loadDataFile(file: string, fileId: string): Promise<LoadResult> {
  const ext = path.extname(file).toLowerCase();
  let text: string;
  try {
    text = await readDatasetText(file);
  } catch (e) {
    // The problem names the file already: an unsafe path's reason is given without it.
    return { records: [], problems: [{ file, message: e instanceof UnsafeDatasetPathError ? `not read: ${e.detail.startsWith('is ') ? 'it ' : ''}${e.detail}` : `cannot read: ${fileErrorText(e)}` }] };
  }
  if (ext === '.jsonl') {
    const first = firstJsonlRecord(text);
    // Reasoning-Gym items ({question, answer, metadata}) would otherwise pass as our own task files.
    if (isReasoningGymItem(first)) return loadReasoningGymJsonl(file, fileId, text);
    if (isGsmHardRecord(first)) return loadGsmHardJsonl(file, fileId, text);
    const own = ownOutputKind(first);
    if (own !== undefined) return { records: [], problems: [], skipped: [{ file, reason: `${own}, not tasks` }] };
    return loadJsonlTaskFile(file, fileId, text);
  }
  if (ext === '.csv') {
    const first = text.split(/\r?\n/, 1)[0] ?? '';
    if (isGame24Header(first)) return loadGame24Csv(file, fileId, text);
    return { records: [], problems: [{ file, line: 1, message: `unrecognised CSV layout (columns "${first}"; known: Rank,Puzzles[,Solutions|,AMT (s),...])` }] };
  }
  if (ext === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return { records: [], problems: [{ file, message: `invalid JSON: ${errorText(e)}` }] };
    }
    if (isBbhFile(data)) return loadBbhData(file, fileId, data);
    if (isMathProblem(data)) return unsupportedJson(file, fileId, 'MATH', 'MATH answers need a judge of mathematical equivalence (the authors ask GPT-4o); not scored yet');
    if (isTaskFileJson(data)) return loadJsonTaskFile(file, fileId, data);
    return { records: [], problems: [{ file, message: 'unrecognised JSON layout (expected {"examples": [...]}, a task record, an array of them, or {"tasks": [...]})' }] };
  }
  return { records: [], problems: [{ file, message: `unrecognised task file type "${ext || path.basename(file)}"` }] };
}

interface Collector {
  readonly records: TaskRecord[];
  readonly problems: LoadProblem[];
  readonly unsupported: UnsupportedTask[];
  readonly skipped: SkippedFile[];
  /** Ids are relative to this folder. */
  readonly root: string;
  readonly signal?: AbortSignal;
}

function add(into: Collector, out: LoadedItem | LoadResult): void {
  if ('records' in out) {
    into.records.push(...out.records);
    into.problems.push(...out.problems);
    into.unsupported.push(...(out.unsupported ?? []));
    into.skipped.push(...(out.skipped ?? []));
    return;
  }
  if (out.record) into.records.push(out.record);
  if (out.problem) into.problems.push(out.problem);
  if (out.unsupported) into.unsupported.push(out.unsupported);
}

async function walk(dir: string, into: Collector): Promise<void> {
  await yieldWhenSliceUsed(into.signal);
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    into.problems.push({ file: dir, message: `cannot read folder: ${fileErrorText(e)}` });
    return;
  }
  const names = new Set(entries.map((e) => e.name));
  // A folder that is one question (SymBench sample, Blocksworld, number_multiply, Letters, ...).
  if (sampleFolderLayout(names) !== undefined) {
    add(into, await loadSampleFolder(dir, relativeId(into.root, dir), names));
    return;
  }
  const sorted = [...entries].sort((a, b) => naturalCompare(a.name, b.name));
  for (const entry of sorted) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    // Never followed below the target (a cloned dataset could point one anywhere), but said.
    if (entry.isSymbolicLink()) into.skipped.push({ file: full, reason: 'a symbolic link; links below the folder given are not followed (give its target itself)' });
    else if (entry.isDirectory()) await walk(full, into);
    else if (entry.isFile() && DATA_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
      await yieldWhenSliceUsed(into.signal);
      add(into, await loadDataFile(full, relativeId(into.root, full)));
    }
  }
}

/**
 * Loads every task under `target` (a task file, a sample folder, or any folder above them).
 * Ids are relative to `target` (to its parent when `target` is a file or a single question's
 * folder): see docs/task-files.md, "Ids". A repeated id is reported as a problem and the later
 * record dropped. Rejects only when `signal` is aborted (with the signal's reason).
 */
export async function loadTasks(target: string, signal?: AbortSignal): Promise<LoadResult> {
  // The one place a link is followed: the target the user named. Below it, none is (safeRead.ts).
  let resolved = path.resolve(target);
  let info;
  try {
    resolved = await realpath(resolved);
    info = await stat(resolved);
  } catch (e) {
    return { records: [], problems: [{ file: resolved, message: `cannot be read: ${fileErrorText(e)}` }] };
  }
  if (info.isDirectory()) {
    let names = new Set<string>();
    try {
      names = new Set(await readdir(resolved));
    } catch {
      // walk() reports the unreadable folder
    }
    // A single question's folder: ids relative to its parent, so the folder name stays in the id.
    const root = sampleFolderLayout(names) !== undefined ? path.dirname(resolved) : resolved;
    const into: Collector = { records: [], problems: [], unsupported: [], skipped: [], root, signal };
    await walk(resolved, into);
    signal?.throwIfAborted();
    return dedupe(into);
  }
  const dir = path.dirname(resolved);
  const into: Collector = { records: [], problems: [], unsupported: [], skipped: [], root: dir, signal };
  const dirNames = new Set(await readdir(dir).catch((): string[] => []));
  // A file of a question folder (question.txt, blocksworld_task.txt, ...) loads that folder.
  if (sampleFolderLayout(dirNames) !== undefined && isSampleFile(path.basename(resolved))) {
    add(into, await loadSampleFolder(dir, relativeId(path.dirname(dir), dir), dirNames));
  } else add(into, await loadDataFile(resolved, relativeId(dir, resolved)));
  signal?.throwIfAborted();
  return dedupe(into);
}

/** Files that are part of a question folder rather than a data file of their own. */
function isSampleFile(name: string): boolean {
  return sampleFolderLayout(new Set([name])) !== undefined || ['solution.json', 'target_answer.txt', 'input_prompt_1.txt', 'input_value_list.txt'].includes(name);
}

/**
 * Keeps the first record of each id; each later one is a problem at its own place that names
 * where the kept one is (`line 1`, `record 0`, or another file's `file:line`), so both can be found.
 */
function dedupe(result: LoadResult & { unsupported: UnsupportedTask[]; skipped: SkippedFile[] }): LoadResult {
  const seen = new Map<string, TaskRecord['source']>();
  const records: TaskRecord[] = [];
  const problems = [...result.problems];
  for (const r of result.records) {
    const first = seen.get(r.id);
    if (first) {
      const at = first.line !== undefined ? `line ${first.line}` : first.index !== undefined ? `record ${first.index}` : 'an earlier record';
      const where = first.file === r.source.file ? at : `${first.file}${first.line !== undefined ? `:${first.line}` : first.index !== undefined ? ` [record ${first.index}]` : ''}`;
      problems.push({ ...r.source, message: `duplicate id "${r.id}": ${where} has it already, and is kept (this record is skipped)` });
      continue;
    }
    seen.set(r.id, r.source);
    records.push(r);
  }
  return { records, problems, unsupported: result.unsupported, ...(result.skipped.length > 0 ? { skipped: result.skipped } : {}) };
}

/**
 * One problem for people, with where it is: `file:line: message` (JSONL, CSV), `file [record N]:
 * message` (a JSON array, BBH examples) or `file: message`. `file` defaults to the problem's own
 * path (callers may shorten it); the message itself never repeats the place.
 */
export function describeLoadProblem(p: LoadProblem, file: string = p.file): string {
  const where = p.line !== undefined ? `:${p.line}` : p.index !== undefined ? ` [record ${p.index}]` : '';
  return `${file}${where}: ${p.message}`;
}

/** One line per skipped file, for people: `skipped <file>: <reason>`. */
export function describeSkipped(skipped: readonly SkippedFile[]): string[] {
  return skipped.map((s) => `skipped ${s.file}: ${s.reason}`);
}

/**
 * One line per unsupported task, for people: `not scored (unsupported): MATH, 20 question(s) —
 * <reason>`. Questions of one task share a line (the reason of the first is shown).
 */
export function describeUnsupported(unsupported: readonly UnsupportedTask[]): string[] {
  const byTask = new Map<string, { count: number; reason: string }>();
  for (const u of unsupported) {
    const seen = byTask.get(u.task);
    byTask.set(u.task, { count: (seen?.count ?? 0) + 1, reason: seen?.reason ?? u.reason });
  }
  return [...byTask.entries()].map(([task, { count, reason }]) => `not scored (unsupported): ${task}, ${count} question(s) — ${reason}`);
}
