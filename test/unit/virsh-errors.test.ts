import { describe, expect, it } from 'vitest';
import { explainVirshFailure } from '../../electron/services/virsh/virsh-errors';

const uri = 'qemu:///system';

describe('a failed virsh call, in the admin’s terms', () => {
  it('says virsh is missing, by exit status 127 or by the shell’s words', () => {
    for (const [stderr, rc] of [
      ['', 127],
      ['sh: 1: virsh: not found', 127],
      ['bash: virsh: command not found', 1],
    ] as const) {
      const e = explainVirshFailure(stderr, uri, rc);
      expect(e.message).toBe('virsh is not installed on the host.');
      expect(e.details.remedy).toMatch(/libvirt-clients/);
    }
  });

  it('says the SSH user may not use the URI, and how to allow it', () => {
    const e = explainVirshFailure(
      "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied",
      uri,
      1,
    );
    expect(e.message).toBe(`The SSH user may not use ${uri}.`);
    expect(e.details.remedy).toMatch(/usermod -aG libvirt/);
    expect(explainVirshFailure('authentication unavailable: no polkit agent', uri, 1).message).toBe(
      `The SSH user may not use ${uri}.`,
    );
  });

  it('says libvirt does not answer when its socket is not there', () => {
    const e = explainVirshFailure(
      "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory",
      uri,
      1,
    );
    expect(e.message).toBe(`libvirt at ${uri} does not answer.`);
    expect(e.details.remedy).toMatch(/libvirtd/);
  });

  it('passes virsh’s own words on otherwise, or the exit status when it said nothing', () => {
    const e = explainVirshFailure(
      "error: Domain not found: no domain with matching uuid 'x'\n",
      uri,
      1,
    );
    expect(e.message).toBe('virsh failed on the host.');
    expect(e.details.cause).toBe("error: Domain not found: no domain with matching uuid 'x'");
    expect(explainVirshFailure('  ', uri, 3).details.cause).toBe('virsh exited with status 3');
    expect(explainVirshFailure('', uri, null).details.cause).toBe('virsh exited with status null');
  });
});
