// A workspace cannot weaken the sandbox boundary behind the user's back (issue 10 item 7).
// A cloned repository's .vscode/settings.json could set the basic tier, auto approval, larger
// sandbox limits (memory, disk, file size, output, time), its own interpreter or its own model
// server. For every setting marked `guard` in settingsSpec.ts, a
// workspace (or workspace-folder) value that weakens the boundary applies only after the user
// accepted it, once per workspace and value (remembered in workspaceState, as VS Code's Python
// tooling does for interpreter paths). Until then the user's own value (or the default) applies.
// Pure logic: src/vscode/shared/settings.ts feeds it VS Code's per-level values and the remembered choices.
import { z } from 'zod';
import { guardedSettings, settingSchema, SETTINGS_SECTION, type GuardKind, type SettingKey } from './settingsSpec';

/** One guarded setting's values by level, as `WorkspaceConfiguration.inspect` gives them. */
export interface LevelValues {
  readonly defaultValue?: unknown;
  readonly globalValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
}

/** The user's remembered answer for one setting: which workspace value, and whether it was accepted. */
export interface ConsentRecord {
  /** JSON of the workspace value the answer was about; a different value is asked again. */
  readonly value: string;
  readonly accepted: boolean;
}
export type ConsentStore = Readonly<Partial<Record<SettingKey, ConsentRecord>>>;

const consentStoreSchema = z.record(z.string(), z.strictObject({ value: z.string(), accepted: z.boolean() }));

/** The stored answers, or none when what is stored is not a ConsentStore (never trusted blindly). */
export function parseConsentStore(raw: unknown): ConsentStore {
  const parsed = consentStoreSchema.safeParse(raw ?? {});
  return parsed.success ? (parsed.data as ConsentStore) : {};
}

/** A workspace value waiting for the user's answer. */
export interface PendingOverride {
  readonly key: SettingKey;
  readonly kind: GuardKind;
  readonly workspaceValue: unknown;
  readonly userValue: unknown;
}

/** The most questions "r1ci.eval.concurrency": 0 evaluates at once (an OpenAI-compatible server; runOptions.ts). */
const AUTO_CONCURRENCY_MAX = 4;

/** Weakest first: a workspace may move approval towards `never`, never towards `auto` unasked. */
const APPROVAL_STRENGTH = ['auto', 'default', 'ask', 'never'];

/** True when `workspaceValue` in place of `userValue` weakens the boundary for a setting of `kind`. */
export function weakens(kind: GuardKind, workspaceValue: unknown, userValue: unknown): boolean {
  if (JSON.stringify(workspaceValue) === JSON.stringify(userValue)) return false;
  switch (kind) {
    case 'tier':
      return workspaceValue !== 'auto';
    case 'approval':
      return APPROVAL_STRENGTH.indexOf(String(workspaceValue)) < APPROVAL_STRENGTH.indexOf(String(userValue));
    case 'limit':
      // A tighter limit only protects more; a larger one (or anything not a number) is asked.
      return !(typeof workspaceValue === 'number' && typeof userValue === 'number' && workspaceValue <= userValue);
    case 'concurrency': {
      // Sandboxes at once, each with the full limits: more of them multiply what model code may
      // take. 0 is chosen from the server kind (1 or 4): as the workspace's value it counts as the
      // most it may mean, as the user's the least.
      if (typeof workspaceValue !== 'number' || typeof userValue !== 'number') return true;
      return (workspaceValue === 0 ? AUTO_CONCURRENCY_MAX : workspaceValue) > (userValue === 0 ? 1 : userValue);
    }
    case 'interpreter':
    case 'server':
      // Another interpreter or another server is a different program to trust: always asked.
      return true;
  }
}

/**
 * The raw value to use for every guarded setting, the workspace values still to ask about, and
 * one line (`ignored`) per workspace value the setting's schema rejects. Such a value never
 * applies: parsing would replace it by the default, which may be weaker than the user's value (a
 * workspace's memory limit of 0 would undo the user's 512 MiB). Weakening is judged against the
 * user's value as it takes effect (the default when the schema rejects it). `trusted` false
 * (Restricted Mode): workspace values of guarded settings are never used or asked.
 */
export function resolveGuarded(inspect: (key: SettingKey) => LevelValues | undefined, consent: ConsentStore, trusted: boolean): { values: Map<SettingKey, unknown>; pending: PendingOverride[]; ignored: string[] } {
  const values = new Map<SettingKey, unknown>();
  const pending: PendingOverride[] = [];
  const ignored: string[] = [];
  for (const [key, kind] of guardedSettings()) {
    const levels = inspect(key);
    const valid = (value: unknown): boolean => settingSchema(key).safeParse(value).success;
    // The user's raw value stays what is handed on (parsing reports it when it is invalid).
    const userRaw = levels?.globalValue ?? levels?.defaultValue;
    const userValue = levels?.globalValue !== undefined && valid(levels.globalValue) ? levels.globalValue : levels?.defaultValue;
    let workspaceValue = levels?.workspaceFolderValue ?? levels?.workspaceValue;
    if (trusted && workspaceValue !== undefined && !valid(workspaceValue)) {
      ignored.push(`This workspace sets "${SETTINGS_SECTION}.${key}" to ${quoted(workspaceValue)}, which is not a valid value; your setting applies.`);
      workspaceValue = undefined;
    }
    if (workspaceValue === undefined || !trusted || !weakens(kind, workspaceValue, userValue)) {
      values.set(key, trusted && workspaceValue !== undefined ? workspaceValue : userRaw);
      continue;
    }
    const answer = consent[key];
    if (answer && answer.value === JSON.stringify(workspaceValue)) {
      values.set(key, answer.accepted ? workspaceValue : userRaw);
      continue;
    }
    values.set(key, userRaw);
    pending.push({ key, kind, workspaceValue, userValue });
  }
  return { values, pending, ignored };
}

/** Longest quote of an invalid workspace value in its message, in characters. */
const QUOTE_CAP = 80;

/** `value` as JSON, cut to QUOTE_CAP characters (a workspace may set a value of any size). */
function quoted(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > QUOTE_CAP ? `${json.slice(0, QUOTE_CAP - 1)}…` : json;
}

/** The question shown for one pending workspace value. */
export function consentQuestion(p: PendingOverride): string {
  const what: Record<GuardKind, string> = {
    tier: 'weakens the sandbox',
    approval: 'runs model-written code with less asking',
    limit: 'gives model-written code more than your sandbox limit',
    concurrency: 'runs more sandboxes at once than your setting, each with the full limits',
    interpreter: 'runs model-written code with another Python interpreter',
    server: 'sends your questions to another model server',
  };
  const show = (v: unknown): string => (v === '' ? '(empty)' : JSON.stringify(v));
  return `This workspace sets "${SETTINGS_SECTION}.${p.key}" to ${show(p.workspaceValue)}, which ${what[p.kind]} (your setting: ${show(p.userValue)}). Use the workspace's value?`;
}
