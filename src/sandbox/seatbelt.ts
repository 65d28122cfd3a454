// macOS: a `sandbox-exec` (Seatbelt) profile for the worker. Deny by default; the
// interpreter may run and read the system and its own files, write only under
// scratch (and its private temp folder), and nothing network-related is allowed.
// It cannot be run on Linux CI, so tests check the generated text.

export interface SeatbeltOptions {
  /** Real interpreter binary (sys.executable). */
  readonly executable: string;
  /** Folders the interpreter reads: prefixes, site-packages, the worker script's folder. */
  readonly readPaths: readonly string[];
  readonly scratchDir: string;
  /** The worker's private $HOME/TMPDIR. */
  readonly tempDir?: string;
}

/** Quotes a path for the profile language (a Scheme string literal). */
function literal(path: string): string {
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const SYSTEM_READ = ['/usr/lib', '/usr/share', '/System/Library', '/Library/Frameworks', '/private/var/db/timezone', '/dev/null', '/dev/urandom'];

export function buildSeatbeltProfile(options: SeatbeltOptions): string {
  const writable = [options.scratchDir, ...(options.tempDir ? [options.tempDir] : [])];
  const readable = [...new Set([...SYSTEM_READ, ...options.readPaths, ...writable])];
  const lines = [
    '(version 1)',
    '(deny default)',
    // Needed by every process: signals to itself, sysctl reads, Mach lookups of the dyld cache.
    '(allow process-fork)',
    '(allow signal (target same-sandbox))',
    '(allow sysctl-read)',
    `(allow process-exec (literal ${literal(options.executable)}))`,
    '(allow file-read-metadata)',
    `(allow file-read* ${readable.map((p) => `(subpath ${literal(p)})`).join(' ')})`,
    `(allow file-write* ${writable.map((p) => `(subpath ${literal(p)})`).join(' ')} (literal "/dev/null"))`,
    '(deny network*)',
  ];
  return `${lines.join('\n')}\n`;
}
