import { lazy, Suspense, useId, useState } from 'react';
import type { HostProfile } from '../../shared/hosts';
import { FrozenAlert } from '../host-page/frozen-alert';
import { ErrorBox } from '../ui/error-box';
import { errorShape } from '../ui/error-shape';
import { ConnectionPill } from './connection-pill';
import { HostKeyDialog } from './host-key-dialog';
import { HostKeyRefusal } from './host-key-refusal';
import { LegacyAlgorithmsBadge } from './legacy-algorithms';
import { PassphrasePrompt } from './passphrase-prompt';
import { useConnectFlow } from './use-connect-flow';
import { useConnection, useDisconnectHost } from './use-connections';
import './hosts.css';

// The edit form is opened now and then: loaded then, not with the host page.
const HostForm = lazy(() => import('./host-form').then((m) => ({ default: m.HostForm })));
// A connected host's inventory (its list, operations and what they need, the validation library
// among them) loads once there is a connection: the first screen does without it.
const HostInventory = lazy(() =>
  import('../host-page/host-inventory').then((m) => ({ default: m.HostInventory })),
);

/**
 * The selected host: who it is, its link, the connect conversation, and once connected a frozen
 * guest's alarm, the host's prerequisites and its domains. Mounted with key={host.id}, so
 * switching hosts starts a clean conversation.
 */
export function HostPane({ host, onRemove }: { host: HostProfile; onRemove: () => void }) {
  const connection = useConnection(host.id);
  const flow = useConnectFlow(host.id);
  const disconnect = useDisconnectHost();
  const [editing, setEditing] = useState(false);
  const titleId = useId();
  const { step } = flow;
  const connected = connection.state === 'connected';
  // During a brief drop the last inventory stays on screen (read-only until the link is back).
  const showInventory = connected || connection.state === 'reconnecting';
  const connecting = connection.state === 'connecting' || flow.busy;

  // The flow's own error is the freshest; otherwise a failure main reported later (a dropped
  // link) still deserves its explanation.
  const error =
    step.kind === 'error'
      ? step.error
      : disconnect.isError
        ? errorShape(disconnect.error)
        : connection.state === 'failed'
          ? connection.error
          : undefined;

  return (
    <section className="host-pane" aria-labelledby={titleId}>
      <header className="pane-head">
        <div className="pane-title">
          <h2 id={titleId}>{host.name}</h2>
          <ConnectionPill
            state={flow.busy && !connected ? 'connecting' : connection.state}
            testId="connection-state"
          />
        </div>
        <div className="pane-actions">
          {connected ? (
            <button
              type="button"
              data-testid="disconnect"
              disabled={disconnect.isPending}
              onClick={() => disconnect.mutate(host.id)}
            >
              Disconnect
            </button>
          ) : (
            <button
              type="button"
              className="primary"
              data-testid="connect"
              disabled={connecting}
              onClick={() => {
                disconnect.reset();
                flow.start();
              }}
            >
              {connecting ? 'Connecting…' : 'Connect'}
            </button>
          )}
          <button type="button" data-testid="edit-host" onClick={() => setEditing(true)}>
            Edit
          </button>
          <button type="button" className="quiet" data-testid="remove-host" onClick={onRemove}>
            Remove
          </button>
        </div>
      </header>

      {connected && <FrozenAlert host={host} />}

      <dl className="host-facts">
        <div>
          <dt>SSH</dt>
          <dd className="mono">
            {host.user}@{host.address}:{host.port}
          </dd>
        </div>
        <div>
          <dt>Login</dt>
          <dd>
            {host.auth.kind === 'agent' ? (
              'ssh-agent'
            ) : (
              <>
                key file <span className="mono">{host.auth.keyPath}</span>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>Libvirt</dt>
          <dd className="mono">{host.libvirtUri}</dd>
        </div>
        {host.allowLegacyAlgorithms === true && (
          <div>
            <dt>Algorithms</dt>
            <dd>
              <LegacyAlgorithmsBadge host={host} testId="host-pane-legacy" /> SHA-1 and CBC allowed
              for this host
            </dd>
          </div>
        )}
      </dl>

      {/* No dismiss: the error stays until the next attempt replaces it. */}
      {error && <ErrorBox error={error} />}
      {step.kind === 'refused' && (
        <HostKeyRefusal host={host} result={step.result} onDismiss={flow.cancel} />
      )}

      {showInventory ? (
        <Suspense
          fallback={
            <p className="placeholder" role="status">
              Loading the host page…
            </p>
          }
        >
          <HostInventory host={host} />
        </Suspense>
      ) : (
        step.kind !== 'refused' &&
        !error && (
          <p className="placeholder">
            {connecting
              ? `Connecting to ${host.address}…`
              : 'Not connected. Connect to see this host’s domains.'}
          </p>
        )
      )}

      {step.kind === 'unknown-key' && (
        <HostKeyDialog
          host={host}
          result={step.result}
          replaced={step.replaced}
          busy={flow.busy}
          onAccept={flow.acceptKey}
          onCancel={flow.cancel}
        />
      )}
      {flow.notice && (
        <p className="muted small" role="status" data-testid="connect-notice">
          {flow.notice}
        </p>
      )}
      {step.kind === 'passphrase' && (
        <PassphrasePrompt
          keyPath={step.keyPath}
          wrong={step.wrong}
          busy={flow.busy}
          onSubmit={flow.givePassphrase}
          onCancel={flow.cancel}
        />
      )}
      <Suspense fallback={null}>
        {editing && (
          <HostForm
            host={host}
            onSaved={() => setEditing(false)}
            onCancel={() => setEditing(false)}
          />
        )}
      </Suspense>
    </section>
  );
}
