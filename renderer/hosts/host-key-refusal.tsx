import type { HostKey, HostProfile } from '../../shared/hosts';
import { displayTarget, fingerprintCommand, removeKeyCommand } from './host-key-help';
import type { KeyRefusal } from './use-connect-flow';

/**
 * A refused host key (changed or revoked). Deliberately no way to accept from here: the fix is
 * made outside Quiesce, after checking the key out of band (docs/ARCHITECTURE.md, "Known host keys").
 */
export function HostKeyRefusal({
  host,
  result,
  onDismiss,
}: {
  host: HostProfile;
  result: KeyRefusal;
  onDismiss: () => void;
}) {
  const target = displayTarget(host.address, host.port);
  return (
    <section
      className="refusal"
      role="alert"
      data-testid="hostkey-refused"
      data-status={result.status}
    >
      {result.status === 'host-key-changed' ? (
        <>
          <h3 className="refusal-title">Host key changed — connection refused</h3>
          <p>
            <strong className="mono">{target}</strong> offered a different key than the one saved
            for it in known_hosts. Quiesce stopped before logging in.
          </p>
          <dl className="key-facts">
            <OfferedKey title="Offered now" hostKey={result.hostKey} />
            <dt>Expected</dt>
            <dd>
              <ul className="expected-keys">
                {result.expected.map((key) => (
                  <li key={`${key.line}-${key.fingerprint}`} data-testid="hostkey-expected">
                    <span className="mono key-type">{key.type}</span>
                    <code className="fingerprint">{key.fingerprint}</code>
                    <span className="muted small">
                      line {key.line} of <span className="mono">{result.knownHostsPath}</span>
                    </span>
                  </li>
                ))}
              </ul>
            </dd>
          </dl>
          <h4>What to do</h4>
          <ul className="steps">
            <li>
              <strong>If the host was reinstalled</strong> or its keys were regenerated on purpose:
              check the new fingerprint out of band (at the host’s console run{' '}
              <code>{fingerprintCommand(result.hostKey.type)}</code>), then remove the old line and
              connect again to accept the new key:
              <pre className="command">
                {removeKeyCommand(host.address, host.port, result.knownHostsPath)}
              </pre>
            </li>
            <li>
              <strong>Otherwise, do not connect.</strong> Someone may be intercepting the connection
              (a man-in-the-middle); tell whoever runs the network.
            </li>
          </ul>
        </>
      ) : (
        <>
          <h3 className="refusal-title">Host key revoked — connection refused</h3>
          <p>
            <strong className="mono">{target}</strong> offered a key that is marked{' '}
            <code>@revoked</code> on line {result.line} of{' '}
            <span className="mono">{result.knownHostsPath}</span>. Quiesce never accepts it.
          </p>
          <dl className="key-facts">
            <OfferedKey title="Offered key" hostKey={result.hostKey} />
          </dl>
          <h4>What to do</h4>
          <p>
            A key is revoked on purpose, usually because it leaked. The host needs a new host key;
            ask whoever manages it. Do not delete the <code>@revoked</code> line to get in: anyone
            holding the old key could pose as this host.
          </p>
        </>
      )}
      <div className="refusal-actions">
        <button type="button" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    </section>
  );
}

/** The key the host offered: its type and SHA256 fingerprint, as the key facts list them. */
function OfferedKey({ title, hostKey }: { title: string; hostKey: HostKey }) {
  return (
    <>
      <dt>{title}</dt>
      <dd>
        <span className="mono key-type">{hostKey.type}</span>
        <code className="fingerprint" data-testid="hostkey-offered">
          {hostKey.fingerprint}
        </code>
      </dd>
    </>
  );
}
