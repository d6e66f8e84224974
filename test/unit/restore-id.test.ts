import { describe, expect, it } from 'vitest';
import { RestoreIdSchema } from '../../shared/export';

/**
 * A restore's cancel name (shared/export.ts): the host keeps it as HOSTDIR/restores/ID beside
 * HOSTDIR/restores/ops, and restore-runner.sh takes only letters, digits and "-", never "ops".
 */
describe('RestoreIdSchema', () => {
  it('takes an operation id (the default) and a form’s own id; not ops, a path or an empty one', () => {
    const ok = (v: string) => RestoreIdSchema.safeParse(v).success;
    for (const v of ['20261201T030000Z-0a1b2c3d', '7d4a2b9e-3f1c-4e8a-9b6d-2c5f8e1a0b3c', 'R1'])
      expect(ok(v), v).toBe(true);
    expect(ok('x'.repeat(40))).toBe(true);
    for (const v of ['', 'ops', 'x'.repeat(41), '../ops', 'a b', 'a/b'])
      expect(ok(v), v).toBe(false);
  });
});
