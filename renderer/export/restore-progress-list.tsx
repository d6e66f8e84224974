import { useId } from 'react';
import { bytesProgressText, formatBytes } from './export-view';
import type { RestoreProgress } from './restore-progress';
import './restore-progress.css';

/**
 * A restore's copy, disk by disk: a labelled progress bar (bytes done of the image's size) and
 * the bytes, percentage, rate and ETA as text. Disks appear as their copy begins (one at a time,
 * in the export's order).
 */
export function RestoreProgressList({ progress }: { progress: RestoreProgress }) {
  const uid = useId();
  const disks = Object.values(progress);
  return (
    <div className="box restore-progress" data-testid="export-restore-progress">
      {disks.length === 0 ? (
        <p className="small" role="status">
          Checking the export and the room on the host…
        </p>
      ) : (
        disks.map((d) => {
          const text = bytesProgressText(d);
          const finished = d.total > 0 && d.done >= d.total;
          return (
            <div
              key={d.target}
              className="restore-line"
              data-target={d.target}
              data-done={d.done}
              data-total={d.total}
            >
              <label htmlFor={`${uid}-${d.target}`} className="mono">
                {d.target}
              </label>
              <progress
                id={`${uid}-${d.target}`}
                max={d.total > 0 ? d.total : 1}
                value={d.done}
                aria-valuetext={text}
              />
              <span className="small">{finished ? `${formatBytes(d.total)} copied` : text}</span>
            </div>
          );
        })
      )}
    </div>
  );
}
