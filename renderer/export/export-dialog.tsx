import { useQueryClient } from '@tanstack/react-query';
import { useState, type HTMLAttributes, type SyntheticEvent } from 'react';
import { createPortal } from 'react-dom';
import { ExportRequestSchema, type ExportMode, type ExportSummary } from '../../shared/export';
import type { HistoryEntry } from '../../shared/history';
import { queryKeys } from '../cache/query-keys';
import { formatFullTime, labelBadge } from '../history/history-format';
import { useHistory } from '../history/use-history';
import { useTransport } from '../transport/transport-context';
import { Checkbox } from '../ui/checkbox';
import { Dialog, SubmitActions } from '../ui/dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { Radio } from '../ui/radio';
import { Field, TextField } from '../ui/text-field';
import { useExportRun, useExportSpace, useStartExport } from './use-exports';
import { outcomeText, progressText, spaceVerdict } from './export-view';

/**
 * React passes a <dialog>'s cancel and close events up its own tree, portals included: the
 * history dialog this one opens from would close with it. A wall for them (a div has no typed
 * onCancel/onClose, React handles them all the same).
 */
const stop = (e: SyntheticEvent) => e.stopPropagation();
const WALL = { onCancel: stop, onClose: stop } as unknown as HTMLAttributes<HTMLDivElement>;

/** A snapshot the dialog offers, and why the host would refuse it when it would. */
interface SnapshotChoice {
  entry: HistoryEntry;
  /** Set when the export cannot be asked for at all. */
  unusable?: string;
  quiesced: boolean;
}

/**
 * The domain's snapshots an export can start from, newest first: the service copies the frozen
 * image under each external overlay a snapshot made (docs/export.md, "An existing snapshot, with
 * no freeze at all"), so a snapshot with no external disk, or a name the contract's
 * `ExportRequestSchema` refuses, is listed but cannot be picked.
 */
function snapshotChoices(entries: readonly HistoryEntry[]): SnapshotChoice[] {
  const nameOk = (n: string) => ExportRequestSchema.shape.snapshot.safeParse(n).success;
  return entries
    .map((entry, i) => ({ entry, i }))
    .sort(
      (a, b) =>
        (b.entry.createdAt ?? '').localeCompare(a.entry.createdAt ?? '') ||
        // libvirt lists parents first: the later one is the newer
        b.i - a.i,
    )
    .map(({ entry }) => {
      const external = entry.disks.some((d) => d.snapshot === 'external' && d.file);
      const unusable = !external
        ? 'no external disk to copy'
        : !nameOk(entry.name)
          ? 'a name the export does not take'
          : undefined;
      return {
        entry,
        ...(unusable ? { unusable } : {}),
        quiesced: entry.label?.kind === 'quiesced',
      };
    });
}

/** A snapshot's label in the words of the history's badge, or that Quiesce did not make it. */
function choiceLabel(c: SnapshotChoice): string {
  return c.entry.label ? labelBadge(c.entry.label).title : 'not made by Quiesce: no label';
}

/** An option of the snapshot list: name · label · date. */
function choiceText(c: SnapshotChoice): string {
  const label = c.entry.label ? labelBadge(c.entry.label).text : 'not made by Quiesce';
  const when = c.entry.createdAt ? formatFullTime(c.entry.createdAt) : 'date unknown';
  return `${c.entry.name} · ${label} · ${when}${c.unusable ? ` (${c.unusable})` : ''}`;
}

/**
 * A snapshot export's outcome: it froze nothing, so it has no blocked-write window of its own
 * (outcomeText in export-view.ts speaks of the window of a live export's freeze).
 */
function snapshotOutcome(s: ExportSummary, snapshot: string): string {
  if (s.state !== 'succeeded') return outcomeText(s);
  const c = s.consistency;
  const label =
    c?.label === 'quiesced'
      ? `quiesced (${c.filesystems} filesystem${c.filesystems === 1 ? '' : 's'}, as its snapshot run froze them)`
      : `crash-consistent (${c?.reason ?? 'not quiesced'})`;
  return `Exported snapshot ${snapshot} (full): ${label}; no freeze of its own, in ${s.folder ?? s.dest}.`;
}

/** The kinds of export the dialog offers, in its order, with what each means. */
const EXPORT_MODES: readonly (readonly [ExportMode, string])[] = [
  [
    'incremental',
    'Incremental (only the blocks changed since the last export here; full if there is none)',
  ],
  ['full', 'Full'],
];

/**
 * "Export…": a consistent copy of the domain's disks into a folder on the host (docs/export.md).
 * The admin picks what to export (the domain now, frozen for the cut, or one of its existing
 * snapshots, copied with no freeze: always full), the folder and, for "now", full or
 * incremental; the space there is checked before the start, then the export's progress (bytes,
 * rate, ETA) shows until it ends; Cancel stops it and the host removes its partial files. In
 * <body> and walled off, so its Escape closes only itself.
 */
