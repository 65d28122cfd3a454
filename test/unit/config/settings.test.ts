import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageJsonProperties, parseSettings, restrictedConfigurations, SETTINGS_SPEC } from '../../../src/config/settingsSpec';

describe('settings', () => {
  it('package.json declares exactly the settings of settingsSpec.ts (run `npm run build` to regenerate)', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: unknown } } };
    expect(pkg.contributes.configuration.properties).toEqual(packageJsonProperties());
  });

  it('package.json lists the tier, approval, limit, concurrency, interpreter and server settings as restrictedConfigurations', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { capabilities: { untrustedWorkspaces: { restrictedConfigurations?: string[] } } };
    expect(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations).toEqual(restrictedConfigurations());
    expect([...restrictedConfigurations()].sort()).toEqual([
      'r1ci.backend',
      'r1ci.eval.concurrency',
      'r1ci.ollama.host',
      'r1ci.openai.baseUrl',
      'r1ci.python.path',
      'r1ci.sandbox.approval',
      'r1ci.sandbox.diskMiB',
      'r1ci.sandbox.fileSizeMiB',
      'r1ci.sandbox.isolation',
      'r1ci.sandbox.memoryMiB',
      'r1ci.sandbox.outputKiB',
      'r1ci.sandbox.timeoutSeconds',
    ]);
  });

  it('falls back to the default for one bad value and keeps the others', () => {
    const raw: Record<string, unknown> = { maxCodeCalls: -3, model: 'llama3.2', temperature: 'hot' };
    const { settings, problems } = parseSettings((k) => raw[k]);
    expect(settings.maxCodeCalls).toBe(SETTINGS_SPEC.maxCodeCalls.default);
    expect(settings.temperature).toBe(SETTINGS_SPEC.temperature.default);
    expect(settings.model).toBe('llama3.2');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('r1ci.maxCodeCalls');
  });

  it('rejects values outside an enum', () => {
    const { settings, problems } = parseSettings((k) => (k === 'protocol' ? 'telepathy' : undefined));
    expect(settings.protocol).toBe('auto');
    expect(problems[0]).toContain('r1ci.protocol');
  });
});
