import { describe, expect, it } from 'vitest';
import { splitOperationListing } from '../../electron/services/snapshot/operation-listing';
import { readRestoreTest } from '../../electron/services/revert/restore-tests';

describe('operation listing (@@op OPID [ALIVE], then the journal)', () => {
  it('splits the operations, with or without the alive flag, and skips a header without an id', () => {
    const out = '@@op A 1\n{"ev":"x"}\n{"ev":"y"}\n@@op B\n{"ev":"z"}\n@@op \n@@op C 0';
    expect(splitOperationListing(out)).toEqual([
      { opId: 'A', alive: true, journal: '{"ev":"x"}\n{"ev":"y"}\n' },
      { opId: 'B', alive: false, journal: '{"ev":"z"}\n' },
      { opId: 'C', alive: false, journal: '' },
    ]);
  });
});

describe('restore test journal on the shared line reader', () => {
  it('a line glued to a torn one (a writer killed mid-line) is still read', () => {
    const journal =
      '{"ev":"start","op":"t","pid":1,"clone":"c"}\n' +
      '{"ev":"phase","phase":"bo{"ev":"result","ok":true,"bootMs":2500}\n{"ev":"end"}\n';
    const r = readRestoreTest('t', journal, false);
    expect(r.state).toBe('succeeded');
    expect(r.bootS).toBe(2.5);
  });
});
