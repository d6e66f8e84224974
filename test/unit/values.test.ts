import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DomainUuidSchema } from '../../shared/domains';
import {
  ByteCountSchema,
  DurationMsSchema,
  EpochSecondsSchema,
  IsoTimeSchema,
} from '../../shared/values';

const ok = (s: { safeParse(v: unknown): { success: boolean } }, v: unknown) =>
  s.safeParse(v).success;

describe('the contract’s values (shared/values.ts)', () => {
  it('a byte count: whole and never negative, also past 2^53 and as awk prints a large product', () => {
    for (const v of [0, 1, 10737418240, 2 ** 53 + 2, Number('7.8e+10'), JSON.parse('1e18')])
      expect(ok(ByteCountSchema, v), String(v)).toBe(true);
    for (const v of [-1, -1024, 1.5, 0.1, Number.NaN, Infinity, '1024'])
      expect(ok(ByteCountSchema, v), String(v)).toBe(false);
  });

  it('an instant: main’s toISOString, the hosts’ `date -u`, an offset; not other text', () => {
    const hostDate = execFileSync('date', ['-u', '+%Y-%m-%dT%H:%M:%SZ'], {
      encoding: 'utf8',
    }).trim();
    for (const v of [
      new Date().toISOString(),
      new Date(1_700_000_000 * 1000).toISOString(),
      hostDate,
      '2026-03-29T01:30:00+01:00',
      '2026-03-29T01:30:00.5-05:30',
    ])
      expect(ok(IsoTimeSchema, v), v).toBe(true);
    for (const v of [
      '',
      'yesterday',
      '2026-03-29',
      '2026-03-29 01:30:00',
      '1700000000',
      1700000000,
    ])
      expect(ok(IsoTimeSchema, v), String(v)).toBe(false);
  });

  it('an instant in epoch seconds: what `date +%s` prints, and 0; not a fraction, a negative or text', () => {
    const hostNow = Number(execFileSync('date', ['+%s'], { encoding: 'utf8' }).trim());
    for (const v of [hostNow, 0, 1764558000])
      expect(ok(EpochSecondsSchema, v), String(v)).toBe(true);
    for (const v of [1764558000.5, -1, Number.NaN, Infinity, '1764558000', null])
      expect(ok(EpochSecondsSchema, v), String(v)).toBe(false);
  });

  it('a duration in ms: tenths allowed, never negative', () => {
    for (const v of [0, 12, 12.3]) expect(ok(DurationMsSchema, v), String(v)).toBe(true);
    for (const v of [-0.1, -5, Number.NaN]) expect(ok(DurationMsSchema, v), String(v)).toBe(false);
  });

  it('a domain UUID: libvirt’s hex form, whatever its version nibbles; not other text', () => {
    // test:///default's own domain: its version and variant nibbles are not RFC 4122's
    for (const v of [
      '6695eb01-f6a4-8304-79aa-97f2502e193f',
      '7D4A2B9E-3F1C-4E8A-9B6D-2C5F8E1A0B3C',
      '00000000-0000-0000-0000-000000000000',
    ])
      expect(ok(DomainUuidSchema, v), v).toBe(true);
    for (const v of [
      '',
      'vm1',
      '6695eb01-f6a4-8304-79aa-97f2502e193g',
      '6695eb01f6a4830479aa97f2502e193f',
    ])
      expect(ok(DomainUuidSchema, v), v).toBe(false);
  });
});
