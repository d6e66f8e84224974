import { useId, useState } from 'react';
import type { Domain } from '../../shared/domains';
import type { HostProfile } from '../../shared/hosts';
import {
  EVERY_HOURS,
  RETENTION_RULES,
  RetentionSchema,
  ScheduleSchema,
  type Retention,
  type Schedule,
  type When,
} from '../../shared/schedule/policy';
import { hostTimeZone } from '../../shared/schedule/next-run';
import { MaxFreezeSchema } from '../../shared/snapshot';
import { prunePlan } from '../../shared/schedule/prune-plan';
import { simulateRetention } from '../../shared/schedule/simulate';
import type { HostScheduling } from '../../shared/schedule/results';
import { queryKeys } from '../cache/query-keys';
import { useCallQuery } from '../cache/use-call-query';
import { Dialog, SubmitActions } from '../ui/dialog';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { REASON_WORD, formatTime, retentionSummary } from './schedule-format';
import { useSaveSchedule } from './use-schedules';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const PREVIEW_DAYS = 90;
/** The maximum freeze's bounds are the contract's (shared/snapshot.ts), not a copy of them. */
const MAX_FREEZE_BOUNDS = {
  min: MaxFreezeSchema.minValue ?? 1,
  max: MaxFreezeSchema.maxValue ?? 120,
};

interface Draft {
  id: string;
  target: string; // a UUID, or 'ready-agents'
  kind: When['kind'];
  hours: number;
  minute: number;
  at: string;
  days: number[];
  policy: Schedule['policy'];
  maxFreezeS: number;
  whenAgentNotReady: Schedule['whenAgentNotReady'];
  retention: Retention;
}

function draftOf(s: Schedule | undefined, firstDomain: string | undefined): Draft {
  const w = s?.when;
  return {
    id: s?.id ?? 'nightly',
    target: s
      ? s.target.kind === 'domain'
        ? s.target.uuid
        : 'ready-agents'
      : (firstDomain ?? 'ready-agents'),
    kind: w?.kind ?? 'daily',
    hours: w?.kind === 'every-hours' ? w.hours : 6,
    minute: w?.kind === 'every-hours' ? w.minute : 0,
    at: w && w.kind !== 'every-hours' ? w.at : '03:00',
    days: w?.kind === 'weekly' ? w.days : [0],
    policy: s?.policy ?? 'require',
    maxFreezeS: s?.maxFreezeS ?? 10,
    whenAgentNotReady: s?.whenAgentNotReady ?? 'skip',
    retention: s?.retention ?? RetentionSchema.parse({ last: 3, daily: 7, weekly: 4 }),
  };
}

function scheduleOf(d: Draft) {
  const when =
    d.kind === 'every-hours'
      ? { kind: d.kind, hours: d.hours, minute: d.minute }
      : d.kind === 'daily'
        ? { kind: d.kind, at: d.at }
        : { kind: d.kind, days: d.days, at: d.at };
  return ScheduleSchema.safeParse({
    id: d.id,
    target:
      d.target === 'ready-agents' ? { kind: 'ready-agents' } : { kind: 'domain', uuid: d.target },
    when,
    policy: d.policy,
    maxFreezeS: d.maxFreezeS,
    whenAgentNotReady: d.whenAgentNotReady,
    retention: d.retention,
  });
}

/**
 * Creates or edits a schedule, with the retention preview: the rules over the next 90 days of
 * runs (what stays at the end), and for a saved schedule of one domain, what the host's prune
 * would keep and delete now, each with its reason.
 */
