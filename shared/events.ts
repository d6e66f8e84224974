import { z } from 'zod';
import { ConnectionStateSchema, HostIdSchema } from './hosts';
import { AppErrorSchema } from './errors';
import { RestoreDiskProgressSchema } from './export';
import { OperationEventSchema } from './snapshot';

/**
 * The app's own actions in the Electron shell's application menu (electron/shell/app-menu.ts);
 * the window that has the focus carries them out for its selected host and domain.
 */
export const MenuCommandSchema = z.enum([
  'refresh',
  'add-host',
  'snapshot',
  'history',
  'doctor',
  'settings',
]);
export type MenuCommand = z.infer<typeof MenuCommandSchema>;

/** An event about one host: its type and the host's id, then its own fields. */
function hostEvent<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.object({ type: z.literal(type), hostId: HostIdSchema, ...shape });
}

/** Everything main pushes to the renderer unasked. One union, validated on both sides. */
export const AppEventSchema = z.discriminatedUnion('type', [
  /** A host's SSH link changed state; `error` says why when it failed. */
  hostEvent('connection', {
    state: ConnectionStateSchema,
    error: AppErrorSchema.optional(),
  }),
  /** libvirt reported a change that can move a readiness badge (lifecycle, agent…). */
  hostEvent('domains-changed', {
    /** The domain's name, as `virsh event --all` prints it. */
    domain: z.string(),
    /** The event and what it says, e.g. `lifecycle` and "Suspended Paused". */
    kind: z.string(),
    detail: z.string(),
  }),
  /** Progress of a chain merge (blockcommit) on one disk. */
  hostEvent('merge-progress', {
    uuid: z.string(),
    target: z.string(),
    percent: z.number(),
    done: z.boolean().optional(),
  }),
  /**
   * How far a restore from an export has got on one disk (export.restore and
   * export.restoreOriginal, while the call runs): the domain exported and the export's id say
   * which restore form it belongs to.
   */
  hostEvent('restore-progress', {
    uuid: z.string(),
    exportId: z.string(),
    disk: RestoreDiskProgressSchema,
  }),
  /** One journal line of a snapshot operation, as the host runner wrote it. */
  hostEvent('operation', {
    opId: z.string(),
    event: OperationEventSchema,
  }),
  /** A scheduled run on the host failed or needs a look (docs/schedules.md), not notified before. */
  hostEvent('schedule-alert', {
    schedule: z.string(),
    message: z.string(),
  }),
  /**
   * A restore test the domain's choice "test restore after each snapshot" asked for
   * (electron/services/revert/restore-test-policy.ts): started, ended with its verdict, or not
   * started and why. The result itself is kept on the host like any other (restore.list).
   */
  hostEvent('restore-test', {
    uuid: z.string(),
    snapshot: z.string(),
    state: z.enum(['started', 'ended', 'not-started']),
    /** The restore test's operation id, once started. */
    opId: z.string().nullable(),
    /** Once ended: whether the clone booted and its agent answered with the filesystems. */
    restorable: z.boolean().nullable(),
    /** Why it failed or did not start. */
    message: z.string().nullable(),
  }),
  /** A menu item or its shortcut was chosen (Electron shell only). */
  z.object({ type: z.literal('menu'), command: MenuCommandSchema }),
]);
export type AppEvent = z.infer<typeof AppEventSchema>;
