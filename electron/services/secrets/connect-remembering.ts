import type { ConnectResult, HostKeyTrust, HostProfile } from '../../../shared/hosts';
import { AppError } from '../app-error';
import type { PassphraseVault } from './passphrase-vault';

export interface ConnectRequest {
  passphrase?: string | undefined;
  trust?: HostKeyTrust | undefined;
  rememberPassphrase?: boolean | undefined;
}

type Connect = (creds: { passphrase?: string; trust?: HostKeyTrust }) => Promise<ConnectResult>;

/**
 * A connect that uses the passphrase the OS keychain remembers for the host's key when the admin
 * typed none, and remembers the one typed when asked to. A remembered passphrase the key no longer
 * takes is forgotten and the admin is asked afresh, as on a first connect.
 */
export async function connectRemembering(
  host: HostProfile,
  vault: PassphraseVault,
  req: ConnectRequest,
  connect: Connect,
): Promise<ConnectResult> {
  const keyPath = host.auth.kind === 'key' ? host.auth.keyPath : undefined;
  const remembered =
    req.passphrase === undefined && keyPath !== undefined ? await vault.get(keyPath) : undefined;
  const passphrase = req.passphrase ?? remembered;
  const result = await connect({
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(req.trust ? { trust: req.trust } : {}),
  });
  if (remembered !== undefined && keyPath !== undefined) {
    if (result.status === 'passphrase-required') {
      await vault.forget(keyPath);
      return { ...result, wrong: false };
    }
    return result.status === 'connected' ? { ...result, usedRememberedPassphrase: true } : result;
  }
  if (
    result.status === 'connected' &&
    req.rememberPassphrase &&
    req.passphrase !== undefined &&
    keyPath !== undefined
  ) {
    try {
      await vault.remember(keyPath, req.passphrase);
    } catch (err) {
      const why = err instanceof AppError ? (err.details.cause ?? err.message) : String(err);
      return { ...result, passphraseNotRemembered: why };
    }
  }
  return result;
}
