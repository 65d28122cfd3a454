import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVAL_FLAGS, MODEL_FLAGS, SANDBOX_FLAGS } from '../../../src/config/settingFlags';
import { SETTINGS_SECTION, SETTINGS_SPEC } from '../../../src/config/settingsSpec';

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

  it('documents every setting, with its default', () => {
    for (const [key, spec] of Object.entries(SETTINGS_SPEC)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${SETTINGS_SECTION}.${key}\` |`));
      expect(row, `README has no row for ${SETTINGS_SECTION}.${key}`).toBeDefined();
      const shownDefault = spec.default === '' ? '(empty)' : `\`${String(spec.default)}\``;
      expect(row, `README shows the wrong default for ${key}`).toContain(`| ${shownDefault} |`);
    }
  });

  it("names each setting's CLI flag in its row", () => {
    for (const [flag, { setting }] of Object.entries({ ...MODEL_FLAGS, ...SANDBOX_FLAGS, ...EVAL_FLAGS })) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${SETTINGS_SECTION}.${setting}\` |`));
      expect(row, `README's row for ${setting} does not name --${flag}`).toMatch(new RegExp(`\\| \`--${flag}\` \\|$`));
    }
  });

  it('names the two set-up commands', () => {
    expect(readme).toContain('`npm start`');
    expect(readme).toContain('`npm test`');
  });
});
