/** Reading vitest's JSON report for the summary `npm test` ends with. */

export interface VitestFileResult {
  name: string;
  status: string;
  message?: string;
  assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
}

/**
 * The failed tests of a report, one line each. CI shows only the end of the output, so the
 * summary must say which tests failed and why, not just how many.
 */
// eslint-disable-next-line no-control-regex -- the report keeps the terminal's colour codes
const TERMINAL_COLOUR = /\u001b\[[0-9;]*m/g;

export function failureLines(files: VitestFileResult[], root = process.cwd()): string[] {
  const firstLine = (text: string | undefined) =>
    (text ?? '')
      .replace(TERMINAL_COLOUR, '')
      .split('\n')
      .find((l) => l.trim() !== '') ?? '';
  const lines: string[] = [];
  for (const file of files) {
    const where = file.name.replace(`${root}/`, '');
    const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of failedTests) {
      lines.push(`${where} › ${t.fullName} — ${firstLine(t.failureMessages?.[0]).slice(0, 240)}`);
    }
    if (failedTests.length === 0 && file.status === 'failed') {
      lines.push(`${where} (did not load) — ${firstLine(file.message).slice(0, 240)}`);
    }
  }
  return lines;
}
