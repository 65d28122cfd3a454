// The layout docs cannot rot: every repository path that docs/architecture.md and the README's
// Development section name (src/…, webview/…, test/…, resources/…, scripts/…, bench/…, docs/…)
// exists, every file named bare (runner.ts) exists somewhere in the repository, and the import graph docs/architecture.md shows is the one scripts/check-imports.mjs prints.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Repository-relative paths named in `text`; a `*` in the last segment is a wildcard. */
function namedPaths(text: string): string[] {
  const found = text.match(/(?<![\w./-])(?:src|webview|test|resources|scripts|bench|docs)\/[\w./*-]*/g) ?? [];
  // A path ending a sentence keeps its full stop out.
  return [...new Set(found.map((path) => path.replace(/\.+$/, '')))];
}

/** Whether `path` (relative to `root`) exists; with a `*` in its last segment, whether some entry matches. */
function pathExists(root: string, path: string): boolean {
  if (!path.includes('*')) return existsSync(join(root, path));
  const dir = dirname(path);
  const last = path.slice(dir.length + 1);
  if (dir.includes('*') || !existsSync(join(root, dir))) return false;
  const escaped = last.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`^${escaped.join('.*')}$`);
  return readdirSync(join(root, dir)).some((name) => pattern.test(name));
}

/** File names written without a folder (`runner.ts`, `worker.py`). */
function namedFiles(text: string): string[] {
  return [...new Set(text.match(/(?<![\w./*-])[\w-]+(?:\.[\w-]+)*\.(?:ts|mjs|py|md|json)\b/g) ?? [])];
}

/** Basenames of every file in the repository outside dependencies and build output. */
function repositoryFiles(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist', '.git', '.test-runs'].includes(entry.name)) walk(join(dir, entry.name));
      } else names.add(entry.name);
    }
  };
  walk(ROOT);
  return names;
}

function missing(text: string, files = repositoryFiles()): string[] {
  return [...namedPaths(text).filter((path) => !pathExists(ROOT, path)), ...namedFiles(text).filter((name) => !files.has(name))];
}

function developmentSection(readme: string): string {
  const start = readme.indexOf('\n## Development\n');
  expect(start, 'README has no "## Development" section').toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe('layout docs', () => {
  const architecture = read('docs/architecture.md');

  it('docs/architecture.md names only paths that exist', () => {
    expect(namedPaths(architecture).length).toBeGreaterThan(40);
    expect(namedFiles(architecture).length).toBeGreaterThan(20);
    expect(missing(architecture)).toEqual([]);
  });

  it("the README's Development section names only paths that exist, and links to docs/architecture.md", () => {
    const section = developmentSection(read('README.md'));
    expect(namedPaths(section).length).toBeGreaterThan(10);
    expect(missing(section)).toEqual([]);
    expect(section).toContain('](docs/architecture.md)');
  });

  it('the check reports a path that does not exist, and reads wildcards', () => {
    expect(missing('see src/vscode/nowhere/ and src/agent/runAgent.ts.')).toEqual(['src/vscode/nowhere/']);
    expect(missing('test/integration/suite/restricted*.test.ts')).toEqual([]);
    expect(missing('test/integration/suite/nothing*.test.ts')).toEqual(['test/integration/suite/nothing*.test.ts']);
    expect(missing('memoryBudget.ts enforces it; memoryBudgets.ts does not exist.')).toEqual(['memoryBudgets.ts']);
  });

  it('no file outside src/vscode/ imports `vscode`', () => {
    const outside: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (path !== 'src/vscode') walk(path);
        } else if (/\.ts$/.test(entry.name) && /\bfrom 'vscode'|import\('vscode'\)|require\('vscode'\)/.test(read(path))) outside.push(path);
      }
    };
    walk('src');
    expect(outside).toEqual([]);
  });

  it('docs/architecture.md shows the import graph scripts/check-imports.mjs prints', () => {
    const printed = execFileSync(process.execPath, [join(ROOT, 'scripts', 'check-imports.mjs'), join(ROOT, 'src')], { encoding: 'utf8' }).trim();
    const block = architecture.match(/```\n(Folder imports in src\/:\n[\s\S]*?)\n```/);
    expect(block, 'docs/architecture.md has no fenced block starting "Folder imports in src/:"').not.toBeNull();
    // When this fails, the folders import each other differently now: paste the script's output
    // into docs/architecture.md and check that the picture above it still holds.
    expect(block?.[1]).toBe(printed);
  });
});
