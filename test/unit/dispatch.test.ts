import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/services/dispatch';
import { AppError } from '../../electron/services/app-error';
import type { Handlers } from '../../electron/services/quiesce-service';

const HOST_ID = '7d4a2b9e-3f1c-4e8a-9b6d-2c5f8e1a0b3c';

function handlers(overrides: Partial<Handlers>): Handlers {
  const fail = async () => {
    throw new Error('not under test');
  };
  return {
    'hosts.list': fail,
    'hosts.save': fail,
    'hosts.remove': fail,
    'hosts.connect': fail,
    'hosts.disconnect': fail,
    'hosts.status': fail,
    'domains.list': fail,
    ...overrides,
  } as Handlers;
}

describe('dispatch', () => {
  it('refuses unknown methods', async () => {
    const d = createDispatcher(handlers({}));
    expect(await d('shell.exec', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    });
  });

  it('validates input before any handler runs', async () => {
    let ran = false;
    const d = createDispatcher(
      handlers({
        'hosts.save': async () => {
          ran = true;
          throw new Error('unreachable');
        },
      }),
    );
    const r = await d('hosts.save', {
      name: 'x',
      address: 'h; rm -rf /',
      user: 'root',
      auth: { kind: 'agent' },
    });
    expect(ran).toBe(false);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    if (!r.ok) expect(r.error.cause).toMatch(/^address:/);
  });

  it('applies defaults and passes validated input', async () => {
    const d = createDispatcher(
      handlers({
        'hosts.save': async (input) => ({ ...input, id: HOST_ID }) as never,
      }),
    );
    const r = await d('hosts.save', {
      name: 'kvm1',
      address: 'kvm1.lan',
      user: 'admin',
      auth: { kind: 'agent' },
    });
    expect(r).toEqual({
      ok: true,
      value: {
        id: HOST_ID,
        name: 'kvm1',
        address: 'kvm1.lan',
        port: 22,
        user: 'admin',
        auth: { kind: 'agent' },
        libvirtUri: 'qemu:///system',
        hostDir: '.quiesce',
      },
    });
  });

  it('rejects libvirt URIs that are not qemu or a test file', async () => {
    const d = createDispatcher(handlers({}));
    const r = await d('hosts.save', {
      name: 'x',
      address: 'h',
      user: 'u',
      auth: { kind: 'agent' },
      libvirtUri: 'qemu+ssh://evil/system?command=sh',
    });
    expect(r.ok).toBe(false);
  });

  it('passes AppErrors through and hides unexpected ones behind a generic message', async () => {
    const d = createDispatcher(
      handlers({
        'hosts.list': async () => {
          throw new AppError('not-connected', 'Not connected.', { remedy: 'Connect first.' });
        },
        'hosts.status': async () => {
          throw new TypeError('x is undefined');
        },
      }),
    );
    expect(await d('hosts.list', {})).toEqual({
      ok: false,
      error: { code: 'not-connected', message: 'Not connected.', remedy: 'Connect first.' },
    });
    const r = await d('hosts.status', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'internal', cause: 'x is undefined' } });
    if (!r.ok) expect(JSON.stringify(r.error)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('validates output, so a handler bug never reaches the renderer as bad data', async () => {
    const d = createDispatcher(handlers({ 'hosts.list': async () => [{ nope: true }] as never }));
    expect(await d('hosts.list', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
