import { run } from '../lab/exec';
import { guestAgentCommand } from '../lab/lab';

/**
 * One lab guest as root sees it through the lab's libvirtd, "from outside" the app: for checks
 * and clean-up the app must not do itself. Asynchronous, with timeouts, for code that must not
 * block (the bench, long-running checks); test/support/snapshot-helpers.ts has the synchronous
 * `labVirsh` the tests use.
 */

export type FreezeStatus = 'frozen' | 'thawed' | `error: ${string}`;

/** The agent's own word on the freeze (`guest-fsfreeze-status`), or why it could not say. */
export async function agentFreezeStatus(domain: string): Promise<FreezeStatus> {
  try {
    const v = await guestAgentCommand(
      domain,
      { execute: 'guest-fsfreeze-status' },
      { timeoutSec: 5 },
    );
    return v === 'frozen' || v === 'thawed' ? v : `error: unexpected answer ${JSON.stringify(v)}`;
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

export function labGuest(uri: string, domain: string) {
  const virsh = (...args: string[]) =>
    run('virsh', ['-q', '-c', uri, ...args], {
      check: false,
      timeoutMs: 90_000,
      env: { ...process.env, LC_ALL: 'C' },
    });
  /** The guest's snapshots, children before parents (the order to delete them in). */
  const snapshots = async () => {
    const r = await virsh('snapshot-list', domain, '--name', '--topological');
    if (r.code !== 0) throw new Error(`virsh snapshot-list ${domain}: ${r.stderr.trim()}`);
    return r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .reverse();
  };
  return {
    domain,
    virsh,
    snapshots,
    freezeStatus: () => agentFreezeStatus(domain),
    /** The image on top of vda now, as libvirt says. */
    async topImage(): Promise<string | undefined> {
      const r = await virsh('domblklist', domain);
      return /^\s*vda\s+(\S.*)$/m.exec(r.stdout)?.[1]?.trim();
    },
    /** Deletes one snapshot; says what went wrong, if anything (gone already is fine). */
    async deleteSnapshot(name: string): Promise<string | undefined> {
      const r = await virsh('snapshot-delete', domain, name);
      if (r.code === 0) return undefined;
      if (!(await snapshots()).includes(name)) return undefined;
      return `virsh snapshot-delete ${domain} ${name}: ${(r.stderr || r.stdout).trim()}`;
    },
    /** Waits (up to `ms`) until the agent says thawed: another session may hold it frozen. */
    async waitThawed(ms: number): Promise<FreezeStatus> {
      const deadline = performance.now() + ms;
      for (;;) {
        const st = await agentFreezeStatus(domain);
        if (st === 'thawed' || performance.now() > deadline) return st;
        await new Promise((r) => setTimeout(r, 500));
      }
    },
  };
}

export type LabGuestHandle = ReturnType<typeof labGuest>;