export function ScheduleEditor({
  host,
  scheduling,
  domains,
  editing,
  onClose,
}: {
  host: HostProfile;
  scheduling: HostScheduling;
  domains: readonly Pick<Domain, 'uuid' | 'name'>[];
  editing?: Schedule;
  onClose: () => void;
}) {
  const [draft, setDraft] = useState(() => draftOf(editing, domains[0]?.uuid));
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const parsed = scheduleOf(draft);
  const save = useSaveSchedule(host.id);
  const ids = { form: useId(), preview: useId() };
  const tz = hostTimeZone(scheduling.timeZone, scheduling.offset);
  // the simulation is cheap (a few hundred plans of a few dozen snapshots): no memo needed
  const simulated = parsed.success
    ? simulateRetention(parsed.data.when, parsed.data.retention, tz, scheduling.now, PREVIEW_DAYS)
    : undefined;
  const onHostNow =
    editing && editing.target.kind === 'domain' && parsed.success ? editing.target.uuid : undefined;
  const candidates = useCallQuery(
    queryKeys.schedulePrune(host.id, editing?.id ?? '', onHostNow ?? '', ''),
    'schedule.previewPrune',
    { hostId: host.id, id: editing?.id ?? 'x', uuid: onHostNow ?? '', retention: draft.retention },
    { enabled: onHostNow !== undefined, staleTime: 30_000 },
  );
  // the rules being edited, over what the host listed (the same plan the host runs)
  const nowPlan =
    candidates.data && parsed.success
      ? prunePlan(
          candidates.data.candidates,
          parsed.data.retention,
          new Map(
            candidates.data.keep.flatMap((k) =>
              k.reasons
                .filter((r) => r === 'current' || r === 'in-use' || r === 'held')
                .map((r) => [k.name, r as 'current' | 'in-use' | 'held'] as const),
            ),
          ),
        )
      : undefined;
  const saved = save.data;

  return (
    <Dialog
      title={editing ? `Schedule ${editing.id}` : 'New schedule'}
      subtitle={host.name}
      onClose={onClose}
      testId="schedule-editor"
      className="schedule-editor"
    >
      <form
        id={ids.form}
        className="schedule-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (parsed.success) save.mutate(parsed.data);
        }}
      >
        <label>
          Name
          <input
            value={draft.id}
            disabled={editing !== undefined}
            onChange={(e) => set({ id: e.target.value })}
            data-testid="schedule-id"
          />
        </label>
        <label>
          Snapshot
          <select
            value={draft.target}
            onChange={(e) => set({ target: e.target.value })}
            data-testid="schedule-target"
          >
            {domains.map((d) => (
              <option key={d.uuid} value={d.uuid}>
                {d.name}
              </option>
            ))}
            <option value="ready-agents">All domains with a ready agent</option>
          </select>
        </label>
        <fieldset className="schedule-when">
          <legend>
            When (host time
            {scheduling.timeZone ? `, ${scheduling.timeZone}` : `, UTC${scheduling.offset}`})
          </legend>
          <select
            value={draft.kind}
            onChange={(e) => set({ kind: e.target.value as When['kind'] })}
            data-testid="schedule-kind"
          >
            <option value="every-hours">Every N hours</option>
            <option value="daily">Daily</option>
            <option value="weekly">Weekly</option>
          </select>
          {draft.kind === 'every-hours' ? (
            <>
              <select
                value={draft.hours}
                onChange={(e) => set({ hours: Number(e.target.value) })}
                aria-label="Every how many hours"
              >
                {EVERY_HOURS.map((h) => (
                  <option key={h} value={h}>
                    every {h} h
                  </option>
                ))}
              </select>
              <NumberInput
                label="at minute"
                min={0}
                max={59}
                value={draft.minute}
                onChange={(minute) => set({ minute })}
              />
            </>
          ) : (
            <label>
              at
              <input
                type="time"
                value={draft.at}
                onChange={(e) => set({ at: e.target.value })}
                data-testid="schedule-at"
              />
            </label>
          )}
          {draft.kind === 'weekly' && (
            <span className="schedule-days">
              {DAYS.map((name, i) => (
                <label key={name}>
                  <input
                    type="checkbox"
                    checked={draft.days.includes(i)}
                    onChange={(e) =>
                      set({
                        days: e.target.checked
                          ? [...draft.days, i]
                          : draft.days.filter((x) => x !== i),
                      })
                    }
                  />
                  {name}
                </label>
              ))}
            </span>
          )}
        </fieldset>
        <fieldset className="schedule-policy">
          <legend>Consistency</legend>
          <label>
            If the agent cannot freeze
            <select
              value={draft.policy}
              onChange={(e) => set({ policy: e.target.value as Draft['policy'] })}
            >
              <option value="require">take nothing (quiesced required)</option>
              <option value="allow-crash-consistent">take it crash-consistent</option>
            </select>
          </label>
          <label>
            If the agent does not answer
            <select
              value={draft.whenAgentNotReady}
              onChange={(e) =>
                set({ whenAgentNotReady: e.target.value as Draft['whenAgentNotReady'] })
              }
            >
              <option value="skip">skip the run (an alert)</option>
              <option value="crash-consistent">take it crash-consistent</option>
            </select>
          </label>
          <NumberInput
            label="Maximum freeze (s)"
            {...MAX_FREEZE_BOUNDS}
            value={draft.maxFreezeS}
            onChange={(maxFreezeS) => set({ maxFreezeS })}
          />
        </fieldset>
        <fieldset className="schedule-retention">
          <legend>Keep (the schedule’s own snapshots; 0 = rule off)</legend>
          {RETENTION_RULES.map((r) => (
            <NumberInput
              key={r}
              label={r}
              min={0}
              max={1000}
              value={draft.retention[r]}
              testId={`keep-${r}`}
              onChange={(n) => set({ retention: { ...draft.retention, [r]: Math.max(0, n || 0) } })}
            />
          ))}
        </fieldset>
      </form>

      <section
        className="schedule-preview"
        aria-labelledby={ids.preview}
        data-testid="retention-preview"
      >
        <h4 id={ids.preview}>
          Retention preview — {parsed.success ? retentionSummary(parsed.data.retention) : '…'}
        </h4>
        {!parsed.success && <p className="error-message">{parsed.error.issues[0]?.message}</p>}
        {simulated && (
          <>
            <p data-testid="preview-summary">
              Over the next {PREVIEW_DAYS} days: {simulated.runs} runs, {simulated.deleted} pruned,{' '}
              {simulated.kept.length} kept at the end.
            </p>
            <ol className="preview-kept">
              {simulated.kept.slice(0, 14).map((k) => (
                <li key={k.name}>{formatTime(k.created * 1000)}</li>
              ))}
              {simulated.kept.length > 14 && <li>… and {simulated.kept.length - 14} older</li>}
            </ol>
          </>
        )}
        {onHostNow && candidates.isError && (
          <ErrorBox error={errorShape(candidates.error)} testId="preview-error" />
        )}
        {nowPlan && (
          <div data-testid="preview-now">
            <p>
              On the host now ({nowPlan.keep.length + nowPlan.delete.length} snapshots of this
              schedule):
            </p>
            <ul className="preview-now">
              {nowPlan.keep.map((k) => (
                <li key={k.name} className="keep" data-testid="preview-keep">
                  <span className="badge badge-ok">keep</span>{' '}
                  <span className="mono">{k.name}</span>{' '}
                  <span className="muted">{k.reasons.map((r) => REASON_WORD[r]).join(', ')}</span>
                </li>
              ))}
              {nowPlan.delete.map((d) => (
                <li key={d.name} className="delete" data-testid="preview-delete">
                  <span className="badge badge-bad">delete</span>{' '}
                  <span className="mono">{d.name}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      {save.isError && <ErrorBox error={errorShape(save.error)} testId="schedule-save-error" />}
      {saved && (
        <div className="schedule-saved" role="status" data-testid="schedule-saved">
          Installed on the host as{' '}
          {saved.mode === 'cron' ? 'a crontab line' : 'a systemd user timer'}.
          {saved.notes.map((n) => (
            <p key={n} className="muted">
              {n}
            </p>
          ))}
        </div>
      )}
      <SubmitActions
        submitText="Save on the host"
        busyText="Installing…"
        busy={save.isPending}
        disabled={!parsed.success}
        onDismiss={onClose}
        dismissText="Close"
        form={ids.form}
        testId="schedule-save"
      />
    </Dialog>
  );
}

/** A labelled whole-number field of the editor; `onChange` gets what is typed as a number. */
function NumberInput({
  label,
  min,
  max,
  value,
  onChange,
  testId,
}: {
  label: string;
  min: number;
  max: number;
  value: number;
  onChange: (value: number) => void;
  testId?: string;
}) {
  return (
    <label>
      {label}
      <input
        type="number"
        min={min}
        max={max}
        value={value}
        data-testid={testId}
        onChange={(e) => onChange(Number(e.target.value))}
      />
    </label>
  );
}
