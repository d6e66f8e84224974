import { useId, useMemo, useState } from 'react';
import type { Domain } from '../../shared/domains';
import type { HostProfile } from '../../shared/hosts';
import type { Schedule } from '../../shared/schedule/policy';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { Remedy } from '../ui/remedy';
import { RefreshButton } from '../ui/table-parts';
import {
  RUN_TONE,
  RUN_WORD,
  describeSchedule,
  describeTarget,
  formatTime,
  retentionSummary,
} from './schedule-format';
import { ScheduleEditor } from './schedule-editor';
import {
  useFailureNotifications,
  useMarkSeen,
  useRemoveSchedule,
  useRunNow,
  useSchedules,
} from './use-schedules';
import './schedule.css';

/**
 * A host's schedules, which run on the host itself (docs/schedules.md): each with its next run and
 * last result, the failures since the admin last looked (a badge, and a list with the error and
 * what to do), and the editor. Failures also raise a desktop notification.
 */
export function SchedulesPanel({
  host,
  domains,
}: {
  host: HostProfile;
  domains: readonly Pick<Domain, 'uuid' | 'name'>[];
}) {
  const q = useSchedules(host.id);
  const titleId = useId();
  const [editing, setEditing] = useState<Schedule | 'new'>();
  const [showAlerts, setShowAlerts] = useState(false);
  const remove = useRemoveSchedule(host.id);
  const runNow = useRunNow(host.id);
  const markSeen = useMarkSeen(host.id);
  const names = useMemo(() => new Map(domains.map((d) => [d.uuid, d.name])), [domains]);
  const alerts = q.data?.alerts;
  useFailureNotifications(host.name, alerts);
  const today = new Date();
  const failures = alerts?.length ?? 0;

  return (
    <section className="schedules stack" aria-labelledby={titleId} data-testid="schedules">
      <div className="section-head">
        <h3 id={titleId}>
          Schedules
          {q.data && <span className="count">{q.data.schedules.length}</span>}
          {failures > 0 && (
            <button
              type="button"
              className="badge badge-bad schedule-alert-badge"
              data-testid="schedule-alert-badge"
              aria-expanded={showAlerts}
              onClick={() => setShowAlerts((s) => !s)}
            >
              {failures} {failures === 1 ? 'failure' : 'failures'}
            </button>
          )}
        </h3>
        <div className="section-tools">
          <span className="muted small">run on the host, with or without this app</span>
          <RefreshButton query={q} testId="refresh-schedules" busyText="Reading…" />
          <button
            type="button"
            onClick={() => setEditing('new')}
            disabled={!q.data}
            data-testid="new-schedule"
          >
            New schedule
          </button>
        </div>
      </div>
      {q.isPending && !q.isError && (
        <p className="placeholder" role="status">
          Reading the host’s schedules…
        </p>
      )}
      {q.isError && <ErrorBox error={errorShape(q.error)} testId="schedules-error" />}
      {(remove.isError || runNow.isError || markSeen.isError) && (
        <ErrorBox
          error={errorShape(remove.error ?? runNow.error ?? markSeen.error)}
          testId="schedule-action-error"
        />
      )}
      {alerts && failures > 0 && (showAlerts || failures <= 3) && (
        <div
          className="schedule-alerts"
          role="region"
          aria-label="Schedule failures"
          data-testid="schedule-alerts"
        >
          <ul>
            {alerts.map((a) => (
              <li
                key={`${a.schedule}/${a.run.run}/${a.run.uuid}`}
                className="schedule-alert"
                data-testid="schedule-alert"
              >
                <p>
                  <strong>{a.schedule}</strong> · {names.get(a.run.uuid) ?? (a.run.uuid || 'host')}{' '}
                  · {formatTime(a.run.end * 1000, today)}
                </p>
                <p className="error-message">{a.message}</p>
                <Remedy text={a.remedy} />
              </li>
            ))}
          </ul>
          <button
            type="button"
            data-testid="mark-seen"
            onClick={() => markSeen.mutate(Math.max(...alerts.map((a) => a.run.end)))}
          >
            Mark as seen
          </button>
        </div>
      )}
      {q.data && q.data.schedules.length === 0 && (
        <p className="placeholder" data-testid="schedules-empty">
          No schedule on this host.{' '}
          {!q.data.host.crontab && !(q.data.host.systemdUser && q.data.host.linger)
            ? `It has no crontab command and no lingering systemd user manager for ${q.data.host.user}: install cron, or enable lingering (loginctl enable-linger ${q.data.host.user}).`
            : ''}
        </p>
      )}
      {q.data && q.data.schedules.length > 0 && (
        <table className="list-table schedule-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Snapshots</th>
              <th>When</th>
              <th>Next run</th>
              <th>Last run</th>
              <th>Retention</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {q.data.schedules.map((s) => {
              const last = s.runs[0];
              return (
                <tr key={s.schedule.id} data-testid={`schedule-row-${s.schedule.id}`}>
                  <td className="mono">{s.schedule.id}</td>
                  <td>{describeTarget(s.schedule, names)}</td>
                  <td>{describeSchedule(s.schedule)}</td>
                  <td>
                    {s.nextRun !== null ? (
                      formatTime(s.nextRun, today)
                    ) : (
                      <span
                        className="badge badge-warn"
                        title="No crontab line or enabled timer starts it"
                      >
                        not installed
                      </span>
                    )}
                    {s.running && <span className="badge">running</span>}
                  </td>
                  <td>
                    {last ? (
                      <span
                        className={`badge badge-${RUN_TONE[last.status]}`}
                        title={last.error || last.snapshot}
                      >
                        {RUN_WORD[last.status]} {formatTime(last.end * 1000, today)}
                      </span>
                    ) : (
                      <span className="muted">never</span>
                    )}
                  </td>
                  <td>{retentionSummary(s.schedule.retention)}</td>
                  <td className="row-actions">
                    <button type="button" onClick={() => setEditing(s.schedule)}>
                      Edit
                    </button>
                    <button type="button" onClick={() => runNow.mutate(s.schedule.id)}>
                      Run now
                    </button>
                    <button type="button" onClick={() => remove.mutate(s.schedule.id)}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {editing && q.data && (
        <ScheduleEditor
          host={host}
          scheduling={q.data.host}
          domains={domains}
          editing={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
        />
      )}
    </section>
  );
}
