// The "Check Sandbox" result as one readable message (no vscode import, so it is unit-tested).
import type { SandboxReport } from './sandboxCheck';

/**
 * e.g. "Model code runs isolated: bubblewrap sandbox (no network, …). Python 3.12.3 at
 * /usr/bin/python3.12 runs it." The tier notes start with their tier's name ("Isolated: …",
 * "Basic: …", see src/sandbox/isolation.ts); that prefix becomes the sentence's verb phrase so the
 * tier is said once.
 */
export function sandboxReportSentence(report: SandboxReport): string {
  const note = report.note.trim();
  const rest = note.replace(/^(Isolated|Basic):\s*/, '');
  const lead =
    rest === note
      ? `Model code runs on the ${report.tier} tier. ${note}` // Restricted Mode, forced basic: the note is a sentence of its own.
      : `Model code runs ${report.tier === 'isolated' ? 'isolated' : 'on the basic tier'}: ${rest}`;
  const python = 'error' in report.python ? `No Python was found: ${report.python.error}` : `Python ${report.python.version} at ${report.python.executable} runs it.`;
  return `${lead}${/[.!?]$/.test(lead) ? '' : '.'} ${python}`;
}
