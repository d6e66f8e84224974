import { describe, expect, it } from 'vitest';
import { explainConnectError } from '../../electron/services/ssh/ssh-errors';
import { explainVirshFailure } from '../../electron/services/virsh/virsh-errors';
import { toAppErrorShape } from '../../electron/services/app-error';

const errno = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('error explanations say what happened and what to do', () => {
  it('for SSH connects', () => {
    for (const [err, code] of [
      [errno('ECONNREFUSED'), 'connect-failed'],
      [errno('ENOTFOUND'), 'connect-failed'],
      [errno('ETIMEDOUT'), 'connect-failed'],
      [
        Object.assign(new Error('All configured authentication methods failed'), {
          level: 'client-authentication',
        }),
        'auth-failed',
      ],
      [new Error('Timed out while waiting for handshake'), 'connect-failed'],
      [new Error('something else'), 'connect-failed'],
    ] as const) {
      const e = explainConnectError(err, 'u@h:22').toShape();
      expect(e.code).toBe(code);
      expect(e.message).toContain('h');
      expect(e.remedy).toBeTruthy();
    }
  });

  it('for virsh failures', () => {
    expect(
      explainVirshFailure('sh: 1: virsh: not found', 'qemu:///system', 127).toShape().remedy,
    ).toMatch(/libvirt-clients/);
    expect(
      explainVirshFailure(
        "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied",
        'qemu:///system',
        1,
      ).toShape().remedy,
    ).toMatch(/libvirt group/);
    expect(
      explainVirshFailure(
        "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file",
        'qemu:///system',
        1,
      ).message,
    ).toMatch(/does not answer/);
  });

  it('hides internals of unexpected errors', () => {
    const shape = toAppErrorShape(
      new TypeError("Cannot read properties of undefined (reading 'x')"),
    );
    expect(shape.code).toBe('internal');
    expect(shape.message).not.toMatch(/undefined/);
    expect(shape.remedy).toBeTruthy();
  });
});