export function ExportDialog({
  hostId,
  uuid,
  domain,
  initialDest,
  onClose,
}: {
  hostId: string;
  uuid: string;
  domain: string;
  initialDest: string;
  onClose: () => void;
}) {
  const [dest, setDest] = useState(initialDest);
  const [checked, setChecked] = useState<string>();
  const [mode, setMode] = useState<ExportMode>('incremental');
  /** What to export: the domain now, or (fromSnapshot) the snapshot picked. */
  const [fromSnapshot, setFromSnapshot] = useState(false);
  const [snapshot, setSnapshot] = useState<string>();
  /** The admin's explicit yes to a snapshot that is not quiesced (policy allow-crash-consistent). */
  const [allowCrash, setAllowCrash] = useState(false);
  const [opId, setOpId] = useState<string>();
  const [failure, setFailure] = useState<ReturnType<typeof errorShape>>();
  const space = useExportSpace(hostId, uuid, checked);
  const start = useStartExport(hostId, uuid);
  const run = useExportRun(hostId, opId);
  const history = useHistory(hostId, uuid);
  const transport = useTransport();
  const client = useQueryClient();
  const choices = snapshotChoices(history.data?.snapshots ?? []);
  const usable = choices.filter((c) => !c.unusable);
  const picked = fromSnapshot ? choices.find((c) => c.entry.name === snapshot) : undefined;
  /** A snapshot has no checkpoint to build on: its export is always full. */
  const effectiveMode: ExportMode = fromSnapshot ? 'full' : mode;
  const needsYes = picked !== undefined && !picked.quiesced;
  const ready = !fromSnapshot || (picked !== undefined && (!needsYes || allowCrash));
  const verdict =
    space.data && checked === dest ? spaceVerdict(space.data, effectiveMode) : undefined;
  const running = opId !== undefined && (!run.data || run.data.state === 'running');
  const done = opId !== undefined && run.data !== undefined && !running;
  const close = () => {
    if (done) void client.invalidateQueries({ queryKey: queryKeys.exports(hostId, uuid) });
    onClose();
  };
  const pct =
    run.data?.progress && run.data.progress.total > 0
      ? Math.floor((run.data.progress.done / run.data.progress.total) * 100)
      : 0;

  return createPortal(
    <div className="history-layer" onKeyDown={(e) => e.stopPropagation()} {...WALL}>
      <Dialog title="Export" subtitle={domain} onClose={close} testId="export-dialog">
        {!opId && (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              if (!ready) return;
              if (!verdict?.ok) {
                setChecked(dest);
                return;
              }
              setFailure(undefined);
              start.mutate(
                picked
                  ? {
                      dest,
                      mode: 'full',
                      snapshot: picked.entry.name,
                      policy: allowCrash ? 'allow-crash-consistent' : 'require',
                    }
                  : // the contract's default: a live export is quiesced or not kept
                    { dest, mode, policy: 'require' },
                {
                  onSuccess: (r) => setOpId(r.opId),
                  onError: (err) => setFailure(errorShape(err)),
                },
              );
            }}
          >
            <fieldset className="stack" data-testid="export-source">
              <legend>What to export</legend>
              <Radio
                name="export-source"
                checked={!fromSnapshot}
                onChange={() => setFromSnapshot(false)}
                testId="export-source-now"
              >
                Now (freeze for the cut)
              </Radio>
              <Radio
                name="export-source"
                checked={fromSnapshot}
                disabled={usable.length === 0}
                onChange={() => {
                  setFromSnapshot(true);
                  if (!usable.some((c) => c.entry.name === snapshot))
                    setSnapshot(usable[0]?.entry.name);
                }}
                testId="export-source-snapshot"
              >
                An existing snapshot (its frozen images, no freeze now)
                {history.isPending
                  ? ' — reading the snapshots…'
                  : usable.length === 0
                    ? ' — this domain has none to export'
                    : ''}
              </Radio>
              {history.isError && <ErrorBox error={errorShape(history.error)} />}
              {fromSnapshot && (
                <Field
                  id="export-snapshot"
                  label="Snapshot (newest first)"
                  hint={
                    picked && (
                      <span data-testid="export-snapshot-label">
                        {choiceLabel(picked)}
                        {picked.entry.windowMs !== null &&
                          ` · blocked writes for ${picked.entry.windowMs} ms when it was cut`}
                      </span>
                    )
                  }
                >
                  {(control) => (
                    <select
                      {...control}
                      value={snapshot ?? ''}
                      onChange={(e) => {
                        setSnapshot(e.target.value);
                        setAllowCrash(false);
                      }}
                      data-testid="export-snapshot"
                    >
                      {choices.map((c) => (
                        <option key={c.entry.name} value={c.entry.name} disabled={!!c.unusable}>
                          {choiceText(c)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              )}
              {needsYes && (
                <div className="notice-warning" data-testid="export-snapshot-not-quiesced">
                  <p>
                    This snapshot is not quiesced: its export is labelled crash-consistent, and
                    under the default policy (require) the host refuses it.
                  </p>
                  <Checkbox
                    checked={allowCrash}
                    onChange={setAllowCrash}
                    testId="export-allow-crash"
                  >
                    Export it anyway, labelled crash-consistent
                  </Checkbox>
                </div>
              )}
            </fieldset>
            <TextField
              id="export-dest"
              label="Destination folder on the host"
              value={dest}
              onChange={(v) => setDest(v)}
              mono
              testId="export-dest"
              hint="The images go to FOLDER/UUID/EXPORT-ID/ with a manifest.json written last. QEMU writes them: every folder on the way must be searchable by others."
            />
            <fieldset
              className="stack"
              data-testid="export-mode"
              disabled={fromSnapshot}
              aria-describedby={fromSnapshot ? 'export-mode-why' : undefined}
            >
              <legend>Kind</legend>
              {fromSnapshot && (
                <p className="muted small" id="export-mode-why" data-testid="export-mode-why">
                  An export of a snapshot is always full: a snapshot has no checkpoint for an
                  incremental to build on.
                </p>
              )}
              {EXPORT_MODES.map(([mode, text]) => (
                <Radio
                  key={mode}
                  name="export-mode"
                  checked={effectiveMode === mode}
                  onChange={() => setMode(mode)}
                  testId={`export-mode-${mode}`}
                >
                  {text}
                </Radio>
              ))}
            </fieldset>
            <p className="inline-row">
              <button
                type="button"
                data-testid="export-check-space"
                disabled={!dest.startsWith('/')}
                onClick={() => {
                  setChecked(dest);
                  void space.refetch();
                }}
              >
                Check space
              </button>
              {space.isFetching && <span className="muted">Checking…</span>}
            </p>
            {verdict && (
              <p
                className={verdict.ok ? 'notice-ok' : 'notice-warning'}
                data-testid="export-space"
                data-ok={verdict.ok}
                role="status"
              >
                {verdict.text}
              </p>
            )}
            {space.isError && <ErrorBox error={errorShape(space.error)} />}
            {failure && <ErrorBox error={failure} testId="export-error" />}
            <p className="muted small" data-testid="export-freeze-note">
              {fromSnapshot
                ? 'Nothing of the guest is frozen or touched: the snapshot’s frozen images (its cut was its own freeze) are copied while the guest works, and the export carries the snapshot’s label.'
                : 'The guest’s filesystems are frozen only for the cut (libvirt’s backup-begin with a checkpoint); the copy runs afterwards while the guest works.'}
            </p>
            <SubmitActions
              submitText={picked ? 'Export snapshot' : 'Export'}
              busy={start.isPending}
              disabled={!verdict?.ok || !ready}
              onDismiss={close}
              dismissText="Close"
              testId="export-start"
            />
          </form>
        )}
        {opId && (
          <div className="stack" data-testid="export-run" data-state={run.data?.state ?? 'running'}>
            <p className="mono small">{opId}</p>
            {picked && (
              <p className="small" data-testid="export-run-snapshot">
                Snapshot <span className="mono">{picked.entry.name}</span>, {choiceLabel(picked)}
              </p>
            )}
            <progress
              max={100}
              value={pct}
              data-testid="export-progress"
              aria-label="Export progress"
            />
            <p role="status" data-testid="export-status">
              {run.data
                ? running
                  ? progressText(run.data)
                  : picked
                    ? snapshotOutcome(run.data, picked.entry.name)
                    : outcomeText(run.data)
                : 'starting…'}
            </p>
            {run.data?.progress && run.data.progress.disks.length > 0 && running && (
              <ul className="small" data-testid="export-disks">
                {run.data.progress.disks.map((d) => (
                  <li key={d.target}>
                    <span className="mono">{d.target}</span>: {d.bytes.toLocaleString()} bytes
                    written
                  </li>
                ))}
              </ul>
            )}
            {failure && <ErrorBox error={failure} testId="export-error" />}
            <div className="dialog-actions">
              {running && (
                <button
                  type="button"
                  data-testid="export-cancel"
                  onClick={() =>
                    void transport
                      .call('export.cancel', { hostId, opId })
                      .catch((e: unknown) => setFailure(errorShape(e)))
                  }
                >
                  Cancel export
                </button>
              )}
              <button type="button" className="primary" onClick={close} data-testid="export-close">
                Close
              </button>
            </div>
          </div>
        )}
      </Dialog>
    </div>,
    document.body,
  );
}
