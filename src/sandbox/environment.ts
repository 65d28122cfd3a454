// The worker's environment is built from scratch: the extension host's own
// environment can hold tokens and keys, so nothing of it is passed through.

/** A minimal PATH: system binaries plus the interpreter's own folder. */
export function minimalPath(interpreterDir: string): string {
  const system = process.platform === 'darwin' ? ['/usr/bin', '/bin'] : ['/usr/local/bin', '/usr/bin', '/bin'];
  return [interpreterDir, ...system.filter((dir) => dir !== interpreterDir)].join(':');
}

export function buildSandboxEnv(options: { interpreterDir: string; home: string; tmpDir?: string }): Record<string, string> {
  const env: Record<string, string> = {
    PATH: minimalPath(options.interpreterDir),
    HOME: options.home,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    PYTHONIOENCODING: 'utf-8',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '0',
    MPLBACKEND: 'Agg',
  };
  if (options.tmpDir) env['TMPDIR'] = options.tmpDir;
  return env;
}
