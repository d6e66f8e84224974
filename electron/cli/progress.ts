import type { AppEvent } from '../../shared/events';
import type { OperationEvent } from '../../shared/snapshot';
import { duration, labelText } from './format';

/**
 * Progress lines for stderr, as an operation streams: the snapshot runner's journal events one by
 * one, and the phases of a revert or a restore test as each new answer of theirs shows them.
 * Pure (state in, lines out), so the lines are tested without a host.
 */

/** A command's output on one line: its last line says how it ended (virsh prints echoes first). */
const lines = (s: string | undefined) =>
  (s ?? '')
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter(Boolean);
const lastLine = (s: string | undefined) => lines(s).at(-1) ?? '';
/** A failure's whole text, on one line: every line of it may be the reason. */
const oneLine = (s: string | undefined) => lines(s).join(' — ');

/** The snapshot runner's journal, a line per event, phase times on the host's clock. */
export class SnapshotProgress {
  private readonly openedAt = new Map<string, number>();

  line(e: OperationEvent): string | undefined {
    switch (e.kind) {
      case 'started':
        return `${e.operation === 'test-freeze' ? 'test freeze' : `snapshot ${e.snapshot}`}: started (policy ${e.policy}, maximum freeze ${e.maxFreezeS} s)`;
      case 'phase': {
        const detail = e.status === 'failed' ? oneLine(e.detail) : lastLine(e.detail);
        if (e.status === 'running') {
          this.openedAt.set(e.phase, e.at);
          return `  ${e.phase} …`;
        }
        const from = this.openedAt.get(e.phase);
        this.openedAt.delete(e.phase);
        const took = from === undefined ? '' : ` ${duration(Math.max(0, e.at - from))}`;
        return `  ${e.phase} ${e.status === 'done' ? 'done' : 'FAILED'}${took}${detail ? `: ${detail}` : ''}`;
      }
      case 'disks':
        return `  disks: ${e.disks.map((d) => `${d.target} → ${d.overlay}`).join(', ')} (${e.overlays === 'precreated' ? 'overlays made before the freeze' : 'overlays made by libvirt'})`;
      case 'frozen':
        return `  frozen: ${e.filesystems} filesystem${e.filesystems === 1 ? '' : 's'}`;
      case 'thawed':
        return `  thawed: writes were blocked ${duration(e.windowMs)}`;
      case 'watchdog':
        return `  watchdog ${e.what}${e.detail ? `: ${oneLine(e.detail)}` : ''}`;
      case 'files':
        return `  files ${e.what}: ${oneLine(e.detail)}`;
      case 'result':
        return e.ok
          ? `result: ${labelText(labelOfResult(e))}`
          : `result: failed at ${e.failedPhase ?? 'runner'}${e.message ? `: ${oneLine(e.message)}` : ''}`;
      case 'end':
        return undefined;
    }
  }
}

function labelOfResult(e: Extract<OperationEvent, { kind: 'result' }>) {
  switch (e.label) {
    case 'quiesced':
    case 'test-freeze':
      return { kind: e.label, filesystems: e.filesystems ?? 0 };
    case 'offline':
      return { kind: 'offline' as const };
    case undefined:
      return undefined;
    default:
      return { kind: 'crash-consistent' as const, reason: e.reason ?? 'no freeze' };
  }
}

type PhaseRow = { phase: string; status: string; detail?: string };

/**
 * Lines for what changed between two answers of a polled operation (a revert, a restore test):
 * each phase that appeared or changed status, and a new progress line.
 */
export class PolledProgress {
  private seen: PhaseRow[] = [];
  private lastProgress: string | null = null;

  lines(phases: readonly PhaseRow[], progress: string | null = null): string[] {
    const out: string[] = [];
    phases.forEach((p, i) => {
      const before = this.seen[i];
      if (before && before.phase === p.phase && before.status === p.status) return;
      const detail = p.status === 'failed' ? oneLine(p.detail) : lastLine(p.detail);
      out.push(
        `  ${p.phase} ${p.status === 'running' ? '…' : p.status === 'done' ? 'done' : 'FAILED'}${detail && p.status !== 'running' ? `: ${detail}` : ''}`,
      );
    });
    this.seen = phases.map((p) => ({ ...p }));
    if (progress && progress !== this.lastProgress) out.push(`    ${progress}`);
    this.lastProgress = progress;
    return out;
  }
}

/** Merge progress per disk, a line each 10 % (events come much more often). */
export class MergeProgress {
  private readonly shown = new Map<string, number>();

  line(e: AppEvent): string | undefined {
    if (e.type !== 'merge-progress') return undefined;
    // 101: "merged" is said once more after "100 %" (the pivot follows the copy).
    const step = e.done ? 101 : Math.min(100, Math.floor(e.percent / 10) * 10);
    if ((this.shown.get(e.target) ?? -1) >= step) return undefined;
    this.shown.set(e.target, step);
    return e.done ? `  ${e.target}: merged` : `  ${e.target}: ${step} %`;
  }
}
