import { describe, expect, it } from 'vitest';
import { failureLines } from '../support/vitest-report';

describe('failureLines', () => {
  it('names each failed test with its file and the first line of its error, without colours', () => {
    const lines = failureLines(
      [
        {
          name: '/p/test/lab-tier/export.test.ts',
          status: 'failed',
          assertionResults: [
            { fullName: 'export full', status: 'passed', failureMessages: [] },
            {
              fullName: 'export incremental',
              status: 'failed',
              failureMessages: [
                '\n\u001b[31mAssertionError: expected 1 to be 2\u001b[39m\n    at x.ts:1',
              ],
            },
          ],
        },
        { name: '/p/test/lab-tier/ok.test.ts', status: 'passed', assertionResults: [] },
      ],
      '/p',
    );
    expect(lines).toEqual([
      'test/lab-tier/export.test.ts › export incremental — AssertionError: expected 1 to be 2',
    ]);
  });

  it('names a file that failed to load, which has no failed test', () => {
    const lines = failureLines(
      [
        {
          name: '/p/test/a.test.ts',
          status: 'failed',
          message: 'Error: Cannot find module',
          assertionResults: [],
        },
      ],
      '/p',
    );
    expect(lines).toEqual(['test/a.test.ts (did not load) — Error: Cannot find module']);
  });
});
