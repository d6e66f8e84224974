import { useEffect, useRef, useState, type ComponentType, type KeyboardEvent } from 'react';
import type { InventoryDomain } from '../../shared/readiness';
import type { AppErrorShape } from '../../shared/errors';
import type { History, HistoryEntry } from '../../shared/history';
import { formatTime } from '../ui/format';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { StatusLine } from '../ui/status-line';
import { RefreshButton } from '../ui/table-parts';
import { ChainHealth } from './chain-health';
import { DeleteDialog } from './delete-dialog';
import { FailedOperations } from './failed-operations';
import { HistoryPageFrame } from './history-page-frame';
import { MergeDialog } from './merge-dialog';
import { PhaseChart } from './phase-chart';
import { RevertDialog } from './revert-dialog';
import { BranchList } from './branch-list';
import { RestoreTestPanel } from './restore-test-panel';
import { QuiesceRevertDialog } from './quiesce-revert';
import { SnapshotList } from './snapshot-list';
import {
  useDeleteSnapshot,
  useHistory,
  useMergeChain,
  useMergeProgress,
  useRevertSnapshot,
} from './use-history';
import { WindowChart } from './window-chart';
import { REVERT_SINCE } from './manual-revert';
import type { HistorySectionProps } from './history-view';
import './history.css';

type Asking =
  | { kind: 'delete'; entry: HistoryEntry }
  | { kind: 'revert'; entry: HistoryEntry }
  | { kind: 'merge' };

type Done = { testId: string; text: string };

const isTyping = (el: EventTarget) =>
  el instanceof HTMLInputElement ||
  el instanceof HTMLSelectElement ||
  el instanceof HTMLTextAreaElement;

/**
 * One domain's snapshot history, as a page of the host in place of its domain list: its
 * snapshots (with their labels, windows and overlays), the windows over time and an operation's
 * phases as charts, its failed operations, and its disk chains — with delete, revert and merge,
 * each asked for first. Back, or Escape anywhere on the page that a field or a dialog did not
 * take, returns to the list (the host page gives the focus back to the domain's row). The
 * confirmations are dialogs beside the page, so Escape there closes only them.
 */
