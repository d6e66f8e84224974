import { afterEach, beforeEach } from 'vitest';
import { guestAgentCommand } from '../lab/lab';
import { agentFreezeStatus, type FreezeStatus } from './lab-guest';
import { labOperationsSince, startOf } from './lab-operations';
import { labProfile } from './service-harness';

/**
 * Rule 1 ("a guest is never left frozen") checked after every lab test, so that a cleanup which
 * thaws the guest can never hide a runner that left it frozen.
 *
 * After each test: the agent guest's `guest-fsfreeze-status` (as root, through libvirt). If it is
 * frozen, the watchdog gets its due — the largest maximum freeze of the operations started during
 * the test, plus 2 s — and if the guest is still frozen then, the test FAILS; the guest is thawed
 * either way so the next test starts clean. An agent that does not answer gets 30 s more to say
 * what it is; a status that stays unknown fails too.
 */

/** The schema's default maximum freeze (shared/snapshot.ts MaxFreezeSchema default). */
export const DEFAULT_MAX_FREEZE_S = 10;
const WATCHDOG_SLACK_MS = 2_000;
const UNKNOWN_GRACE_MS = 30_000;

export { agentFreezeStatus, type FreezeStatus } from './lab-guest';

/**
 * The largest `maxFreezeS` of the runner journals on the lab host written since `sinceMs`
 * (epoch ms), under the lab user's `~/.quiesce*` /ops folders; undefined if none.
 */
export function maxFreezeOfOperationsSince(sinceMs: number, home?: string): number | undefined {
  let max: number | undefined;
  for (const op of labOperationsSince(sinceMs - 1_000, home ? { home } : {})) {
    const asked = startOf(op.lines)?.maxFreezeS;
    if (asked !== undefined) max = Math.max(max ?? 0, asked);
  }
  return max;
}

export interface LeftFrozenVerdict {
  /** What the guest said at the end of the test. */
  atEnd: FreezeStatus;
  /** What it said once the watchdog had had its due. */
  final: FreezeStatus;
  /** How long the check waited for a thaw (ms). */
  waitedMs: number;
  /** The grace given: max freeze of the test's operations + 2 s (2 s when no operation ran). */
  graceMs: number;
  maxFreezeS: number | undefined;
}

/**
 * Waits (up to the grace) for a frozen guest to be thawed by whoever froze it, then reports.
 * Does not thaw: see `thawIfFrozen`.
 */
export async function checkNotLeftFrozen(
  domain: string,
  maxFreezeS: number | undefined,
): Promise<LeftFrozenVerdict> {
  const t0 = Date.now();
  const graceMs = (maxFreezeS ?? 0) * 1000 + WATCHDOG_SLACK_MS;
  const atEnd = await agentFreezeStatus(domain);
  let final = atEnd;
  while (final !== 'thawed' && Date.now() - t0 < graceMs) {
    await new Promise((r) => setTimeout(r, 250));
    final = await agentFreezeStatus(domain);
  }
  // An agent that does not answer (stopped, busy) is given more time to say which it is.
  while (final.startsWith('error') && Date.now() - t0 < graceMs + UNKNOWN_GRACE_MS) {
    await new Promise((r) => setTimeout(r, 500));
    final = await agentFreezeStatus(domain);
  }
  return { atEnd, final, waitedMs: Date.now() - t0, graceMs, maxFreezeS };
}

export async function thawIfFrozen(domain: string): Promise<boolean> {
  if ((await agentFreezeStatus(domain)) !== 'frozen') return false;
  await guestAgentCommand(domain, { execute: 'guest-fsfreeze-thaw' }).catch(() => undefined);
  return true;
}

/**
 * Registers the check for the current test file; call it once at the top level of a lab-tier
 * file. `cleanup` is the file's own after-each clean-up (deleting snapshots…): it runs after the
 * check and the thaw, and runs even when the check fails (a throwing vitest hook skips the hooks
 * registered before it, so a file must not keep a separate afterEach for clean-up).
 */
export function failIfLeftFrozen(
  opts: { role?: string; cleanup?: () => Promise<void> | void } = {},
): void {
  let startedAt = Date.now();
  beforeEach(() => {
    startedAt = Date.now();
  });
  afterEach(async () => {
    const errors: string[] = [];
    try {
      const role = opts.role ?? 'agent';
      const g = labProfile().guests.find((x) => x.role === role);
      if (!g) throw new Error(`the lab profile has no ${role} guest`);
      const maxFreezeS = maxFreezeOfOperationsSince(startedAt);
      const v = await checkNotLeftFrozen(g.name, maxFreezeS);
      if (v.final !== 'thawed') {
        const thawed = await thawIfFrozen(g.name);
        errors.push(
          (v.final === 'frozen'
            ? `${g.name} was LEFT FROZEN: still frozen ${v.waitedMs} ms after the test ended ` +
              `(max freeze of its operations: ${maxFreezeS ?? 'none'} s, + 2 s for the watchdog)`
            : `${g.name}'s freeze status is unknown ${v.waitedMs} ms after the test ended: ${v.final}`) +
            (thawed ? '; thawed it for the next test' : ''),
        );
      }
    } catch (e) {
      errors.push(`the left-frozen check failed: ${(e as Error).message}`);
    }
    try {
      await opts.cleanup?.();
    } catch (e) {
      errors.push(`clean-up after the test failed: ${(e as Error).message}`);
    }
    if (errors.length > 0) throw new Error(errors.join('\n'));
  });
}
