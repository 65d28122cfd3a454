// The interpreter probes run like the worker (-I, cwd /), and only the interpreter's
// prefix, standard library and site-packages are mounted: never folders named in .pth
// files (editable installs point into projects). Issue 10, item 5.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonLayout } from '../../../src/sandbox/bubblewrap';
import { resolvePython } from '../../../src/sandbox/python';
import { removeDir, REQUIRED_TIERS, startRunner, tempDir } from './helpers';

const root = tempDir('probes');
const project = join(root, 'project');
const venv = join(root, 'venv');
const marker = join(root, 'json-py-ran');
let venvPython = '';

beforeAll(async () => {
  mkdirSync(project);
  writeFileSync(join(project, '.env'), 'API_KEY=project-secret-5521\n');
  writeFileSync(join(project, 'editable_mod.py'), 'VALUE = 1\n');
  const python = await resolvePython();
  execFileSync(python.executable, ['-I', '-m', 'venv', '--without-pip', venv]);
  venvPython = join(venv, 'bin', 'python');
  const lib = join(venv, 'lib');
  const site = join(lib, readdirSync(lib)[0] ?? '', 'site-packages');
  writeFileSync(join(site, '__editable__.project.pth'), `${project}\n`);
});

afterAll(() => {
  removeDir(root);
});

describe('interpreter layout probe', () => {
  it('never runs a json.py from the current folder', async () => {
    const hostile = join(root, 'cwd');
    mkdirSync(hostile);
    writeFileSync(join(hostile, 'json.py'), `open(${JSON.stringify(marker)}, "w").write("ran")\nfrom json import *\n`);
    const before = process.cwd();
    process.chdir(hostile);
    try {
      await pythonLayout(venvPython);
      await resolvePython(venvPython);
    } finally {
      process.chdir(before);
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('names in words why a configured interpreter could not be started (a folder, a missing program), not in errno codes', async () => {
    await expect(resolvePython(root)).rejects.toThrow(`No usable Python 3 interpreter (${root}: not a program that can be run (a folder, or a file without permission to execute)).`);
    await expect(resolvePython(join(root, 'nowhere', 'python3'))).rejects.toThrow(/\(.*nowhere\/python3: no such program\)/);
  });

  it('lists the standard library and site-packages, never a folder from a .pth file', async () => {
    const layout = await pythonLayout(venvPython);
    expect(layout.path.some((p) => p.endsWith('site-packages'))).toBe(true);
    expect(layout.path.some((p) => p.startsWith(project))).toBe(false);
  });
});

describe.each(REQUIRED_TIERS)('folders named in .pth files (%s tier)', (tier) => {
  it(tier === 'isolated' ? 'are not mounted: the project and its .env stay invisible' : 'are visible on basic (documented: no file confinement)', async () => {
    const runner = await startRunner(tier, { pythonPath: venvPython });
    try {
      const result = await runner.runCell(`import sys\ntry:\n    print(open(${JSON.stringify(join(project, '.env'))}).read())\nexcept OSError as e:\n    print(type(e).__name__)`);
      if (tier === 'isolated') {
        expect(result.stdout).toBe('FileNotFoundError\n');
        expect((await runner.runCell('import editable_mod')).stderr).toContain('ModuleNotFoundError');
      } else {
        expect(result.stdout).toContain('project-secret-5521');
      }
    } finally {
      await runner.dispose();
    }
  });
});