export function HistoryPage({
  hostId,
  domain,
  onBack,
  ExportsSection,
}: {
  hostId: string;
  domain: Pick<InventoryDomain, 'uuid' | 'name'>;
  onBack: () => void;
  /** The domain's exports, last on the page; given by the page that opens the history, so the
   * history does not import export/ (which reads the history). */
  ExportsSection?: ComponentType<HistorySectionProps> | undefined;
}) {
  const history = useHistory(hostId, domain.uuid);
  const del = useDeleteSnapshot(hostId, domain.uuid);
  const revert = useRevertSnapshot(hostId, domain.uuid);
  const merge = useMergeChain(hostId, domain.uuid);
  const merging = useMergeProgress(hostId, domain.uuid);
  const [selected, setSelected] = useState<string>();
  const [opId, setOpId] = useState<string>();
  const [asking, setAsking] = useState<Asking>();
  const [failure, setFailure] = useState<AppErrorShape>();
  const [done, setDone] = useState<Done>();
  const searchRef = useRef<HTMLInputElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const focusListNext = useRef(true);
  const data = history.data;
  const busy = del.isPending || revert.isPending || merge.isPending;

  // Keyboard-first: on open, and after a delete or a merge once the list has been read again and
  // the confirmation is gone (its row may be gone too), the focus goes to the list.
  useEffect(() => {
    if (!data || asking || !focusListNext.current) return;
    focusListNext.current = false;
    const row = bodyRef.current?.querySelector<HTMLElement>('tr.history-row[tabindex="0"]');
    (row ?? searchRef.current)?.focus();
  }, [data, asking]);

  const stopAsking = () => setAsking(undefined);

  function start() {
    setFailure(undefined);
    setDone(undefined);
  }

  function onDelete(entry: HistoryEntry) {
    start();
    focusListNext.current = true;
    del.mutate(entry.name, {
      onSuccess: () => {
        setDone({
          testId: 'history-deleted',
          text: `Deleted ${entry.name}: its overlay was merged, the data kept.`,
        });
        if (selected === entry.name) setSelected(undefined);
      },
      onError: (err) => setFailure(errorShape(err)),
      onSettled: () => setAsking(undefined),
    });
  }

  function onRevert(entry: HistoryEntry) {
    start();
    revert.mutate(entry.name, {
      onSuccess: () =>
        setDone({
          testId: 'history-reverted',
          text: `${domain.name} was reverted to ${entry.name} and is shut off: start it when ready.`,
        }),
      onError: (err) => setFailure(errorShape(err)),
      onSettled: () => setAsking(undefined),
    });
  }

  function onMerge() {
    start();
    merging.reset();
    setAsking(undefined);
    merge.mutate(undefined, {
      onSuccess: ({ forgotten }) => {
        setDone({
          testId: 'history-merged',
          text:
            forgotten.length === 0
              ? 'Merged: every disk is its base image again.'
              : `Merged: every disk is its base image again; ${forgotten.length} snapshot${forgotten.length === 1 ? '' : 's'} folded in (${forgotten.join(', ')}).`,
        });
        setSelected(undefined);
      },
      onError: (err) => setFailure(errorShape(err)),
    });
  }

  // "/" searches the snapshots (Escape, going back, is the frame's).
  function onPageKeyDown(e: KeyboardEvent<HTMLElement>) {
    if (e.key === '/' && !isTyping(e.target) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      searchRef.current?.focus();
      e.preventDefault();
    }
  }

  const later = (entry: HistoryEntry) => {
    const list = data?.snapshots ?? [];
    return list.slice(list.findIndex((s) => s.name === entry.name) + 1).map((s) => s.name);
  };

  return (
    <>
      <HistoryPageFrame
        domainName={domain.name}
        onBack={onBack}
        onKeyDown={onPageKeyDown}
        tools={<RefreshButton query={history} testId="history-refresh" label="Read again" />}
      >
        <div
          className="history"
          ref={bodyRef}
          aria-busy={history.isFetching}
          data-loaded={data ? 'yes' : 'no'}
        >
          <StatusLine busy={history.isFetching} className="history-status" testId="history-status">
            {history.isFetching ? (
              'Reading the snapshots and disk chains on the host…'
            ) : data ? (
              <>
                Read at {formatTime(history.dataUpdatedAt)} · libvirt {data.abilities.libvirt} ·
                delete {data.abilities.deleteExternal ? 'merges the overlay' : 'not supported'} ·
                revert{' '}
                {data.abilities.revertExternal
                  ? 'supported'
                  : `by Quiesce’s own procedure (libvirt’s from ${REVERT_SINCE})`}
              </>
            ) : null}
          </StatusLine>
          {history.isError && <ErrorBox error={errorShape(history.error)} />}
          {failure && <ErrorBox error={failure} testId="history-action-error" />}
          {done && (
            <p className="notice-ok" data-testid={done.testId} role="status">
              {done.text}
            </p>
          )}
          {data && (
            <>
              <section className="history-section" aria-label="Snapshots">
                {data.snapshots.length === 0 ? (
                  <p className="placeholder" data-testid="history-empty">
                    libvirt lists no snapshot of {domain.name}.
                  </p>
                ) : (
                  <SnapshotList
                    snapshots={data.snapshots}
                    selected={selected}
                    busy={busy}
                    revertManual={!data.abilities.revertExternal}
                    searchRef={searchRef}
                    onSelect={(entry) => {
                      setSelected(entry.name);
                      if (entry.opId) setOpId(entry.opId);
                    }}
                    onDelete={(entry) => setAsking({ kind: 'delete', entry })}
                    onRevert={(entry) => setAsking({ kind: 'revert', entry })}
                  />
                )}
              </section>
              <FailedOperations operations={data.operations} shown={opId} onShow={setOpId} />
              <div className="history-charts">
                <WindowChart snapshots={data.snapshots} selected={selected} />
                <PhaseChart operations={data.operations} opId={opId} onOpId={setOpId} />
              </div>
              <ChainHealth
                chains={data.chains}
                snapshots={data.snapshots}
                busy={busy}
                merging={merge.isPending}
                progress={merging.progress}
                onMerge={() => setAsking({ kind: 'merge' })}
              />
              <BranchList hostId={hostId} uuid={domain.uuid} domain={domain.name} />
              <RestoreTestPanel hostId={hostId} uuid={domain.uuid} snapshot={selected} />
              {ExportsSection && (
                <ExportsSection hostId={hostId} uuid={domain.uuid} domain={domain.name} />
              )}
            </>
          )}
        </div>
      </HistoryPageFrame>
      {data && asking?.kind === 'delete' && (
        <DeleteDialog
          {...chainFacts(data)}
          entry={asking.entry}
          busy={del.isPending}
          onConfirm={() => onDelete(asking.entry)}
          onCancel={stopAsking}
        />
      )}
      {data && asking?.kind === 'revert' && !data.abilities.revertExternal && (
        <QuiesceRevertDialog
          hostId={hostId}
          uuid={domain.uuid}
          domain={domain.name}
          target={{ kind: 'snapshot', name: asking.entry.name }}
          onClose={stopAsking}
        />
      )}
      {data && asking?.kind === 'revert' && data.abilities.revertExternal && (
        <RevertDialog
          {...chainFacts(data)}
          domain={domain.name}
          entry={asking.entry}
          later={later(asking.entry)}
          busy={revert.isPending}
          onConfirm={() => onRevert(asking.entry)}
          onCancel={stopAsking}
        />
      )}
      {data && asking?.kind === 'merge' && (
        <MergeDialog
          domain={domain.name}
          chains={data.chains}
          snapshots={data.snapshots}
          busy={merge.isPending}
          onConfirm={onMerge}
          onCancel={stopAsking}
        />
      )}
    </>
  );
}

/** What a delete or revert question says about the disks: their chains and this libvirt. */
function chainFacts(data: Pick<History, 'chains' | 'abilities'>) {
  return { chains: data.chains, abilities: data.abilities };
}
