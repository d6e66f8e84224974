import type { HostProfile } from '../../shared/hosts';
import { ALLOW_LEGACY_ALGORITHMS_LABEL as LABEL } from '../../shared/vocabulary';
import { Checkbox } from '../ui/checkbox';

const RISK =
  'SHA-1 host-key signatures (ssh-rsa), hmac-sha1, SHA-1 key exchanges and CBC ciphers are offered to this host, after the modern ones. They make a man in the middle easier: use only for an old sshd that cannot be updated.';

/** The host form's opt-in to legacy algorithms, with what it costs said next to it. */
export function LegacyAlgorithmsField({
  id,
  checked,
  onChange,
}: {
  id: string;
  checked: boolean;
  onChange: (on: boolean) => void;
}) {
  return (
    <div className="field">
      <Checkbox
        id={id}
        testId="host-allow-legacy"
        checked={checked}
        describedBy={`${id}-hint`}
        onChange={onChange}
      >
        {LABEL}
      </Checkbox>
      <p
        id={`${id}-hint`}
        className={checked ? 'notice-warning small' : 'field-hint'}
        role={checked ? 'note' : undefined}
        data-testid="host-allow-legacy-hint"
      >
        {checked
          ? RISK
          : 'Off: only modern algorithms. Turn on only if the host offers nothing else; the connect error says so.'}
      </p>
    </div>
  );
}

/** The mark a host with legacy algorithms allowed carries wherever it is listed. */
export function LegacyAlgorithmsBadge({ host, testId }: { host: HostProfile; testId: string }) {
  if (host.allowLegacyAlgorithms !== true) return null;
  return (
    <span className="legacy-badge" data-testid={testId} title={`${LABEL}: ${RISK}`}>
      legacy SSH
    </span>
  );
}
