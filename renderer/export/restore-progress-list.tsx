import { useId } from 'react';
import { DiskProgress, DiskProgressLine } from '../ui/disk-progress';
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
    <DiskProgress testId="export-restore-progress" className="restore-progress">
      {disks.length === 0 ? (
        <p className="small" role="status">
          Checking the export and the room on the host…
        </p>
      ) : (
        disks.map((d) => {
          const text = bytesProgressText(d);
          const finished = d.total > 0 && d.done >= d.total;
          return (
            <DiskProgressLine
              key={d.target}
              id={`${uid}-${d.target}`}
              target={d.target}
              max={d.total > 0 ? d.total : 1}
              value={d.done}
              valueText={text}
              words={finished ? `${formatBytes(d.total)} copied` : text}
              data={{ 'data-done': d.done, 'data-total': d.total }}
            />
          );
        })
      )}
    </DiskProgress>
  );
}
