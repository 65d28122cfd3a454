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
};

/**
 * `error` as a short phrase: the meaning of its errno code where it is a common one (ENOENT,
 * EISDIR, EACCES …), else its own message. Never throws.
 */
export function fileErrorText(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  if (code !== undefined && WORDS[code] !== undefined) return WORDS[code];
  return error instanceof Error ? error.message : String(error);
}
