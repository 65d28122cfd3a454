// The other data files CodeSteer-v1.0 ships beside SymBench: GSM-Hard (JSONL of
// {"input","code","target"}) is scored; MATH problems ({"problem","level","type","solution"})
// are recognised and named as unsupported (their answers need a judge of mathematical
// equivalence), so they are never scored as plain text.

import { z } from 'zod';
import { itemId } from '../ids';
import type { LoadProblem, LoadResult, TaskRecord } from '../types';
import { forEachJsonlRecord } from './jsonl';

const gsmRecord = z.object({ input: z.string(), target: z.number(), code: z.string().optional() });

/** The authors' GSM-Hard suffix (benchmark/run_gsm_baseline_methods.py), byte for byte. */
export const GSM_SUFFIX = '\n\nOutput final answer with the format <<<answer>>> such as <<<123.42>>>, <<<125.0>>>, <<<-9867>>>.\nYour answer: ';

/** GSM-Hard's tolerance: the authors' judge prompt allows a relative difference of 1e-3. */
export const GSM_REL_TOL = 1e-3;

export function isGsmHardRecord(value: unknown): boolean {
  return gsmRecord.safeParse(value).success;
}

/** Loads a GSM-Hard JSONL file; ids are `<fileId>#<line position>` (0-based). */
export function loadGsmHardJsonl(file: string, fileId: string, text: string): LoadResult {
  const records: TaskRecord[] = [];
  const problems: LoadProblem[] = [];
  const task =
    fileId
      .split('/')
      .pop()
      ?.replace(/\.jsonl$/i, '') ?? 'gsmhard';
  forEachJsonlRecord(file, text, problems, (raw, { line, position }) => {
    const p = gsmRecord.safeParse(raw);
    if (!p.success) {
      problems.push({ file, line, message: `expected {"input", "target"}: ${p.error.issues[0]?.message ?? 'invalid'}` });
      return;
    }
    records.push({
      id: itemId(fileId, position),
      task,
      question: `${p.data.input}${GSM_SUFFIX}`,
      scorer: { kind: 'family', family: 'near_number', data: { target: p.data.target, relTol: GSM_REL_TOL } },
      source: { file, line, index: position },
      metadata: { layout: 'gsm-hard' },
    });
  });
  return { records, problems };
}

/** A MATH problem file (Hendrycks et al., as redistributed in CodeSteer). */
export function isMathProblem(data: unknown): boolean {
  return z.object({ problem: z.string(), solution: z.string(), level: z.string().optional(), type: z.string().optional() }).safeParse(data).success;
}

/** A JSON file that is recognised but cannot be scored yet: one unsupported entry, no records. */
export function unsupportedJson(file: string, fileId: string, task: string, reason: string): LoadResult {
  return { records: [], problems: [], unsupported: [{ id: fileId, task, file, reason }] };
}
