import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { captureAgentGuest, type AgentGuestSnapshot } from './agent-guest-restore';
import { labVirsh } from './snapshot-helpers';
import {
  connectedLabSession,
  labProfile,
  type LabProfileShape,
  type serviceHarness,
} from './service-harness';

/**
 * The lab tier's usual file setup, written once: the lab's profile, its agent guest, and, as the
 * file asks, an app session connected to the lab host for the whole file and the agent guest as
 * the file found it, put back afterwards (test/support/agent-guest-restore.ts). Call at the top
 * level of a test file; the fields are filled in its beforeAll. Hooks a file registers after this
 * call run before its afterAll (vitest runs after-hooks in reverse order), so a file's own
 * clean-up (a writer stopped, a schedule removed) comes before the guest is restored.
 */
type Harness = ReturnType<typeof serviceHarness>;
type Caller = Pick<Harness, 'call'>;

export interface LabFixture {
  readonly p: LabProfileShape;
  /** The agent guest's UUID and name. */
  readonly uuid: string;
  readonly name: string;
  /** The file's app session (`session: true`). */
  readonly h: Harness;
  readonly hostId: string;
}

export interface AgentGuestFixture extends LabFixture {
  /** The agent guest's folder (its data.qcow2 and every overlay made of it). */
  readonly dir: string;
  /** Puts the agent guest back as the file found it (also done after all the file's tests). */
  restore(): Promise<void>;
}

interface Options {
  /** Keep an app session connected for the whole file (`h`, `hostId`). */
  session?: boolean;
}

function fixture(opts: Options & { capture: boolean }): AgentGuestFixture {
  let p: LabProfileShape | undefined;
  let session: { h: Harness; hostId: string } | undefined;
  let found: AgentGuestSnapshot | undefined;
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined)
      throw new Error(`${what}: not set up (before its beforeAll, or not asked)`);
    return v;
  };
  const agent = () => {
    const g = need(p, 'the lab profile').guests.find((x) => x.role === 'agent');
    if (!g) throw new Error('the lab profile has no agent guest');
    return g;
  };
  beforeAll(async () => {
    if (opts.session) {
      const s = await connectedLabSession();
      p = s.p;
      session = { h: s.h, hostId: s.hostId };
    } else p = labProfile();
    if (opts.capture) found = await captureAgentGuest(p.libvirtUri, agent().uuid, agent().name);
  }, 180_000);
  afterAll(async () => {
    try {
      await found?.restore();
    } finally {
      session?.h.dispose();
    }
  }, 300_000);
  return {
    get p() {
      return need(p, 'the lab profile');
    },
    get uuid() {
      return agent().uuid;
    },
    get name() {
      return agent().name;
    },
    get h() {
      return need(session, 'the file’s app session').h;
    },
    get hostId() {
      return need(session, 'the file’s app session').hostId;
    },
    get dir() {
      return need(found, 'the captured agent guest').dir;
    },
    restore: () => need(found, 'the captured agent guest').restore(),
  };
}

/**
 * The agent guest captured before the file's tests and restored after them (and whenever a test
 * calls `restore`), with the file's own app session when `session` is set.
 */
export function useAgentGuest(opts: Options = {}): AgentGuestFixture {
  return fixture({ ...opts, capture: true });
}

/** An app session on the lab host for the whole file, and the agent guest's name and UUID. */
export function useLabSession(): LabFixture {
  return fixture({ session: true, capture: false });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `get` every `everyMs` until `done` says so or `timeoutMs` passes; returns the last. */
export async function pollUntil<T>(
  get: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs: number,
  everyMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (done(v) || Date.now() > deadline) return v;
    await sleep(everyMs);
  }
}

/** `get`'s answer once its state is no longer "running" (or after `timeoutMs`). */
const untilNotRunning = <T extends { state: string }>(get: () => Promise<T>, timeoutMs: number) =>
  pollUntil(get, (v) => v.state !== 'running', timeoutMs, 250);

/** A revert's summary once it no longer runs (or after `timeoutMs`). */
export const waitRevert = (h: Caller, hostId: string, opId: string, timeoutMs = 240_000) =>
  untilNotRunning(() => h.call('revert.get', { hostId, opId }), timeoutMs);

/** A restore test's result once it no longer runs (or after `timeoutMs`). */
export const waitRestoreTest = (h: Caller, hostId: string, opId: string, timeoutMs = 300_000) =>
  untilNotRunning(() => h.call('restore.get', { hostId, opId }), timeoutMs);

/** An export's summary once it no longer runs (or after `timeoutMs`). */
export const waitExport = (h: Caller, hostId: string, opId: string, timeoutMs = 300_000) =>
  untilNotRunning(() => h.call('export.get', { hostId, opId }), timeoutMs);

/**
 * A restore test's clone is gone: no domain of that name, no overlay of it in the guest's folder
 * `dir`, no QEMU process naming it.
 */
export function expectCloneGone(uri: string, dir: string, clone: string | null | undefined): void {
  expect(clone).toMatch(/restoretest/);
  expect(labVirsh(uri, 'list', '--all', '--name')).not.toContain(clone);
  expect(readdirSync(dir).filter((f) => f.includes('restoretest'))).toEqual([]);
  expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(clone);
}
