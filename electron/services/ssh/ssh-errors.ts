import { ALLOW_LEGACY_ALGORITHMS_LABEL } from '../../../shared/hosts';
import { AppError } from '../app-error';
import { failedNegotiation, legacyOffered, type AlgorithmKind } from './algorithms';

const KIND_WORDS: Record<AlgorithmKind, string> = {
  kex: 'key exchange',
  serverHostKey: 'host key',
  cipher: 'cipher',
  hmac: 'MAC',
};

/**
 * A handshake that found no algorithm in common: when the host offers only legacy ones (SHA-1,
 * CBC), say which and how to allow them for this host; otherwise list what it offers.
 */
function explainNegotiation(
  kind: AlgorithmKind,
  msg: string,
  where: string,
  offered: readonly string[] | undefined,
): AppError {
  const words = KIND_WORDS[kind];
  const legacy = offered ? legacyOffered(kind, offered) : [];
  if (legacy.length > 0) {
    return new AppError(
      'connect-failed',
      `${where} offers only legacy SSH ${words} algorithms (${legacy.join(', ')}), which Quiesce refuses by default.`,
      {
        cause: `${msg}; the host offers: ${offered!.join(', ')}`,
        remedy: `Best: update or reconfigure sshd on the host to offer a modern ${words} algorithm (e.g. an ed25519 host key). If this host cannot be changed, edit it in Quiesce and turn on “${ALLOW_LEGACY_ALGORITHMS_LABEL}”: its connections then also accept SHA-1 and CBC algorithms, which weaken the protection against a man in the middle.`,
      },
    );
  }
  return new AppError(
    'connect-failed',
    `${where} and Quiesce have no SSH ${words} algorithm in common.`,
    {
      cause: offered ? `${msg}; the host offers: ${offered.join(', ')}` : msg,
      remedy: `Configure sshd on the host to offer one of the algorithms OpenSSH 8 or later uses by default.`,
    },
  );
}

/**
 * Explains a failed SSH connect in the admin's terms, with the next step to take. `offered` is
 * what the server listed in its key exchange (ServerOffer), when known.
 */
export function explainConnectError(
  err: unknown,
  where: string,
  offered: Partial<Record<AlgorithmKind, readonly string[]>> = {},
): AppError {
  const e = err as NodeJS.ErrnoException & { level?: string };
  const msg = e?.message ?? String(err);
  const kind = failedNegotiation(msg);
  if (kind) return explainNegotiation(kind, msg, where, offered[kind]);
  switch (e?.code) {
    case 'ECONNREFUSED':
      return new AppError('connect-failed', `Connection to ${where} was refused.`, {
        cause: msg,
        remedy: 'Check that sshd runs on the host and that the port is right.',
      });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new AppError('connect-failed', `The host name in ${where} could not be resolved.`, {
        cause: msg,
        remedy: 'Check the address, or use the host’s IP address.',
      });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new AppError('connect-failed', `${where} could not be reached.`, {
        cause: msg,
        remedy: 'Check the network path and any firewall between you and the host.',
      });
  }
  if (e?.level === 'client-authentication' || /authentication methods failed/i.test(msg)) {
    return new AppError('auth-failed', `The host ${where} refused the login.`, {
      cause: msg,
      remedy:
        'Check the user name, and that the public key is in that user’s ~/.ssh/authorized_keys on the host (or loaded in your ssh-agent).',
    });
  }
  if (/timed out while waiting for handshake/i.test(msg)) {
    return new AppError('connect-failed', `${where} did not complete the SSH handshake in time.`, {
      cause: msg,
      remedy: 'Check that the port is an SSH server and the host is not overloaded.',
    });
  }
  return new AppError('connect-failed', `Could not connect to ${where}.`, {
    cause: msg,
    remedy: 'Check the address, port and user, and that sshd runs on the host.',
  });
}
