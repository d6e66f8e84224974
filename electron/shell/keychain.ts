import type { Keychain } from '../services/secrets/passphrase-vault';

/** The part of Electron's safeStorage the keychain uses (a parameter, so tests pass a fake). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
  /** Linux only: which secret store Chromium picked. */
  getSelectedStorageBackend?(): string;
}

/**
 * Why safeStorage must not hold a passphrase on this machine, or undefined when it may. On Linux
 * Chromium falls back to `basic_text` when no keyring (GNOME Keyring, KWallet) answers: the
 * "encrypted" value is then readable by anyone who reads the file, which is plain text by
 * another name.
 */
export function keychainRefusal(storage: SafeStorageLike, platform: string): string | undefined {
  if (!storage.isEncryptionAvailable()) {
    return 'The operating system offers no keychain to Quiesce (Electron safeStorage is unavailable).';
  }
  if (platform === 'linux') {
    const backend = storage.getSelectedStorageBackend?.() ?? 'unknown';
    if (backend === 'basic_text') {
      return 'No keyring (GNOME Keyring or KWallet) is running: the only secret store is plain text (basic_text), and Quiesce does not keep passphrases in plain text.';
    }
    if (backend === 'unknown') {
      return 'Electron could not tell which secret store it would use, so Quiesce does not trust it with a passphrase.';
    }
  }
  return undefined;
}

/** The OS keychain through safeStorage; asks for the refusal each time (a keyring can start later). */
export function electronKeychain(storage: SafeStorageLike, platform: string): Keychain {
  return {
    unavailableReason: () => keychainRefusal(storage, platform),
    seal: (plain) => storage.encryptString(plain),
    open: (sealed) => storage.decryptString(sealed),
  };
}
