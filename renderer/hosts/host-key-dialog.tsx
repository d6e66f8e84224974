import type { HostProfile } from '../../shared/hosts';
import { Dialog } from '../ui/dialog';
import { displayTarget, fingerprintCommand } from './host-key-help';
import type { UnknownKey } from './use-connect-flow';

/**
 * "Unknown host key": the first time Quiesce meets a host (docs/ARCHITECTURE.md, "Known host keys"). The admin compares
 * the fingerprint with the one the host itself prints before anything is sent to it.
 * Cancel comes first and gets the focus, so a stray Enter never trusts a key.
 */
export function HostKeyDialog({
  host,
  result,
  replaced,
  busy,
  onAccept,
  onCancel,
}: {
  host: HostProfile;
  result: UnknownKey;
  replaced?: string | undefined;
  busy: boolean;
  onAccept: (save: boolean) => void;
  onCancel: () => void;
}) {
  const { hostKey, knownTypes, knownHostsPath } = result;
  return (
    <Dialog title="Unknown host key" onClose={onCancel} testId="hostkey-dialog" tone="warning">
      {replaced && (
        <p className="notice-warning" role="alert">
          The host now offers a different key than the one you accepted ({replaced}). Check the new
          fingerprint below again.
        </p>
      )}
      <p>
        Quiesce has not seen the host key of{' '}
        <strong className="mono">{displayTarget(host.address, host.port)}</strong> before. Make sure
        it is the real host before connecting.
      </p>
      <dl className="key-facts">
        <dt>Key type</dt>
        <dd className="mono" data-testid="hostkey-type">
          {hostKey.type}
        </dd>
        <dt>Fingerprint</dt>
        <dd>
          <code className="fingerprint" data-testid="hostkey-fingerprint">
            {hostKey.fingerprint}
          </code>
        </dd>
      </dl>
      {knownTypes.length > 0 && (
        <p className="notice-warning">
          This host is already in known_hosts, but only with{' '}
          {knownTypes.length === 1 ? 'a key' : 'keys'} of another type ({knownTypes.join(', ')}). A
          host rarely gains a new key type; be especially sure before accepting.
        </p>
      )}
      <p className="muted">
        To check it, run this on the host itself (at its console, or over a connection you already
        trust) and compare the SHA256 fingerprint:
      </p>
      <pre className="command">{fingerprintCommand(hostKey.type)}</pre>
      <p className="muted small">
        “Accept once” trusts the key for this connection only. “Accept and save” also adds it to{' '}
        <span className="mono">{knownHostsPath}</span>, so Quiesce and OpenSSH recognise the host
        next time and refuse it if the key ever changes.
      </p>
      <div className="dialog-actions">
        <button type="button" data-testid="hostkey-cancel" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          data-testid="hostkey-accept-once"
          disabled={busy}
          onClick={() => onAccept(false)}
        >
          Accept once
        </button>
        <button
          type="button"
          className="primary"
          data-testid="hostkey-accept-save"
          disabled={busy}
          onClick={() => onAccept(true)}
        >
          {busy ? 'Connecting…' : 'Accept and save to known_hosts'}
        </button>
      </div>
    </Dialog>
  );
}
