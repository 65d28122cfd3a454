// What users read about a cell's full output matches where it is kept: the host-private folder
// (output-capture.ts, docs/sandbox-tiers.md), never scratch, which the sandbox's code could
// read, rewrite or plant links in. Found by reading the settings table against package.json:
// the setting's description and the transcript's note both sent users to the scratch folder.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS_SPEC } from '../../../src/config/settingsSpec';

const ROOT = join(__dirname, '..', '..', '..');

/** Every .ts file below `dir` (repository-relative). */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Phrases of `text` (within one sentence and line) that place the full output in the scratch folder. */
function scratchClaims(text: string): string[] {
  return [...text.matchAll(/full output[^.\n]*\bin (?:a file in )?the scratch folder/gi)].map((match) => match[0]);
}

describe('where the full output of a cell is said to be', () => {
  it('the output setting names the private folder outside the sandbox', () => {
    const description = SETTINGS_SPEC['sandbox.outputKiB'].description;
    expect(scratchClaims(description)).toEqual([]);
    expect(description).toMatch(/private folder/);
  });

  it('no user-facing text of the extension, the webview or package.json puts it in scratch', () => {
    const files = [...sources('src'), ...sources(join('webview', 'src')), join(ROOT, 'package.json')];
    const claims = files.flatMap((file) => scratchClaims(readFileSync(file, 'utf8')).map((claim) => `${file}: ${claim.trim()}`));
    expect(claims).toEqual([]);
  });
});
