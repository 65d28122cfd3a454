// The one-line result every test layer prints, alone on a line: `N passed, N failed`.
// scripts/test-all.sh and people scanning CI logs rely on exactly this shape.

export interface TestCounts {
  passed: number;
  failed: number;
}

const SUMMARY_LINE = /^(\d+) passed, (\d+) failed$/;

export function formatSummary(counts: TestCounts): string {
  return `${counts.passed} passed, ${counts.failed} failed`;
}

export function parseSummary(line: string): TestCounts | undefined {
  const match = SUMMARY_LINE.exec(line.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return { passed: Number(match[1]), failed: Number(match[2]) };
}
