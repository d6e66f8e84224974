import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { AppError } from '../../electron/services/app-error';
import { AGENT_CHANNEL_XML } from '../../electron/services/inventory/domain-xml';
import { addAgentChannel, thawGuest } from '../../electron/services/inventory/guest-actions';
import { fakeConnection, fakeVirshHost } from '../support/fake-ssh';

const uuid = '763ae968-9e71-41c1-9def-41b58313b8ce';
const uri = 'qemu:///system';

describe('thawGuest', () => {
  it('thaws through the agent with its own timeout (a hung agent would block domfsthaw)', async () => {
    const { conn, calls, args } = fakeVirshHost({ out: '{"return":2}' });
    expect(await thawGuest(conn, uri, uuid, 7)).toEqual({ thawed: 2 });
    expect(args()).toEqual([
      '-c',
      uri,
      'qemu-agent-command',
      '--timeout',
      '7',
      uuid,
      '{"execute":"guest-fsfreeze-thaw"}',
    ]);
    // The SSH exec outlasts the agent's own timeout, so the agent's answer is what the admin sees.
    expect(calls[0]!.timeoutMs).toBeGreaterThan(7000);
  });

  it('counts 0 when the agent thawed nothing', async () => {
    const { conn } = fakeConnection(() => ({ stdout: '{"return":0}\n' }));
    expect(await thawGuest(conn, uri, uuid)).toEqual({ thawed: 0 });
  });

  it('says what to do when the agent does not answer', async () => {
    const { conn } = fakeConnection(() => ({
      code: 1,
      stderr: 'error: Guest agent is not responding: Guest agent not available for now\n',
    }));
    const err = await thawGuest(conn, uri, uuid).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toBe('The guest could not be thawed.');
    expect((err as AppError).details.cause).toMatch(/not available for now/);
    expect((err as AppError).details.remedy).toMatch(/restart the agent/);
  });
});

describe('addAgentChannel', () => {
  it('attaches the channel XML to the persistent definition, through a file on the host', async () => {
    const host = fakeVirshHost();
    await addAgentChannel(host.conn, uri, uuid);
    expect(host.calls[0]!.stdin).toBe(AGENT_CHANNEL_XML);
    const args = host.args();
    const stdout = host.stdout();
    // every value by its option: the domain and the file
    expect(args.slice(0, 6)).toEqual(['-c', uri, 'attach-device', '--domain', uuid, '--file']);
    expect(args[7]).toBe('--config');
    // virsh read the XML from the temporary file, which is gone afterwards.
    expect(stdout).toContain(`file:${AGENT_CHANNEL_XML}`);
    expect(existsSync(args[6]!)).toBe(false);
  });

  it('fails with the manual way when virsh refuses', async () => {
    const { conn } = fakeVirshHost({ rc: 1, err: 'error: Failed to attach device\n' });
    await expect(addAgentChannel(conn, uri, uuid)).rejects.toMatchObject({
      message: 'The agent channel could not be added.',
      details: {
        cause: 'error: Failed to attach device',
        remedy: expect.stringMatching(/virsh edit/),
      },
    });
  });
});
