// What a failed file operation means, in words for people instead of Node's
// "ENOENT: no such file or directory, realpath '/x'" (the path is said by the caller).

const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  EDQUOT: 'the disk quota is used up',
  EEXIST: 'a file of that name is already there',
  EMFILE: 'too many open files',
};

/** What was being done, by Node's `syscall` name, for "cannot <verb> <path>". */
const VERBS: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the folder',
  access: 'write in',
  scandir: 'list the folder',
  opendir: 'list the folder',
  stat: 'look at',
  lstat: 'look at',
  realpath: 'look at',
  copyfile: 'copy to',
  rename: 'rename',
  unlink: 'remove',
  rmdir: 'remove',
};

/**
 * The errno code of a Node system error (`"ENOENT"`, `"EACCES"` …): its `code` property as a
 * string, or undefined when `error` has none. Never throws.
 */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/**
 * `error` as a short phrase: the meaning of its errno code where it is a common one (ENOENT,
 * EISDIR, EACCES …), else its own message. Never throws.
 */
export function fileErrorText(error: unknown): string {
  const code = errnoCode(error);
  if (code !== undefined && WORDS[code] !== undefined) return WORDS[code];
  return error instanceof Error ? error.message : String(error);
}

/**
 * A Node file-system error (one with `code` and `path`, e.g. `ENOENT: no such file or directory,
 * open '/x/y'`) as a sentence naming the path: "cannot open /x/y: no such file or folder".
 * Undefined for any other error (the caller keeps its message). Never throws.
 */
export function fileErrorSentence(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('path' in error) || typeof error.path !== 'string' || errnoCode(error) === undefined) return undefined;
  const syscall = 'syscall' in error && typeof error.syscall === 'string' ? error.syscall : '';
  return `cannot ${VERBS[syscall] ?? 'use'} ${error.path}: ${fileErrorText(error)}`;
}
