// Commands that act on a path or set the API key, run with arguments by another extension or a
// `command:` link: the arguments are checked with zod before the user is asked to allow them
// (src/vscode/shared/commandArgs.ts; the asking is confirmCaller.ts). Before, a relative path,
// a path with a newline, a number or a key with escape sequences went straight to the file
// system or the secret store, and no one was asked.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  callerApiKeySchema,
  callerConfirmationText,
  callerPathSchema,
  evalRunArgsSchema,
  exportResultsArgsSchema,
  exportSftArgsSchema,
  readCallerArgs,
  readCallerUri,
  showTrajectoryArgsSchema,
} from '../../../../src/vscode/shared/commandArgs';
import { aResult } from '../../../support/resultRecords';

/** Raw control characters and line breaks other than the ones the text itself puts. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

describe('paths and keys a caller passes to a command', () => {
  it.each([
    ['a relative path', 'results.jsonl', 'is not an absolute path'],
    ['an empty path', '', 'is empty'],
    ['a path with a newline', '/tmp/a\nb', 'holds control characters'],
    ['a path with an escape sequence', '/tmp/\u001b]8;;x\u0007', 'holds control characters'],
    ['a path with a bidi override', '/tmp/\u202egpj.exe', 'holds control characters'],
    ['a path too long', `/${'a'.repeat(5000)}`, 'is longer than 4096 characters'],
    ['a number', 7, 'expected string'],
  ])('%s is refused with a one-line reason naming the command', (_name, raw, reason) => {
    const read = readCallerArgs('r1ci.eval.openResults', callerPathSchema, raw);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.message).toMatch(/^r1ci\.eval\.openResults: its argument /);
    expect(read.message.toLowerCase()).toContain(reason.toLowerCase());
    expect(read.message).not.toMatch(RAW);
    expect(read.message).not.toContain('\n');
    expect(read.message.length).toBeLessThanOrEqual(300);
  });

  it('an absolute path passes as it is', () => {
    expect(readCallerArgs('r1ci.eval.openResults', callerPathSchema, '/work/run.results.jsonl')).toEqual({ ok: true, value: '/work/run.results.jsonl' });
  });

  it('r1ci.eval.run: the target and results file must be absolute paths; unknown fields are refused', () => {
    expect(evalRunArgsSchema.safeParse({ target: '/tasks', resultsFile: '/tmp/r.jsonl', textOnly: true }).success).toBe(true);
    const relative = readCallerArgs('r1ci.eval.run', evalRunArgsSchema, { target: '/tasks', resultsFile: 'r.jsonl' });
    expect(relative).toEqual({ ok: false, message: 'r1ci.eval.run: resultsFile is not an absolute path' });
    expect(readCallerArgs('r1ci.eval.run', evalRunArgsSchema, { target: 'tasks' }).ok).toBe(false);
    expect(readCallerArgs('r1ci.eval.run', evalRunArgsSchema, { target: '/tasks', python: '/tmp/evil' }).ok).toBe(false);
  });

  it('r1ci.eval.exportSft and exportResults: absolute paths, a known format', () => {
    expect(exportSftArgsSchema.safeParse(['/r.jsonl', '/sft.jsonl']).success).toBe(true);
    expect(exportSftArgsSchema.safeParse(['/r.jsonl', undefined]).success).toBe(true);
    expect(exportSftArgsSchema.safeParse(['/r.jsonl', '../../.bashrc']).success).toBe(false);
    expect(exportSftArgsSchema.safeParse([undefined, '/sft.jsonl']).success).toBe(false);
    expect(exportResultsArgsSchema.safeParse(['csv', '/t.csv']).success).toBe(true);
    expect(exportResultsArgsSchema.safeParse(['html', '/t.html']).success).toBe(false);
    expect(exportResultsArgsSchema.safeParse(['markdown', 'notes.md']).success).toBe(false);
  });

  it('r1ci.showTrajectory: a stored result, or an absolute results file and an id', () => {
    expect(showTrajectoryArgsSchema.safeParse(aResult('q1')).success).toBe(true);
    expect(showTrajectoryArgsSchema.safeParse({ resultsFile: '/r.jsonl', id: 'q1' }).success).toBe(true);
    expect(showTrajectoryArgsSchema.safeParse({ resultsFile: 'r.jsonl', id: 'q1' }).success).toBe(false);
  });

  it('r1ci.setApiKey: a printable key (empty deletes), never one with control characters', () => {
    expect(callerApiKeySchema.safeParse('sk-abc123').success).toBe(true);
    expect(callerApiKeySchema.safeParse('').success).toBe(true);
    expect(callerApiKeySchema.safeParse('sk-\u001b[2J').success).toBe(false);
    expect(callerApiKeySchema.safeParse('sk-a\nb').success).toBe(false);
    expect(callerApiKeySchema.safeParse({ key: 'sk' }).success).toBe(false);
    expect(callerApiKeySchema.safeParse('k'.repeat(5000)).success).toBe(false);
  });

  it('the question to the user shows the command and every path, escaped', () => {
    const text = callerConfirmationText('r1ci.eval.exportSft', 'write the SFT export to', ['/tmp/a\u001b[2J', '/tmp/b']);
    expect(text).toContain('r1ci.eval.exportSft');
    expect(text).toContain('/tmp/b');
    expect(text).not.toMatch(RAW);
  });

  it('the question shows where a long path with `.` and `..` segments really goes (not a prefix that hides it)', () => {
    // The write goes to ~/.bashrc; cut at 300 characters, the question showed only "/home/u/results/./././…".
    const raw = `/home/u/results/${'./'.repeat(200)}../../.bashrc`;
    const parsed = exportSftArgsSchema.safeParse(['/home/u/results/run.jsonl', raw]);
    expect(parsed.success).toBe(true);
    const to = parsed.success ? parsed.data[1] : undefined;
    expect(to).toBe('/home/.bashrc');
    expect(callerConfirmationText('r1ci.eval.exportSft', 'write the SFT export to', [to ?? ''])).toContain('/home/.bashrc');
    // A long path that is long for real keeps its end: the file it reads or writes.
    const long = `/data/${'d'.repeat(400)}/secret.jsonl`;
    expect(callerConfirmationText('r1ci.eval.exportSft', 'write the SFT export to', [long])).toContain('/secret.jsonl');
  });
});

describe('a file Uri a caller passes (openResults, compareResults, addToTesting, eval.run)', () => {
  const folders = ['/home/me/project', '/data/tasks/'];
  const file = (fsPath: string): { scheme: string; fsPath: string } => ({ scheme: 'file', fsPath });

  it('inside a workspace folder (every explorer click) is used without asking; outside is confirmed like a string path', () => {
    expect(readCallerUri('r1ci.eval.openResults', file('/home/me/project/runs/a.results.jsonl'), false, folders)).toEqual({ ok: true, value: { path: '/home/me/project/runs/a.results.jsonl', confirm: false } });
    expect(readCallerUri('r1ci.eval.addToTesting', file('/data/tasks'), false, folders)).toEqual({ ok: true, value: { path: '/data/tasks', confirm: false } });
    for (const outside of ['/home/me/other/a.jsonl', '/home/me/project-b/a.jsonl', '/etc/passwd', '/home/me']) {
      expect(readCallerUri('r1ci.eval.openResults', file(outside), false, folders)).toEqual({ ok: true, value: { path: outside, confirm: true } });
    }
    // Without a workspace every Uri is asked about; our own (the results view's Compare button) never.
    expect(readCallerUri('r1ci.eval.compareResults', file('/tmp/a.jsonl'), false, [])).toMatchObject({ ok: true, value: { confirm: true } });
    expect(readCallerUri('r1ci.eval.compareResults', file('/tmp/a.jsonl'), true, [])).toMatchObject({ ok: true, value: { confirm: false } });
  });

  it('is normalised first: ".." cannot climb out of a workspace folder unasked', () => {
    expect(readCallerUri('r1ci.eval.openResults', file('/home/me/project/../../../etc/shadow'), false, folders)).toEqual({ ok: true, value: { path: '/etc/shadow', confirm: true } });
    expect(readCallerUri('r1ci.eval.openResults', file('/home/me/project//runs/./a.jsonl'), false, folders)).toEqual({ ok: true, value: { path: '/home/me/project/runs/a.jsonl', confirm: false } });
  });

  it('is refused when not a local file or not a valid path, with a message naming the command', () => {
    expect(readCallerUri('r1ci.eval.openResults', { scheme: 'https', fsPath: '/x' }, false, folders)).toEqual({ ok: false, message: 'r1ci.eval.openResults: its argument is not a file on this machine (a https: Uri)' });
    const bad = readCallerUri('r1ci.eval.openResults', file('/home/me/project/a\nb.jsonl'), false, folders);
    expect(bad).toEqual({ ok: false, message: 'r1ci.eval.openResults: its argument holds control characters' });
  });

  it("no command of the extension takes a Uri's fsPath unchecked", () => {
    const dir = join('src', 'vscode');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const unchecked = files.filter((f) => /instanceof vscode\.Uri \?[^:]*\.fsPath/.test(readFileSync(join(dir, f), 'utf8')));
    expect(unchecked).toEqual([]);
  });
});
