import { AppError } from '../app-error';

/** Explains a failed SSH connect in the admin's terms, with the next step to take. */
export function explainConnectError(err: unknown, where: string): AppError {
  const e = err as NodeJS.ErrnoException & { level?: string };
  const msg = e?.message ?? String(err);
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
