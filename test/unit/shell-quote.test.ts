import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { shellCommand } from '../../electron/services/shell/quote';

const HOSTILE = [
  "it's",
  '"double"',
  '$(touch /tmp/quiesce-pwned)',
  '`touch /tmp/quiesce-pwned`',
  'a; touch /tmp/quiesce-pwned',
  'line1\nline2',
  'tab\there',
  '$HOME ${HOME} $((1+1))',
  'back\\slash\\',
  '*',
  '?',
  '~root',
  '!event',
  'a && b || c | d > e < f & g',
  '#not a comment',
  '-n',
  '',
  ' leading and trailing ',
  'ünïcødé ✓ 日本語 🙂',
  "'; rm -rf / #",
  '\r\n\u2028',
];

/** Runs the quoted command through a real shell and returns what each argument arrived as. */
function roundTrip(shell: string, args: string[]): string[] {
  // printf prints each argument NUL-terminated so newlines inside arguments survive.
  const cmd = shellCommand(['printf', '%s\\0', ...args]);
  const out = execFileSync(shell, ['-c', cmd], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellCommand', () => {
  for (const shell of ['/bin/sh', '/bin/bash']) {
    it(`passes hostile strings through ${shell} verbatim`, () => {
      expect(roundTrip(shell, HOSTILE)).toEqual(HOSTILE);
    });
    it(`passes each hostile string alone through ${shell}`, () => {
      for (const s of HOSTILE) expect(roundTrip(shell, [s])).toEqual([s]);
    });
  }

  it('never lets a command substitution run', () => {
    const marker = `/tmp/quiesce-quote-${process.pid}`;
    const cmd = shellCommand([
      'true',
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `;touch ${marker}`,
    ]);
    execFileSync('/bin/bash', ['-c', cmd]);
    expect(() => execFileSync('test', ['-e', marker])).toThrow();
  });

  it('refuses NUL bytes and empty argument lists', () => {
    expect(() => shellCommand(['a\0b'])).toThrow(/NUL/);
    expect(() => shellCommand([])).toThrow(/empty/);
  });
});
