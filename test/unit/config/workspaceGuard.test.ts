// The workspace guard's rules (issue 10 item 7), on VS Code's per-level values as inspect() gives them.
import { describe, expect, it } from 'vitest';
import { parseSettings, SETTINGS_SPEC, type SettingKey } from '../../../src/config/settingsSpec';
import { consentQuestion, parseConsentStore, resolveGuarded, weakens, type LevelValues } from '../../../src/config/workspaceGuard';

/** inspect() over the spec defaults plus the given user and workspace values. */
function levels(user: Partial<Record<SettingKey, unknown>>, workspace: Partial<Record<SettingKey, unknown>>, folder: Partial<Record<SettingKey, unknown>> = {}) {
  return (key: SettingKey): LevelValues => ({ defaultValue: SETTINGS_SPEC[key].default, globalValue: user[key], workspaceValue: workspace[key], workspaceFolderValue: folder[key] });
}

describe('workspace guard', () => {
  it('weaker tier and approval, another interpreter or server are weakening; stronger values are not', () => {
    expect(weakens('tier', 'basic', 'auto')).toBe(true);
    expect(weakens('tier', 'auto', 'basic')).toBe(false);
    expect(weakens('approval', 'auto', 'default')).toBe(true);
    expect(weakens('approval', 'default', 'ask')).toBe(true);
    expect(weakens('approval', 'never', 'auto')).toBe(false);
    expect(weakens('approval', 'ask', 'default')).toBe(false);
    expect(weakens('interpreter', '/repo/.venv/bin/python', '')).toBe(true);
    expect(weakens('server', 'http://evil.example:11434', '')).toBe(true);
    expect(weakens('server', '', '')).toBe(false);
  });

  it("a sandbox limit larger than the user's (or the default) weakens; a smaller one applies unasked", () => {
    expect(weakens('limit', 4096, 2048)).toBe(true);
    expect(weakens('limit', 1024, 2048)).toBe(false);
    expect(weakens('limit', 2048, 2048)).toBe(false);
    expect(weakens('limit', '99999', 2048)).toBe(true); // not a number: asked, never applied blindly
  });

  it('more sandboxes at once than the user runs (each with the full limits) weakens; 0 counts as the most it may mean', () => {
    expect(weakens('concurrency', 64, 0)).toBe(true);
    expect(weakens('concurrency', 8, 4)).toBe(true);
    expect(weakens('concurrency', 0, 1)).toBe(true); // 0 is 4 against an OpenAI-compatible server
    expect(weakens('concurrency', 1, 0)).toBe(false);
    expect(weakens('concurrency', 0, 8)).toBe(false);
    expect(weakens('concurrency', 2, 8)).toBe(false);
    expect(weakens('concurrency', '64', 0)).toBe(true);
    const { values, pending } = resolveGuarded(levels({}, { 'eval.concurrency': 64 }), {}, true);
    expect(values.get('eval.concurrency')).toBe(0);
    const asked = pending.find((p) => p.key === 'eval.concurrency');
    expect(asked).toBeDefined();
    if (asked) expect(consentQuestion(asked)).toMatch(/"r1ci\.eval\.concurrency" to 64, which runs more sandboxes at once/);
    const limits = ['sandbox.memoryMiB', 'sandbox.diskMiB', 'sandbox.fileSizeMiB', 'sandbox.outputKiB', 'sandbox.timeoutSeconds'] as const;
    const big = Object.fromEntries(limits.map((k) => [k, SETTINGS_SPEC[k].maximum]));
    const raised = resolveGuarded(levels({}, big), {}, true);
    for (const k of limits) expect(raised.values.get(k)).toBe(SETTINGS_SPEC[k].default);
    expect(raised.pending.map((p) => p.key).sort()).toEqual([...limits].sort());
    expect(consentQuestion(raised.pending.find((p) => p.key === 'sandbox.memoryMiB')!)).toMatch(
      /"r1ci\.sandbox\.memoryMiB" to 1048576, which gives model-written code more than your sandbox limit \(your setting: 2048\)/,
    );
    // Against the user's own value, not the default: above it is asked, below it applies.
    const user = resolveGuarded(levels({ 'sandbox.diskMiB': 4096, 'sandbox.timeoutSeconds': 10 }, { 'sandbox.diskMiB': 2048, 'sandbox.timeoutSeconds': 30 }), {}, true);
    expect(user.values.get('sandbox.diskMiB')).toBe(2048);
    expect(user.values.get('sandbox.timeoutSeconds')).toBe(10);
    expect(user.pending.map((p) => p.key)).toEqual(['sandbox.timeoutSeconds']);
    // Accepted once for that value, it applies; Restricted Mode never uses it.
    expect(resolveGuarded(levels({}, { 'sandbox.memoryMiB': 8192 }), { 'sandbox.memoryMiB': { value: '8192', accepted: true } }, true).values.get('sandbox.memoryMiB')).toBe(8192);
    expect(resolveGuarded(levels({}, { 'sandbox.memoryMiB': 512 }), {}, false).values.get('sandbox.memoryMiB')).toBe(2048);
  });

  it('until accepted, the user value applies and each weakening workspace value is pending', () => {
    const { values, pending } = resolveGuarded(
      levels({ 'sandbox.approval': 'ask' }, { 'sandbox.isolation': 'basic', 'sandbox.approval': 'auto', 'ollama.host': 'http://10.0.0.9:11434' }, { 'python.path': '/ws/python' }),
      {},
      true,
    );
    expect(values.get('sandbox.isolation')).toBe('auto');
    expect(values.get('sandbox.approval')).toBe('ask');
    expect(values.get('ollama.host')).toBe('');
    expect(values.get('python.path')).toBe('');
    expect(pending.map((p) => p.key).sort()).toEqual(['ollama.host', 'python.path', 'sandbox.approval', 'sandbox.isolation']);
    expect(consentQuestion(pending.find((p) => p.key === 'sandbox.isolation')!)).toMatch(/"r1ci\.sandbox\.isolation" to "basic", which weakens the sandbox \(your setting: "auto"\)/);
  });

  it('a remembered answer applies to that value only; a stronger workspace value needs no answer', () => {
    const inspect = levels({}, { 'sandbox.isolation': 'basic', 'python.path': '/ws/python', 'sandbox.approval': 'never' });
    const consent = { 'sandbox.isolation': { value: '"basic"', accepted: true }, 'python.path': { value: '"/old/python"', accepted: true } };
    const { values, pending } = resolveGuarded(inspect, consent, true);
    expect(values.get('sandbox.isolation')).toBe('basic');
    expect(values.get('sandbox.approval')).toBe('never');
    // Accepted for another path: this one is asked again.
    expect(values.get('python.path')).toBe('');
    expect(pending.map((p) => p.key)).toEqual(['python.path']);
    const declined = resolveGuarded(inspect, { 'sandbox.isolation': { value: '"basic"', accepted: false } }, true);
    expect(declined.values.get('sandbox.isolation')).toBe('auto');
    expect(declined.pending.map((p) => p.key)).not.toContain('sandbox.isolation');
  });

  // A value the setting does not accept falls back to the default when settings are parsed: a
  // workspace's "tighter" 0 or -1 (or any value of the wrong type) must not replace the user's
  // tighter limit with a larger default, nor a user's invalid value let a weaker one in unasked.
  it('a workspace value the setting rejects never applies: the user value stays, nothing is asked', () => {
    const user = { 'sandbox.memoryMiB': 512, 'sandbox.timeoutSeconds': 10, 'sandbox.outputKiB': 8, 'eval.concurrency': 1, 'sandbox.approval': 'ask' };
    const workspace = { 'sandbox.memoryMiB': 0, 'sandbox.timeoutSeconds': -1, 'sandbox.outputKiB': 4.5, 'eval.concurrency': -1, 'sandbox.approval': ['never'] };
    const { values, pending, ignored } = resolveGuarded(levels(user, workspace), {}, true);
    const { settings, problems } = parseSettings((key) => values.get(key));
    expect(problems).toEqual([]);
    expect(ignored).toHaveLength(5);
    expect(ignored[0]).toMatch(/^This workspace sets "r1ci\.[\w.]+" to .+, which is not a valid value; your setting applies\.$/);
    expect(settings['sandbox.memoryMiB']).toBe(512);
    expect(settings['sandbox.timeoutSeconds']).toBe(10);
    expect(settings['sandbox.outputKiB']).toBe(8);
    expect(settings['eval.concurrency']).toBe(1);
    expect(settings['sandbox.approval']).toBe('ask');
    expect(pending).toEqual([]);
  });

  it('a user value the setting rejects counts as the default it falls back to: a weaker workspace value is asked', () => {
    const { values, pending } = resolveGuarded(levels({ 'sandbox.approval': 'Ask', 'sandbox.memoryMiB': 'lots' }, { 'sandbox.approval': 'auto', 'sandbox.memoryMiB': 4096 }), {}, true);
    const { settings, problems } = parseSettings((key) => values.get(key));
    expect(settings['sandbox.approval']).toBe('default');
    expect(settings['sandbox.memoryMiB']).toBe(SETTINGS_SPEC['sandbox.memoryMiB'].default);
    // The user's invalid values are still reported when the settings are parsed.
    expect(problems.join(' ')).toMatch(/"r1ci\.sandbox\.approval" has an invalid value "Ask"/);
    expect(pending.map((p) => p.key).sort()).toEqual(['sandbox.approval', 'sandbox.memoryMiB']);
  });

  it('in Restricted Mode no workspace value of a guarded setting is used or asked about', () => {
    const { values, pending } = resolveGuarded(levels({}, { 'sandbox.approval': 'never', 'openai.baseUrl': 'http://x/v1' }), { 'openai.baseUrl': { value: '"http://x/v1"', accepted: true } }, false);
    expect(values.get('openai.baseUrl')).toBe(SETTINGS_SPEC['openai.baseUrl'].default);
    expect(values.get('sandbox.approval')).toBe('default');
    expect(pending).toEqual([]);
  });

  it('stored answers that are not a consent store count as no answer', () => {
    expect(parseConsentStore({ 'python.path': { value: '"/x"', accepted: 'yes' } })).toEqual({});
    expect(parseConsentStore(undefined)).toEqual({});
    expect(parseConsentStore({ 'python.path': { value: '"/x"', accepted: true } })).toEqual({ 'python.path': { value: '"/x"', accepted: true } });
  });
});
