// What a new user meets trying the CLI from the README: the CLI bundled as the build bundles it,
// spawned as its own process against the scripted model server over HTTP, real Python in the
// sandbox. --json keeps stdout to JSON; advice names flags, not VS Code settings; numeric flags
// are strict and usage errors name the flag; SIGTERM and SIGHUP clean up like Ctrl-C; chat
// answers its own commands; the files a cell wrote are listed and can be kept.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONVERSATION_SCENARIOS, SET_X, SLEEP } from '../../support/conversationScenarios';
import { eventually, PATIENCE_MS } from '../../support/processTree';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { bundleCli } from '../../support/builtCli';

const ARTIFACT = 'Write a result file.';
const CUT_OFF = 'Give a long answer.';

let dir = '';
let cli = '';
let server: ScriptedServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r1ci-first-run-'));
  cli = join(dir, 'cli.js');
  await bundleCli(cli);
  server = await startScriptedServer({
    scenarios: [
      ...CONVERSATION_SCENARIOS,
      {
        id: 'artifact',
        match: { contains: ARTIFACT },
        // A sub-folder and a name with an escape sequence: kept as one plain, escaped entry.
        turns: [
          { text: 'Writing.\n\n```python\nimport os\nos.makedirs("out", exist_ok=True)\nopen("out/result.txt", "w").write("12345")\nopen("a\\x1b[2Jb.txt", "w").write("x")\nprint("written")\n```\n' },
          { text: '<<<written>>>' },
        ],
      },
      { id: 'cut-off', match: { contains: CUT_OFF }, turns: [{ text: 'This reply goes on and on', doneReason: 'length' }] },
    ],
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A spawned `r1ci`, its own TMPDIR (to see what it leaves there), with helpers to type and wait. */
class CliProcess {
  stdout = '';
  stderr = '';
  readonly tmp: string;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: readonly string[]) {
    this.tmp = mkdtempSync(join(dir, 'tmp-'));
    this.child = spawn(process.execPath, [cli, ...args], {
      cwd: dir,
      env: { ...process.env, TMPDIR: this.tmp, R1CI_RESOURCES_DIR: resolve('resources'), NO_COLOR: '1' },
    });
    this.child.stdout.on('data', (b: Buffer) => (this.stdout += b.toString()));
    this.child.stderr.on('data', (b: Buffer) => (this.stderr += b.toString()));
    this.exited = new Promise((done) => this.child.on('exit', (code) => done(code)));
  }

  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  end(): void {
    this.child.stdin.end();
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Closes our end of its stdout, as `head` does once it has read enough. */
  closeStdout(): void {
    this.child.stdout.destroy();
  }

  /** Waits until stdout or stderr holds `text`. */
  async waitFor(text: string, timeoutMs = PATIENCE_MS): Promise<void> {
    const seen = await eventually(() => this.stdout.includes(text) || this.stderr.includes(text), timeoutMs, 50);
    if (!seen) throw new Error(`"${text}" never appeared.\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
  }

  /** What the run left in its TMPDIR. */
  leftInTmp(): string[] {
    return readdirSync(this.tmp);
  }
}

const MODEL = ['--base-url', '', '--model', 'qwen2.5-coder:7b', '--protocol', 'r1ci'];
/** Model flags for the scripted server (its URL is known only once it runs). */
const model = (): string[] => MODEL.map((a) => (a === '' ? server.url : a));

async function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string; left: string[] }> {
  const p = new CliProcess(args);
  p.end();
  const code = await p.exited;
  return { code, stdout: p.stdout, stderr: p.stderr, left: p.leftInTmp() };
}

describe('r1ci --json: stdout holds only JSON', () => {
  it('chat --json: the banner, /help and notices go to stderr; every stdout line is one trajectory', async () => {
    const before = server.chatRequests().length;
    const chat = new CliProcess(['chat', ...model(), '--allow-unisolated', '--json']);
    chat.type('/help');
    chat.type(SET_X);
    chat.type('/exit');
    expect(await chat.exited).toBe(0);
    const lines = chat.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect((JSON.parse(lines[0] ?? '') as { answer: string }).answer).toBe('set');
    expect(chat.stderr).toContain('r1ci chat · model qwen2.5-coder:7b');
    expect(chat.stderr).toContain('/reset');
    // /help was answered locally: only SET_X's two turns reached the server.
    expect(server.chatRequests().length - before).toBe(2);
  });

  it('solve --json: stdout is one JSON document, the tier line on stderr', async () => {
    const r = await run(['solve', SET_X, ...model(), '--allow-unisolated', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { answer: string }).answer).toBe('set');
    expect(r.stderr).toContain('sandbox tier:');
  });

  // A server answering an error that is not JSON (here: the scripted server's plain-text 404 for
  // an Ollama path under /v1, as a proxy or a wrong URL gives) made the ollama client console.log
  // a line of its own onto stdout, ahead of the JSON document and into the MCP stream.
  it('solve --json: a plain-text error from the server leaves stdout clean (the server is checked before the run)', async () => {
    const r = await run(['solve', SET_X, '--host', `${server.url}/v1`, '--allow-unisolated', '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('is not an Ollama server');
  });

  it('mcp: a plain-text error from the server keeps every stdout line a JSON-RPC message', async () => {
    const mcp = new CliProcess(['mcp', '--host', `${server.url}/v1`]);
    mcp.type(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'test', version: '1' } } }));
    mcp.type(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    mcp.type(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'solve', arguments: { question: SET_X } } }));
    await mcp.waitFor('"id":2');
    mcp.end();
    await mcp.exited;
    const lines = mcp.stdout.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect((JSON.parse(line) as { jsonrpc: string }).jsonrpc).toBe('2.0');
    expect(mcp.stdout).toContain('is not an Ollama server');
  });
});

describe('advice names the CLI flag, not a VS Code setting', () => {
  it.each([['solve'], ['chat'], ['eval']])('%s --python /nonexistent/python says --python PATH', async (command) => {
    const tasks = join(dir, 'one.tasks.jsonl');
    writeFileSync(tasks, `${JSON.stringify({ id: 'q1', question: SET_X, answer: 'set' })}\n`);
    const args = command === 'solve' ? ['solve', SET_X] : command === 'chat' ? ['chat'] : ['eval', tasks, '--out', join(dir, `py-${Date.now()}.jsonl`)];
    const r = await run([...args, ...model(), '--allow-unisolated', '--python', '/nonexistent/python']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No usable Python 3 interpreter');
    expect(r.stderr).toContain('Install Python 3 or set --python PATH.');
    expect(r.stderr).not.toMatch(/setting/i);
    expect(r.left).toEqual([]);
  });
});

describe('--keep-artifacts at something that is not a folder, or cannot be made', () => {
  it.each([['solve'], ['chat']] as const)('%s: a usage error before anything runs, nothing left', async (command) => {
    const file = join(dir, `not-a-folder-${command}.txt`);
    writeFileSync(file, 'mine\n');
    const before = server.requests.length;
    const r = await run([...(command === 'solve' ? ['solve', ARTIFACT] : ['chat']), ...model(), '--allow-unisolated', '--keep-artifacts', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`r1ci: --keep-artifacts ${file} exists and is not a folder.`);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    expect(server.requests.length).toBe(before);
    expect(r.left).toEqual([]);
  });

  it.each([['solve'], ['chat']] as const)('%s: a DIR that cannot be made is refused before the model is asked, not at the first artifact', async (command) => {
    // Not even root can make a folder in /sys (EPERM): before, this was found at the first artifact, as a warning after the run.
    const keep = join('/sys', `r1ci-kept-${command}`);
    const before = server.requests.length;
    const r = await run([...(command === 'solve' ? ['solve', ARTIFACT] : ['chat']), ...model(), '--allow-unisolated', '--keep-artifacts', keep]);
    // A usage error (exit 2), as a DIR that is a file and an --out that cannot be written: nothing ran, the command line must change.
    expect(r.code).toBe(2);
    // Said in words, with the flag, before the sandbox or the model: nothing else on either stream.
    expect(r.stderr.startsWith(`r1ci: --keep-artifacts ${keep}: `)).toBe(true);
    expect(r.stderr).toMatch(/: [^\n]*; nothing was run\.\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stdout).toBe('');
    expect(server.requests.length).toBe(before);
    expect(r.left).toEqual([]);
  });
});

describe('the server URL and the server are checked before the sandbox starts', () => {
  it.each([['solve'], ['chat'], ['mcp']] as const)('%s: a server URL of another scheme is a usage error, nothing started or asked', async (command) => {
    const before = server.requests.length;
    const args = command === 'solve' ? ['solve', SET_X] : [command];
    for (const url of ['ftp://example.com', 'file:///tmp/x']) {
      const r = await run([...args, '--host', url]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^r1ci: --host must be an http:\/\/ or https:\/\/ URL [^\n]*\n$/);
      expect(r.stdout).toBe('');
      expect(r.left).toEqual([]);
    }
    expect(server.requests.length).toBe(before);
  });

  it.each([['solve'], ['chat']] as const)('%s: a server that is not there is said alone, before the sandbox tier line', async (command) => {
    const r = await run([...(command === 'solve' ? ['solve', SET_X] : ['chat']), '--host', 'http://127.0.0.1:9', '--allow-unisolated']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('r1ci: No Ollama server at http://127.0.0.1:9 — start it with `ollama serve`, or set --host URL (or the OLLAMA_HOST environment variable).\n');
    expect(r.stdout).toBe('');
    expect(r.left).toEqual([]);
  });

  it.each([['solve'], ['chat']] as const)('%s: a model the server lacks is said before the sandbox starts', async (command) => {
    const r = await run([...(command === 'solve' ? ['solve', SET_X] : ['chat']), '--host', server.url, '--model', 'no-such-model:1b', '--allow-unisolated']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no-such-model:1b');
    expect(r.stderr).not.toContain('sandbox tier');
    expect(r.left).toEqual([]);
  });
});

describe('flags: strict numbers, usage errors that name the flag (exit 2)', () => {
  it.each([
    [['--disk-mib', '0x10'], 'r1ci: --disk-mib must be a whole number from 1 to 1048576 MiB (got "0x10").'],
    [['--file-size-mib', '1e3'], 'r1ci: --file-size-mib must be a whole number from 1 to 1048576 MiB (got "1e3").'],
    [['--timeout', ' 16'], 'r1ci: --timeout must be a whole number'],
    [['--memory-mib', '-5'], 'r1ci: --memory-mib must be a whole number from 64 to 1048576 MiB (got "-5").'],
    [['--seed', '-1'], 'r1ci: --seed must be a whole number from 0 to 9007199254740991 (got "-1").'],
    // A whole number past 2^53 − 1 is refused by the schema: the message gives that bound, not "≥ 0".
    [['--seed', '9007199254740992'], 'r1ci: --seed must be a whole number from 0 to 9007199254740991 (got "9007199254740992").'],
    [['--bogus'], 'r1ci: unknown option --bogus (r1ci solve --help lists the options).'],
    // A slip of a real option names it; --bogus above is near none.
    [['--max-code-call', '3'], 'r1ci: unknown option --max-code-call: did you mean --max-code-calls? (r1ci solve --help lists the options).'],
    [['--temprature', '0.5'], 'r1ci: unknown option --temprature: did you mean --temperature? (r1ci solve --help lists the options).'],
    [['--model'], 'r1ci: --model needs a value (r1ci solve --help lists the options).'],
    [['--model='], 'r1ci: --model must be a non-empty string (got "").'],
    [['--json=yes'], 'r1ci: --json takes no value (r1ci solve --help lists the options).'],
    // node names an option with a short form as '-h, --help': the long one is named (was "-h,").
    [['--help=yes'], 'r1ci: --help takes no value (r1ci solve --help lists the options).'],
  ])('solve %j', async (flags, message) => {
    const before = server.requests.length;
    const r = await run(['solve', 'a question', '--base-url', server.url, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(message)).toBe(true);
    // Balanced quotes: node's own "place it … after '--', as in '-- \"--bogus\"" is not shown.
    expect((r.stderr.match(/"/g) ?? []).length % 2).toBe(0);
    expect(server.requests.length).toBe(before);
  });

  it('a question or path that starts with "-" is said to go after --, not called an unknown option; after -- it is asked', async () => {
    for (const [args, text, command] of [
      [['solve', '-5 plus 3: what is it?', '--base-url', server.url], '-5 plus 3: what is it?', 'solve'],
      [['solve', '--base-url', server.url, '-.5'], '-.5', 'solve'],
      [['solve', '- 5 apples minus 2', '--base-url', server.url], '- 5 apples minus 2', 'solve'],
      [['eval', '-my tasks', '--base-url', server.url], '-my tasks', 'eval'],
    ] as const) {
      const before = server.requests.length;
      const r = await run(args);
      expect([r.code, r.stderr]).toEqual([2, `r1ci: "${text}" starts with "-", so it was read as an option: put it after -- (r1ci ${command} [options] -- "${text}").\n`]);
      expect(server.requests.length).toBe(before);
    }
    // A mistyped short option stays an unknown option; chat and mcp take no argument, so no "--" is offered.
    expect((await run(['solve', 'q', '-x'])).stderr).toBe('r1ci: unknown option -x (r1ci solve --help lists the options).\n');
    expect((await run(['mcp', '-5'])).stderr).toBe('r1ci: unknown option -5 (r1ci mcp --help lists the options).\n');
    const asked = await run(['solve', '--base-url', server.url, '--text-only', '--', '-5 plus 3: what is it?']);
    expect(asked.code).not.toBe(2);
    expect(server.chatRequests().some((q) => JSON.stringify(q.body).includes('-5 plus 3: what is it?'))).toBe(true);
  });

  it('mcp --max-sessions is strict too', async () => {
    const r = await run(['mcp', '--max-sessions', '0x4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('r1ci: --max-sessions must be a whole number ≥ 1 (got "0x4").');
  });

  // A timer over 2^31 - 1 ms (24.8 days) fires at once in Node: --idle-seconds 3000000 ended every
  // session 1 ms after its cell, its variables with it, the opposite of what was asked.
  it('mcp --idle-seconds beyond what a timer holds is refused, naming the largest', async () => {
    const r = await run(['mcp', '--idle-seconds', '3000000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('r1ci: --idle-seconds must be a whole number from 1 to 2147483 (got "3000000").');
  });
});

describe('SIGTERM and SIGHUP stop cleanly, as Ctrl-C does', () => {
  it.each([
    ['solve', 'SIGTERM', 143],
    ['solve', 'SIGHUP', 129],
    ['chat', 'SIGTERM', 143],
    ['chat', 'SIGHUP', 129],
    ['eval', 'SIGTERM', 143],
  ] as const)('%s stopped by %s: exit %i, no scratch folder left', async (command, signal, code) => {
    const tasks = join(dir, 'sleep.tasks.jsonl');
    writeFileSync(tasks, `${JSON.stringify({ id: 'sleep', question: SLEEP, answer: 'woke' })}\n`);
    const args = command === 'solve' ? ['solve', SLEEP] : command === 'chat' ? ['chat'] : ['eval', tasks, '--out', join(dir, `sleep-${signal}-${Date.now()}.jsonl`)];
    const asked = (): number => server.chatRequests().filter((r) => JSON.stringify(r.body).includes(SLEEP)).length;
    const before = asked();
    const p = new CliProcess([...args, ...model(), '--allow-unisolated']);
    if (command === 'chat') p.type(SLEEP);
    // The cell is running (solve and chat print its output; eval's scratch folder holds its runner).
    if (command === 'eval') expect(await eventually(() => asked() > before)).toBe(true);
    else await p.waitFor('sleeping');
    expect(p.leftInTmp().some((name) => name.startsWith(`r1ci-${command}-`))).toBe(true);
    p.kill(signal);
    expect(await p.exited, p.stderr).toBe(code);
    expect(p.leftInTmp()).toEqual([]);
    // Nothing finished: no table of zeros.
    if (command === 'eval') expect(p.stdout).toContain('No question has finished yet, so there is nothing to summarize.');
    if (command === 'eval') expect(p.stdout).not.toContain('| Task |');
  });
});

describe('Ctrl-C while the sandbox is still starting', () => {
  // The interpreter check at start-up (cached for the process) had no way to be stopped: Ctrl-C
  // waited for its time limit, and what the interpreter (a shim) had started outlived the CLI.
  it.each([['solve'], ['chat'], ['eval']] as const)('%s: exit 130 and "cancelled", not a failure of the interpreter or sandbox (exit 1), nothing left behind', async (command) => {
    // An interpreter that is slow to answer its first call (a shim whose own child holds its
    // output, and ignores SIGTERM as a tool may): the sandbox is starting when Ctrl-C comes.
    const pidFile = join(dir, `slow-python-${command}.pid`);
    const script = join(dir, `slow-python-${command}.sh`);
    writeFileSync(script, `#!/bin/sh\nsh -c 'trap "" TERM; while :; do sleep 1; done' &\necho $! > '${pidFile}'\nwait\nexec python3 "$@"\n`, { mode: 0o755 });
    const tasks = join(dir, 'slow-start.tasks.jsonl');
    writeFileSync(tasks, `${JSON.stringify({ id: 'set', question: SET_X, answer: 'set' })}\n`);
    const args = command === 'solve' ? ['solve', SET_X] : command === 'chat' ? ['chat'] : ['eval', tasks, '--out', join(dir, `slow-start-${Date.now()}.jsonl`)];
    const p = new CliProcess([...args, ...model(), '--isolation', 'basic', '--allow-unisolated', '--python', script]);
    p.end();
    expect(await eventually(() => readdirSync(dir).includes(`slow-python-${command}.pid`) && readFileSync(pidFile, 'utf8').endsWith('\n'))).toBe(true);
    const shimChild = Number(readFileSync(pidFile, 'utf8'));
    try {
      p.kill('SIGINT');
      expect(await p.exited).toBe(130);
      expect(p.stderr).toMatch(command === 'chat' ? /^$/ : command === 'eval' ? /^r1ci: cancelled before the first question\.\n$/ : /^r1ci: cancelled\.\n$/);
      expect(p.leftInTmp()).toEqual([]);
      expect(await eventually(() => !isRunning(shimChild))).toBe(true);
    } finally {
      if (isRunning(shimChild)) process.kill(shimChild, 'SIGKILL');
    }
  });
});

/** True while `pid` is a live process (not a zombie waiting to be reaped). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

describe('a reader of stdout that goes away (`| head`, a pager quit early) stops the command as SIGPIPE would, cleanly', () => {
  it.each([['solve'], ['chat'], ['eval']] as const)('%s: exit 141, no stack trace, no scratch folder left', async (command) => {
    const tasks = join(dir, 'artifact.tasks.jsonl');
    writeFileSync(tasks, `${JSON.stringify({ id: 'a', question: ARTIFACT, answer: 'written' })}\n${JSON.stringify({ id: 'b', question: ARTIFACT, answer: 'written' })}\n`);
    const args = command === 'solve' ? ['solve', ARTIFACT] : command === 'chat' ? ['chat'] : ['eval', tasks, '--out', join(dir, `pipe-${Date.now()}.jsonl`)];
    const p = new CliProcess([...args, ...model(), '--allow-unisolated']);
    // The reader is gone before the command's first line of output.
    p.closeStdout();
    if (command === 'chat') p.type(ARTIFACT);
    expect(await p.exited, p.stderr).toBe(141);
    expect(p.stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    expect(p.leftInTmp()).toEqual([]);
  });
});

describe('r1ci chat: its own commands are answered locally', () => {
  it('/help lists the commands and an unknown /word is not sent; "/path …" is a question', async () => {
    const before = server.chatRequests().length;
    // Without --protocol: with --text-only it is refused (no code is run, so it would be ignored).
    const chat = new CliProcess(['chat', ...model().slice(0, 4), '--text-only']);
    chat.type('/help');
    await chat.waitFor('/help                   list these commands');
    chat.type('/plot');
    await chat.waitFor('Unknown command /plot; it was not sent to the model.');
    expect(server.chatRequests().length).toBe(before);
    chat.type(`/${SET_X}`);
    await chat.waitFor('1 model turn:');
    expect(server.chatRequests().length).toBeGreaterThan(before);
    chat.end();
    expect(await chat.exited).toBe(0);
    expect(chat.stdout).toContain('/reset');
    expect(chat.stdout).toContain('/exit');
  });
});

describe('the files a cell wrote', () => {
  it('solve lists each artifact (escaped) with its size, and --keep-artifacts copies the host-private copies into DIR', async () => {
    const keep = join(dir, 'kept');
    mkdirSync(keep);
    // A name already taken in DIR is not replaced.
    writeFileSync(join(keep, 'cell1-out_result.txt'), 'mine');
    const r = await run(['solve', ARTIFACT, ...model(), '--allow-unisolated', '--keep-artifacts', keep]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('file: out/result.txt (5 bytes)');
    expect(r.stdout).toContain('file: a\\x1b[2Jb.txt (1 byte');
    expect(r.stdout).not.toContain('\x1b');
    expect(readFileSync(join(keep, 'cell1-out_result.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(keep, 'cell1-out_result-2.txt'), 'utf8')).toBe('12345');
    expect(readFileSync(join(keep, 'cell1-a__2Jb.txt'), 'utf8')).toBe('x');
    expect(r.stderr).toContain(`kept out/result.txt → ${join(keep, 'cell1-out_result-2.txt')}`);
    expect(r.left).toEqual([]);
  });
});

describe('wording', () => {
  it.each([
    ['openai', /its own context length \(set when it starts: vLLM --max-model-len/, /--context-tokens/],
    ['ollama', /--context-tokens/, /--max-model-len/],
  ] as const)('a reply cut at the token limit on %s says what applies there', async (backend, says, not) => {
    const url = backend === 'openai' ? `${server.url}/v1` : server.url;
    const r = await run(['solve', CUT_OFF, '--backend', backend, '--base-url', url, '--model', 'qwen2.5-coder:7b', '--text-only']);
    expect(r.stdout).toMatch(/warning: The server stopped the reply at its token limit/);
    expect(r.stdout).toMatch(says);
    expect(r.stdout).not.toMatch(not);
  });
});
