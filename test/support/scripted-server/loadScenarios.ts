// Reads scenario files (one file, or every *.json directly inside a folder, in name order) and
// validates them, naming the file and the field when something is wrong. A real-model case file
// (../shared/cases/real-models, `{"model", "turns"}`) is read as the one scenario it stands for.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { z } from 'zod';
import type { ModelSpec } from './models';
import { caseFileSchema, scenarioFileSchema, scenarioFromCase, scenarioSchema, type Scenario } from './scenarioSchema';

export class ScenarioFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioFileError';
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(top level)' : out;
}

function describeIssues(file: string, error: z.ZodError, prefix: readonly PropertyKey[]): string {
  const lines = error.issues.map((issue) => `  ${formatPath([...prefix, ...issue.path])}: ${issue.message}`);
  return `Invalid scenario file ${file}:\n${lines.join('\n')}`;
}

/** Validates already-parsed JSON from `source` (a file name: for messages, and a case file's scenario id). */
export function parseScenarioJson(source: string, json: unknown): Scenario[] {
  // The three accepted shapes are told apart by hand so a mistake is reported at its own field
  // instead of as one opaque "no union member matched".
  if (Array.isArray(json)) {
    const scenarios: Scenario[] = [];
    json.forEach((item, index) => {
      const parsed = scenarioSchema.safeParse(item);
      if (!parsed.success) throw new ScenarioFileError(describeIssues(source, parsed.error, [index]));
      scenarios.push(parsed.data);
    });
    return scenarios;
  }
  if (typeof json === 'object' && json !== null && 'scenarios' in json) {
    const parsed = scenarioFileSchema.safeParse(json);
    if (!parsed.success) throw new ScenarioFileError(describeIssues(source, parsed.error, []));
    return parsed.data.scenarios;
  }
  if (typeof json === 'object' && json !== null && 'model' in json && !('id' in json)) {
    // A case file: it answers every question, under the file's name as its id.
    const parsed = caseFileSchema.safeParse(json);
    if (!parsed.success) throw new ScenarioFileError(describeIssues(source, parsed.error, []));
    return [scenarioFromCase(basename(source, '.json'), parsed.data)];
  }
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success) throw new ScenarioFileError(describeIssues(source, parsed.error, []));
  return [parsed.data];
}

function loadFile(file: string): Scenario[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ScenarioFileError(`Cannot read scenario file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseScenarioJson(file, json);
}

/** Loads one scenario file, or every `*.json` file directly inside a folder (sorted by name). */
export function loadScenarios(pathOrDir: string): Scenario[] {
  let isDir: boolean;
  try {
    isDir = statSync(pathOrDir).isDirectory();
  } catch {
    throw new ScenarioFileError(`No scenario file or folder at ${pathOrDir}`);
  }
  const files = isDir
    ? readdirSync(pathOrDir)
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name) => join(pathOrDir, name))
    : [pathOrDir];
  const scenarios = files.flatMap(loadFile);
  assertUniqueIds(scenarios, pathOrDir);
  return scenarios;
}

/**
 * The model a real-model case file names (`{"model", "turns"}`), as the server should list it:
 * a reasoning model ("thinking"), one that calls tools natively ("tools") when a turn has tool
 * calls, as the case tests declare it. Undefined for a folder or any other scenario file.
 */
export function caseFileModel(path: string): ModelSpec | undefined {
  let json: unknown;
  try {
    if (statSync(path).isDirectory()) return undefined;
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const parsed = caseFileSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const usesTools = parsed.data.turns.some((t) => typeof t !== 'string' && t.toolCalls !== undefined);
  return { name: parsed.data.model, capabilities: usesTools ? ['completion', 'tools', 'thinking'] : ['completion', 'thinking'] };
}

export function assertUniqueIds(scenarios: readonly Scenario[], source: string): void {
  const seen = new Set<string>();
  for (const s of scenarios) {
    if (seen.has(s.id)) throw new ScenarioFileError(`Duplicate scenario id "${s.id}" in ${source}`);
    seen.add(s.id);
  }
}
