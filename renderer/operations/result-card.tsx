import { useId } from 'react';
import type { OperationSummary, Overlays, QuiescePolicy } from '../../shared/snapshot';
import { ErrorBox } from '../ui/error-box';
import {
  formatWhen,
  formatWindow,
  labelText,
  labelTone,
  noWindowText,
  STATE_TONE,
  STATE_WORD,
  watchdogExplanation,
} from './operation-format';

const POLICY_WORDS: Record<QuiescePolicy, string> = {
  require: 'Require quiesce',
  'allow-crash-consistent': 'Allow crash-consistent',
};

const OVERLAY_WORDS: Record<Overlays, string> = {
  precreated: 'Pre-created before the freeze, handed to libvirt with --reuse-external',
  libvirt: 'Created by libvirt during the cut',
};

/**
 * What an operation came to: its label (docs/ARCHITECTURE.md, "Explicit quiesce policy"), the
 * blocked-write window as measured ("Measured window"), the snapshot and its overlay files; on
 * failure what happened, why, what to do ("Errors that say what to do") and whether a snapshot
 * exists; for a runner that vanished, what the watchdog did.
 */
export function ResultCard({
  summary,
  domainName,
  today,
}: {
  summary: OperationSummary;
  domainName?: string | undefined;
  today: Date;
}) {
  const titleId = useId();
  const { state, label, windowMs } = summary;
  const wasTaken = summary.snapshotTaken;
  // Overlays planned for a snapshot that was never cut were removed again: not worth listing.
  const showDisks = wasTaken === true && summary.disks.length > 0;

  return (
    <section
      className={`result-card result-${state}`}
      aria-labelledby={titleId}
      data-testid="snapshot-result"
      data-state={state}
      data-label={label?.kind ?? 'none'}
    >
      <header className="result-head">
        {label ? (
          <span
            className={`badge label-badge badge-${labelTone(label)}`}
            data-testid="snapshot-label"
          >
            {label.kind === 'crash-consistent' ? (
              <>
                Crash-consistent <span className="label-reason">· {label.reason}</span>
              </>
            ) : (
              labelText(label)
            )}
          </span>
        ) : (
          <span className={`badge label-badge badge-${STATE_TONE[state]}`}>
            {STATE_WORD[state]}
          </span>
        )}
        <h3 id={titleId} className="result-title">
          <span className="mono">{summary.snapshot || 'Snapshot'}</span>
          {domainName && <span className="muted"> of {domainName}</span>}
        </h3>
      </header>

      {state === 'succeeded' && (
        <p className="result-window" data-testid="snapshot-window" data-window-ms={windowMs ?? ''}>
          {windowMs !== null ? (
            <>
              <span>Blocked-write window </span>
              <strong>{formatWindow(windowMs)}</strong>
              <span className="muted">
                {' '}
                · measured on the host, from the freeze being issued to the thaw returning
              </span>
            </>
          ) : (
            noWindowText(label)
          )}
        </p>
      )}

      {state === 'failed' && (
        <>
          {summary.error && <ErrorBox error={summary.error} testId="snapshot-error" />}
          <p
            className={`snapshot-taken ${wasTaken ? 'is-taken' : ''}`}
            data-testid="snapshot-taken"
            data-taken={wasTaken === undefined ? 'unknown' : String(wasTaken)}
          >
            {wasTaken === false
              ? 'No snapshot was taken: the domain’s disks are as they were.'
              : wasTaken
                ? 'A snapshot was cut, but it is NOT reported as consistent: delete it, or keep it knowing that.'
                : 'Whether a snapshot was made is not recorded: check the domain’s snapshot list.'}
          </p>
          {windowMs !== null && (
            <p className="result-window" data-testid="snapshot-window">
              Guest writes were held for <strong>{formatWindow(windowMs)}</strong>
              <span className="muted"> · measured on the host</span>
            </p>
          )}
        </>
      )}

      {state === 'lost' && (
        <>
          {summary.error && <ErrorBox error={summary.error} testId="snapshot-error" />}
          <p className="watchdog-outcome" data-testid="watchdog-outcome">
            {watchdogExplanation(summary.watchdog)}
          </p>
        </>
      )}

      <dl className="result-facts">
        <div>
          <dt>Policy</dt>
          <dd>{summary.policy && POLICY_WORDS[summary.policy]}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            {formatWhen(summary.startedAt, today)}
            {summary.user && (
              <span className="muted">
                {' '}
                by {summary.user}@{summary.workstation}
              </span>
            )}
          </dd>
        </div>
        {showDisks && summary.overlays && (
          <div>
            <dt>Overlays</dt>
            <dd data-testid="snapshot-overlays" data-overlays={summary.overlays}>
              {OVERLAY_WORDS[summary.overlays]}
            </dd>
          </div>
        )}
        {summary.watchdog && state !== 'lost' && (
          <div>
            <dt>Watchdog</dt>
            <dd>{summary.watchdog}</dd>
          </div>
        )}
        <div>
          <dt>Operation</dt>
          <dd className="mono small">{summary.opId}</dd>
        </div>
      </dl>

      {showDisks && (
        <table className="plain-table disk-table" data-testid="snapshot-disks">
          <caption className="visually-hidden">Disks and their overlay files</caption>
          <thead>
            <tr>
              <th scope="col">Disk</th>
              <th scope="col">Snapshot (frozen image)</th>
              <th scope="col">Overlay (new writes go here)</th>
            </tr>
          </thead>
          <tbody>
            {summary.disks.map((d) => (
              <tr key={d.target}>
                <td className="mono">{d.target}</td>
                <td className="mono path">{d.backing}</td>
                <td className="mono path">{d.overlay}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
