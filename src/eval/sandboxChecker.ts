// Custom `python:` checkers run as code in a sandbox, never in the calling process (the
// extension host or the CLI): the checker's source is read here and sent as one cell, so it
// also works on the isolated tier, where the interpreter cannot see the task folder. The file is
// read without following links (it must be inside the task file's folder), and the runner given
// must be one no model code ran in: evaluate starts a fresh one per question.
import { randomBytes } from 'node:crypto';
import type { CodeRunner } from '../sandbox/types';
import { readDatasetText } from './safeRead';
import { fileErrorText } from '../text/fileErrors';
import type { PythonCheckRunner } from './scorers/python';
import type { TaskRecord } from './types';

const MARKER = 'R1CI-CHECK-VERDICT';

/**
 * The start of one check's verdict line: the fixed word and a fresh random nonce. The checker's
 * stdout can hold the model's answer (a checker that prints what it compared), so a fixed marker
 * inside the answer, with the real verdict pushed past the output limit, was read as the verdict.
 */
function verdictMarker(): string {
  return `${MARKER}-${randomBytes(16).toString('hex')} `;
}

/** The cell that loads the checker into a fresh namespace and prints its verdict on a line starting with `marker`. */
export function checkerCell(source: string, checkerFile: string, answer: string, record: TaskRecord, marker: string): string {
  const lit = (value: unknown): string => `__r1ci_json.loads(${JSON.stringify(JSON.stringify(value))})`;
  return [
    'import json as __r1ci_json',
    `__r1ci_ns = {"__name__": "r1ci_checker", "__file__": ${lit(checkerFile)}}`,
    `exec(compile(${lit(source)}, ${lit(checkerFile)}, "exec"), __r1ci_ns)`,
    'if not callable(__r1ci_ns.get("check")):',
    `    raise SystemExit("the checker file defines no check(answer, record) function")`,
    `__r1ci_verdict = bool(__r1ci_ns["check"](${lit(answer)}, ${lit(record)}))`,
    `print(${JSON.stringify(marker)} + ("true" if __r1ci_verdict else "false"))`,
    '',
  ].join('\n');
}

/**
 * A PythonCheckRunner on top of a sandbox. `acquire` gives the runner to use: never one that ran
 * model code (a cell can patch builtins so that any later check passes). A checker is expected
 * to be quick and deterministic, and the sandbox's cell time limit applies. A checker file that
 * is a link, lies behind a linked folder or cannot be read is the record's error, not a verdict.
 */
export function sandboxCheckRunner(acquire: () => Promise<CodeRunner>, signal?: AbortSignal): PythonCheckRunner {
  const sources = new Map<string, Promise<string>>();
  return {
    async check(checkerFile, answer, record) {
      let source: string;
      try {
        let pending = sources.get(checkerFile);
        if (!pending) {
          pending = readDatasetText(checkerFile);
          sources.set(checkerFile, pending);
        }
        source = await pending;
      } catch (e) {
        sources.delete(checkerFile);
        return { error: `cannot read ${checkerFile}: ${fileErrorText(e)}` };
      }
      const runner = await acquire();
      const marker = verdictMarker();
      const result = await runner.runCell(checkerCell(source, checkerFile, answer, record, marker), signal ? { signal } : {});
      const line = result.stdout
        .split('\n')
        .reverse()
        .find((l) => l.startsWith(marker));
      if (line !== undefined && result.exitCode === 0) return line.slice(marker.length).trim() === 'true';
      if (result.killMessage) return { error: result.killMessage };
      if (result.timedOut) return { error: 'the checker timed out' };
      const lastErr = result.stderr.trim().split('\n').pop();
      return { error: lastErr && lastErr.length > 0 ? lastErr : `the checker printed no verdict (exit ${String(result.exitCode)})` };
    },
  };
}
