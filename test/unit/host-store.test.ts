import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostStore } from '../../electron/services/hosts/host-store';
import { AppError } from '../../electron/services/app-error';

const draft = {
  name: 'kvm1',
  address: '192.0.2.10',
  port: 22,
  user: 'admin',
  auth: { kind: 'key' as const, keyPath: '/home/admin/.ssh/id_ed25519' },
};

describe('HostStore', () => {
  it('saves, updates and removes profiles in a private file', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'quiesce-store-')), 'data');
    const store = new HostStore(dir);
    expect(await store.list()).toEqual([]);
    const saved = await store.save(draft);
    expect(saved.libvirtUri).toBe('qemu:///system');
    await store.save({ ...draft, id: saved.id, name: 'renamed' });
    expect((await store.list()).map((h) => h.name)).toEqual(['renamed']);
    expect(statSync(join(dir, 'hosts.json')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await store.remove(saved.id);
    expect(await store.list()).toEqual([]);
  });

  it('stores only the profile fields, never a passphrase smuggled into the input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-store-'));
    const store = new HostStore(dir);
    await store.save({ ...draft, passphrase: 'hunter2' } as never);
    expect(readFileSync(join(dir, 'hosts.json'), 'utf8')).not.toContain('hunter2');
  });

  it('explains a damaged file instead of losing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-store-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hosts.json'), JSON.stringify({ version: 1, hosts: [{ bad: 1 }] }));
    const err = await new HostStore(dir).list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).details.remedy).toContain('hosts.json');
    expect(readFileSync(join(dir, 'hosts.json'), 'utf8')).toContain('bad');
  });

  it('says which host is missing', async () => {
    const store = new HostStore(mkdtempSync(join(tmpdir(), 'quiesce-store-')));
    await expect(store.get('5f0c2a8e-1b7d-4c3e-9a6f-0d4e8b2c1a70')).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});
