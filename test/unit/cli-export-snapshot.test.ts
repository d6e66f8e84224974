import { describe, expect, it } from 'vitest';
import { CliError } from '../../electron/cli/cli-error';
import { EXIT } from '../../electron/cli/exit-codes';
import { parseCommandLine } from '../../electron/cli/parse-args';
import { usageText } from '../../electron/cli/usage';

/**
 * `quiesce export start … --snapshot NAME`: an existing snapshot exported (export.start with
 * `snapshot`, docs/export.md "An existing snapshot, with no freeze at all"), its name checked
 * against the contract's own rule before anything connects.
 */
const start = ['export', 'start', 'lab', 'web01', '--dest', '/b'];

describe('quiesce export start --snapshot', () => {
  it('names the snapshot to export; without it, the domain now', () => {
    expect(parseCommandLine([...start, '--snapshot', 'nightly-2026.12.01']).command).toMatchObject({
      name: 'export-start',
      host: 'lab',
      domain: 'web01',
      dest: '/b',
      snapshot: 'nightly-2026.12.01',
    });
    expect(parseCommandLine(start).command).not.toHaveProperty('snapshot');
    expect(usageText('export')).toContain('[--snapshot NAME]');
  });

  it('refuses a name the export would refuse, as a usage error', () => {
    for (const bad of ['-x', 'a b', 'a;rm', '.hidden', '']) {
      let err: unknown;
      try {
        parseCommandLine([...start, `--snapshot=${bad}`]);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(CliError);
      expect((err as CliError).exit).toBe(EXIT.usage);
      expect((err as CliError).message).toMatch(/--snapshot/);
    }
  });
});
