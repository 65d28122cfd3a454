// Arguments of the extension's commands when a caller passes them: another extension
// (vscode.commands.executeCommand), a `command:` link in a Markdown surface, a keybinding, a
// test. None of those is the user picking a file in a dialog, so every argument that names a
// path or carries the API key is checked here with zod (an absolute path, no control
// characters, bounded; a key of printable characters) and, when valid, shown to the user for
// confirmation before the command acts on it (confirmCaller.ts). Each command's docstring says
// what it takes and why. Pure (no `vscode` import): unit-tested.
import { isAbsolute, normalize, relative, sep } from 'node:path';
import { z } from 'zod';
import { resultRecordSchema } from '../../eval/results';
import { escapeName } from '../../sandbox/terminalText';

/** Longest path a caller may pass (characters): Linux's PATH_MAX. */
const MAX_PATH_CHARS = 4096;

/** Longest API key a caller may pass (characters). */
const MAX_KEY_CHARS = 4096;

/** C0/C1 controls, DEL, line and paragraph separators and bidi overrides: never in a path or key a caller passes. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * A path passed by a caller: absolute, without control characters, at most MAX_PATH_CHARS;
 * given normalised (no `.` or `..` segments, no doubled separators), so that the path the user
 * is asked about (callerConfirmationText) is the one the command acts on.
 */
export const callerPathSchema = z
  .string()
  .min(1, 'is empty')
  .max(MAX_PATH_CHARS, `is longer than ${MAX_PATH_CHARS} characters`)
  .refine((p) => !CONTROL.test(p), 'holds control characters')
  .refine((p) => isAbsolute(p), 'is not an absolute path')
  .transform((p) => normalize(p));

/** Longest path shown in a confirmation (characters); a longer one keeps its start and its end, the middle elided. */
const MAX_SHOWN_PATH_CHARS = 300;

/** `path` within MAX_SHOWN_PATH_CHARS: its first third and its end (the file's name, where it goes), joined by "…". */
function shownPath(path: string): string {
  if (path.length <= MAX_SHOWN_PATH_CHARS) return path;
  const head = Math.floor(MAX_SHOWN_PATH_CHARS / 3);
  return `${path.slice(0, head)}…${path.slice(path.length - (MAX_SHOWN_PATH_CHARS - head - 1))}`;
}

/** An API key passed by a caller: printable, at most MAX_KEY_CHARS; empty (after trimming) deletes the stored key. */
export const callerApiKeySchema = z
  .string()
  .max(MAX_KEY_CHARS, `is longer than ${MAX_KEY_CHARS} characters`)
  .refine((k) => !CONTROL.test(k.trim()), 'holds control characters');

/** r1ci.eval.run's argument object (every field optional but the target). */
export const evalRunArgsSchema = z.strictObject({
  target: callerPathSchema,
  textOnly: z.boolean().optional(),
  resultsFile: callerPathSchema.optional(),
  concurrency: z.number().int().min(1).optional(),
  /** Times each question is asked (default: the "r1ci.eval.samples" setting). */
  samples: z.number().int().min(1).optional(),
  model: z.string().optional(),
  resume: z.boolean().optional(),
  /** Open the results view at the end (default true). */
  showResults: z.boolean().optional(),
});
export type EvalRunArgs = z.infer<typeof evalRunArgsSchema>;

/** r1ci.showTrajectory's argument: a stored result, or a results file and a question id. */
export const showTrajectoryArgsSchema = z.union([z.strictObject({ resultsFile: callerPathSchema, id: z.string().min(1) }), resultRecordSchema]);

/** r1ci.eval.exportResults' arguments: the format and, optionally, where to write. */
export const exportResultsArgsSchema = z.tuple([z.enum(['markdown', 'csv']), callerPathSchema.optional()]);

/** r1ci.eval.exportSft's arguments: the results file and, optionally, where to write. */
export const exportSftArgsSchema = z.tuple([callerPathSchema, callerPathSchema.optional()]);

/** The arguments of a command, checked: the value, or a one-line reason naming `command` (escaped, capped). */
export type CallerArgs<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/**
 * `raw` (what a caller passed to `command`) checked with `schema`. A failure is a message for a
 * notification: `r1ci.eval.run: target is not an absolute path`, the first issue with its
 * field, every control character escaped, at most 300 characters. Never throws.
 */
export function readCallerArgs<T>(command: string, schema: z.ZodType<T>, raw: unknown): CallerArgs<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')} ` : 'its argument ';
  const text = escapeName(`${command}: ${where}${issue?.message ?? 'is not valid'}`);
  return { ok: false, message: text.length > 300 ? `${text.slice(0, 299)}…` : text };
}

/**
 * The question put to the user before `command` acts on what a caller passed: `action` (what
 * it will do, "write the SFT export to") and the paths, each escaped and on its own line; a long
 * path keeps its end (shownPath), since that is where the command reads or writes.
 */
export function callerConfirmationText(command: string, action: string, paths: readonly string[]): string {
  const shown = paths.map((p) => `\n${escapeName(shownPath(p))}`).join('');
  return `Another extension or a link ran ${command}, asking to ${action}:${shown}\n\nAllow it?`;
}

/** True when `path` is `folder` or lies inside it (both absolute and normalised; by name: a link is not followed). */
function isWithin(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * A file Uri a caller passed to `command` (`scheme` and `fsPath` of a vscode.Uri), checked as a
 * path is (callerPathSchema: absolute, no control characters, normalised), and whether the user
 * must confirm it. VS Code passes the clicked Uri to an explorer context-menu command, but
 * another extension can pass the very same arguments, so the two cannot be told apart: a Uri
 * inside one of `workspaceFolders` (absolute paths; where every explorer click lies) is used
 * without asking, one outside is confirmed like a string path. `own` (a Uri our own code made,
 * e.g. the results view's Compare button) is never asked about. A scheme other than `file` is
 * refused (the commands read local files). Never throws.
 */
export function readCallerUri(
  command: string,
  uri: { readonly scheme: string; readonly fsPath: string },
  own: boolean,
  workspaceFolders: readonly string[],
): CallerArgs<{ readonly path: string; readonly confirm: boolean }> {
  if (uri.scheme !== 'file') return { ok: false, message: escapeName(`${command}: its argument is not a file on this machine (a ${uri.scheme.slice(0, 40)}: Uri)`) };
  const path = readCallerArgs(command, callerPathSchema, uri.fsPath);
  if (!path.ok) return path;
  const inside = workspaceFolders.some((folder) => isWithin(path.value, normalize(folder)));
  return { ok: true, value: { path: path.value, confirm: !own && !inside } };
}
