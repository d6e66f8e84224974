import { describe, expect, it } from 'vitest';
import { domainName } from '../../electron/services/virsh/domain-name';
import { fakeConnection, fakeVirshHost } from '../support/fake-ssh';

const uuid = '763ae968-9e71-41c1-9def-41b58313b8ce';

describe('domainName', () => {
  it('asks virsh by UUID, with the URI as its own argument, and trims the answer', async () => {
    const { conn, calls } = fakeVirshHost({ out: 'web 1\n' });
    expect(await domainName(conn, 'qemu:///system', uuid)).toBe(
      ['arg:-c', 'arg:qemu:///system', 'arg:domname', `arg:${uuid}`, 'web 1'].join('\n'),
    );
    expect(calls[0]!.timeoutMs).toBeGreaterThan(0);
  });

  it('is undefined when virsh fails (the caller falls back to the UUID)', async () => {
    const { conn } = fakeConnection(() => ({ code: 1, stderr: 'error: Domain not found' }));
    expect(await domainName(conn, 'qemu:///system', uuid)).toBeUndefined();
  });

  it('passes the answer through as virsh printed it', async () => {
    const { conn } = fakeConnection(() => ({ stdout: '  my vm  \n' }));
    expect(await domainName(conn, 'qemu:///system', uuid)).toBe('my vm');
  });
});
