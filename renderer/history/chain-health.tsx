import { useId } from 'react';
import type { DiskChain, HistoryEntry } from '../../shared/history';
import { DiskProgress, DiskProgressLine } from '../ui/disk-progress';
import { layerRoles, mergeable } from './chain-view';
import { baseName, dirName, formatBytes } from './history-format';
import type { MergeProgress } from './merge-progress';

/**
 * Each disk's backing chain from the live overlay down to the base image, with sizes and what
 * each layer holds; the warning when a chain is long; and the way to fold them all back into
 * their base images, with its progress.
 */
export function ChainHealth({
  chains,
  snapshots,
  busy,
  merging,
  progress,
  onMerge,
}: {
  chains: readonly DiskChain[];
  snapshots: readonly Pick<HistoryEntry, 'name' | 'disks'>[];
  busy: boolean;
  merging: boolean;
  progress: MergeProgress;
  onMerge: () => void;
}) {
  const uid = useId();
  const toMerge = mergeable(chains);
  const targets = Object.keys(progress);
  return (
    <section className="history-section" aria-labelledby={`${uid}-title`}>
      <div className="section-head">
        <h3 id={`${uid}-title`}>Disk chains</h3>
        <div className="section-tools">
          <span className="muted small">
            {toMerge.length === 0
              ? 'Every disk is its base image alone: nothing to merge.'
              : 'Merging folds every snapshot into the base image, while the guest runs.'}
          </span>
          <button
            type="button"
            data-testid="chain-merge"
            disabled={busy || toMerge.length === 0}
            onClick={onMerge}
          >
            {merging ? 'Merging…' : 'Merge chain…'}
          </button>
        </div>
      </div>
      {targets.length > 0 && (
        <DiskProgress
          testId="merge-progress"
          state={targets.every((t) => progress[t]!.done) ? 'done' : 'running'}
          role="status"
        >
          {targets.map((t) => {
            const p = progress[t]!;
            return (
              <DiskProgressLine
                key={t}
                id={`${uid}-${t}`}
                target={t}
                max={100}
                value={p.percent}
                words={p.done ? 'merged' : `${Math.round(p.percent)} %`}
                data={{ 'data-percent': p.percent }}
              />
            );
          })}
        </DiskProgress>
      )}
      {chains.length === 0 ? (
        <p className="placeholder small">libvirt reported no disk chain for this domain.</p>
      ) : (
        <div className="chains stack">
          {chains.map((chain) => (
            <ChainView key={chain.target} chain={chain} snapshots={snapshots} />
          ))}
        </div>
      )}
    </section>
  );
}

function ChainView({
  chain,
  snapshots,
}: {
  chain: DiskChain;
  snapshots: readonly Pick<HistoryEntry, 'name' | 'disks'>[];
}) {
  const roles = layerRoles(chain, snapshots);
  const n = chain.layers.length;
  return (
    <div
      className={`chain${chain.warning ? ' is-long' : ''}`}
      data-testid={`chain-${chain.target}`}
      data-layers={n}
    >
      <h4 className="chain-title">
        <span className="mono">{chain.target}</span>
        <span className="count">
          {n} layer{n === 1 ? '' : 's'}
        </span>
        <span className="muted small">live overlay first, base image last</span>
      </h4>
      {chain.warning && (
        <p className="notice-warning small" data-testid={`chain-warning-${chain.target}`}>
          {chain.warning}
        </p>
      )}
      <ol className="chain-layers">
        {chain.layers.map((layer, i) => {
          const role = roles[i]!;
          return (
            <li
              key={layer.file}
              className={`chain-layer${role.top ? ' is-top' : ''}${role.base ? ' is-base' : ''}`}
            >
              <span className="layer-role small">
                {role.base && role.top
                  ? 'Base image, live'
                  : role.top
                    ? 'Live overlay'
                    : role.base
                      ? 'Base image'
                      : 'Overlay'}
              </span>
              <span className="layer-file" title={layer.file}>
                <span className="mono">{baseName(layer.file)}</span>
                <span className="mono small muted layer-dir">{dirName(layer.file)}</span>
              </span>
              <span className="layer-holds small">
                {role.writesAfter ? (
                  <>
                    writes after <span className="mono">{role.writesAfter}</span>
                  </>
                ) : role.top && !role.base ? (
                  'writes since the newest snapshot'
                ) : role.base ? (
                  'the disk before any snapshot'
                ) : (
                  ''
                )}
                {role.frozenBy.length > 0 && (
                  <span className="muted">
                    {' '}
                    · frozen at <span className="mono">{role.frozenBy.join(', ')}</span>
                  </span>
                )}
              </span>
              <span className="layer-size small num">
                {formatBytes(layer.actualSize)}
                <span className="muted"> of {formatBytes(layer.virtualSize)}</span>
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
