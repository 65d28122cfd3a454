// The folder-level import graph of src/ (scripts/check-imports.mjs) has no cycle between
// top-level folders, nor between the feature folders of src/vscode; and the check does fail on one.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'check-imports.mjs');
const SRC = join(__dirname, '..', '..', '..', 'src');
const scratch = mkdtempSync(join(tmpdir(), 'r1ci-imports-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(scratch, 'src-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('folder import graph', () => {
  it('src/ has no cycle between folders', () => {
    const out = execFileSync(process.execPath, [SCRIPT, SRC], { encoding: 'utf8' });
    expect(out).toContain('Folder imports in src/:');
    expect(out).toContain('Folder imports in src/vscode/:');
    // The core never imports the VS Code front end.
    expect(out).toMatch(/^ {2}agent -> sandbox, text, trajectory$/m);
    expect(out).toMatch(/^ {2}text -> \(nothing\)$/m);
    expect(out).toMatch(/^ {2}trajectory -> \(nothing\)$/m);
    expect(out).not.toMatch(/^ {2}(agent|sandbox|eval|cli|mcp|codeTool|config|notebook|conversation|trajectory|text) -> .*\bvscode\b/m);
  });

  it('fails on a cycle between top-level folders, through an index import and a type-only import', () => {
    const root = tree({
      'a/one.ts': "import { two } from '../b';\nexport const one = two;\n",
      'b/index.ts': "import type { One } from '../a/types';\nexport const two = 2;\nexport type T = One;\n",
      'a/types.ts': 'export type One = 1;\n',
    });
    const run = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Import cycle between folders of src\/: (a -> b -> a|b -> a -> b)/);
  });

  it('fails on a cycle between feature folders of src/vscode', () => {
    const root = tree({
      'vscode/chat/a.ts': "export { b } from '../solve/b';\n",
      'vscode/solve/b.ts': "export const b = 1;\nexport const load = () => import('../chat/a');\n",
    });
    const run = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/folders of src\/vscode\/: (chat -> solve -> chat|solve -> chat -> solve)/);
  });
});
