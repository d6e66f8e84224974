import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import type { useAddChannel } from './use-doctor';

/**
 * The missing agent channel: the XML to add by hand (`virsh edit`), or a button that adds it to
 * the persistent definition (after the doctor's confirmation).
 */
export function ChannelRemedy({
  channelXml,
  add,
  onAdd,
}: {
  channelXml: string;
  add: ReturnType<typeof useAddChannel>;
  /** Asks for the confirmation; the doctor owns that dialog. */
  onAdd: () => void;
}) {
  return (
    <section className="doctor-remedy" data-testid="doctor-channel">
      <h4>Add the agent channel</h4>
      <p className="muted">
        libvirt reaches the agent through this channel in the domain’s{' '}
        <span className="mono">&lt;devices&gt;</span>. Add it with{' '}
        <span className="mono">virsh edit</span>, or let Quiesce add it:
      </p>
      <pre className="code" data-testid="doctor-channel-xml">
        {channelXml.trim()}
      </pre>
      {add.isSuccess ? (
        <p className="notice-ok" role="status" data-testid="doctor-add-channel-result">
          The channel is in the definition now.
          {add.data.restartNeeded &&
            ' Shut the guest down and start it again from libvirt for it to appear, then install the agent in the guest.'}
        </p>
      ) : (
        <div>
          <button
            type="button"
            data-testid="doctor-add-channel"
            disabled={add.isPending}
            onClick={onAdd}
          >
            {add.isPending ? 'Adding the channel…' : 'Add channel to definition'}
          </button>
        </div>
      )}
      {add.isError && <ErrorBox error={errorShape(add.error)} testId="doctor-add-channel-error" />}
    </section>
  );
}
