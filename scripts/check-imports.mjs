// The folder-level import graph of src/: which top-level folder imports which (type-only imports
// included: they tie folders together as much as value imports), and the same inside src/vscode
// between its feature folders. Prints both graphs and exits 1 when either has a cycle, so the
// layout stays a layering (core folders below the VS Code front end, features below nothing of
// each other in a loop). Usage: node scripts/check-imports.mjs [srcDir]  (default: src)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const root = resolve(process.argv[2] ?? 'src');

/** Every .ts file below `dir`. */
function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function isDirectory(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Relative module specifiers of one file (imports, re-exports, dynamic imports), as read by the TypeScript scanner. */
function relativeImports(file) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.'));
}

/**
 * Edges between folders at `depth` below `base`: a file's folder is the first `depth` path parts
 * after `base` (a file directly in `base` counts as "(root)"); imports leaving `base` are ignored.
 */
function folderGraph(base, files) {
  const folderOf = (path) => {
    const parts = relative(base, path).split(sep);
    // `../sandbox` names the folder itself (its index.ts), not a file in `base`.
    return parts.length > 1 || isDirectory(path) ? parts[0] : '(root)';
  };
  const graph = new Map();
  for (const file of files) {
    const from = folderOf(file);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const spec of relativeImports(file)) {
      const target = resolve(dirname(file), spec);
      const rel = relative(base, target);
      if (rel.startsWith('..')) continue;
      const to = folderOf(target);
      if (to !== from) graph.get(from).add(to);
    }
  }
  return graph;
}

/** One cycle as a list of folders (first repeated at the end), or undefined. */
function findCycle(graph) {
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.has(node)) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

function print(title, graph) {
  console.log(title);
  for (const [from, to] of [...graph].sort(([a], [b]) => a.localeCompare(b))) console.log(`  ${from} -> ${[...to].sort().join(', ') || '(nothing)'}`);
}

const files = tsFiles(root);
const levels = [['src/', root]];
const vscodeDir = join(root, 'vscode');
// Without src/vscode (the layout before the feature folders) only the top level is checked.
if (isDirectory(vscodeDir)) levels.push(['src/vscode/', vscodeDir]);
let failed = false;
for (const [title, base] of levels) {
  const graph = folderGraph(base, base === root ? files : files.filter((f) => f.startsWith(base + sep)));
  print(`Folder imports in ${title}:`, graph);
  const cycle = findCycle(graph);
  if (cycle) {
    failed = true;
    console.error(`Import cycle between folders of ${title}: ${cycle.join(' -> ')}`);
  }
}
process.exit(failed ? 1 : 0);
