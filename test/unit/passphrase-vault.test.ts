import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NO_KEYCHAIN_REASON,
  PassphraseVault,
  type Keychain,
} from '../../electron/services/secrets/passphrase-vault';
import { connectRemembering } from '../../electron/services/secrets/connect-remembering';
import { electronKeychain, keychainRefusal } from '../../electron/shell/keychain';
import type { ConnectResult, HostProfile } from '../../shared/hosts';

/** A stand-in for safeStorage: seals by XOR so that the file never holds the passphrase itself. */
function fakeSafeStorage(backend: string, available = true) {
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain: string) => xor(Buffer.from(plain)),
    decryptString: (sealed: Buffer) => xor(sealed).toString(),
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'quiesce-vault-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the OS keychain through safeStorage', () => {
  it('refuses plain-text storage (basic_text) and an unknown store on Linux, with the reason', () => {
    expect(keychainRefusal(fakeSafeStorage('basic_text'), 'linux')).toMatch(
      /plain text \(basic_text\)/,
    );
    expect(keychainRefusal(fakeSafeStorage('unknown'), 'linux')).toMatch(/could not tell/);
    expect(keychainRefusal(fakeSafeStorage('gnome_libsecret'), 'linux')).toBeUndefined();
    expect(keychainRefusal(fakeSafeStorage('kwallet5'), 'linux')).toBeUndefined();
  });

  it('refuses where safeStorage is unavailable, and trusts macOS and Windows stores otherwise', () => {
    expect(keychainRefusal(fakeSafeStorage('', false), 'darwin')).toMatch(/no keychain/);
    expect(keychainRefusal(fakeSafeStorage(''), 'darwin')).toBeUndefined();
    expect(keychainRefusal(fakeSafeStorage(''), 'win32')).toBeUndefined();
  });
});

describe('the passphrase vault', () => {
  const keychain = (backend = 'gnome_libsecret') =>
    electronKeychain(fakeSafeStorage(backend), 'linux');

  it('keeps only sealed text, in a file only the user can read, and gives it back', async () => {
    const vault = new PassphraseVault(dir, keychain());
    await vault.remember('/home/a/.ssh/id_ed25519', 'correct horse');
    const file = join(dir, 'passphrases.json');
    expect(readFileSync(file, 'utf8')).not.toContain('correct horse');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await new PassphraseVault(dir, keychain()).get('/home/a/.ssh/id_ed25519')).toBe(
      'correct horse',
    );
    expect(await vault.status()).toEqual({
      available: true,
      keyPaths: ['/home/a/.ssh/id_ed25519'],
    });
    expect(await vault.forget('/home/a/.ssh/id_ed25519')).toBe(true);
    expect(await vault.get('/home/a/.ssh/id_ed25519')).toBeUndefined();
    expect(await vault.forget('/home/a/.ssh/id_ed25519')).toBe(false);
  });

  it('refuses to remember on basic_text and writes nothing', async () => {
    const vault = new PassphraseVault(dir, keychain('basic_text'));
    await expect(vault.remember('/k', 'secret')).rejects.toMatchObject({
      details: { cause: expect.stringMatching(/basic_text/) },
    });
    expect(() => statSync(join(dir, 'passphrases.json'))).toThrow();
    expect(await vault.status()).toMatchObject({ available: false, keyPaths: [] });
  });

  it('has nothing to offer without a keychain (the browser shell)', async () => {
    const vault = new PassphraseVault(dir);
    expect(await vault.status()).toEqual({
      available: false,
      reason: NO_KEYCHAIN_REASON,
      keyPaths: [],
    });
    await expect(vault.remember('/k', 'secret')).rejects.toThrow(/cannot remember/);
  });

  it('asks again rather than fail when the keychain cannot open what it holds', async () => {
    await new PassphraseVault(dir, keychain()).remember('/k', 'secret');
    const broken: Keychain = {
      unavailableReason: () => undefined,
      seal: () => Buffer.from(''),
      open: () => {
        throw new Error('another login keyring');
      },
    };
    expect(await new PassphraseVault(dir, broken).get('/k')).toBeUndefined();
    writeFileSync(join(dir, 'passphrases.json'), '{"version": 7}');
    expect(await new PassphraseVault(dir, keychain()).get('/k')).toBeUndefined();
  });
});

describe('connecting with a remembered passphrase', () => {
  const host = {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'h',
    address: '127.0.0.1',
    port: 22,
    user: 'u',
    auth: { kind: 'key', keyPath: '/keys/id' },
    libvirtUri: 'qemu:///system',
    hostDir: '.quiesce',
  } as HostProfile;
  const hostKey = { type: 'ssh-ed25519', fingerprint: 'SHA256:x' };
  /** A key whose passphrase is `right`; records the passphrase of each attempt. */
  function fakeConnect(right: string) {
    const tried: (string | undefined)[] = [];
    const connect = async (creds: { passphrase?: string }): Promise<ConnectResult> => {
      tried.push(creds.passphrase);
      return creds.passphrase === right
        ? { status: 'connected', hostKey }
        : { status: 'passphrase-required', keyPath: '/keys/id', wrong: !!creds.passphrase };
    };
    return { tried, connect };
  }
  const vaultWith = () =>
    new PassphraseVault(dir, electronKeychain(fakeSafeStorage('kwallet5'), 'linux'));

  it('remembers the passphrase that worked when asked, and uses it on the next connect', async () => {
    const vault = vaultWith();
    const { tried, connect } = fakeConnect('pw');
    expect(
      await connectRemembering(
        host,
        vault,
        { passphrase: 'pw', rememberPassphrase: true },
        connect,
      ),
    ).toEqual({ status: 'connected', hostKey });
    expect(await connectRemembering(host, vault, {}, connect)).toEqual({
      status: 'connected',
      hostKey,
      usedRememberedPassphrase: true,
    });
    expect(tried).toEqual(['pw', 'pw']);
  });

  it('does not remember a passphrase that failed, nor one not asked to be remembered', async () => {
    const vault = vaultWith();
    const { connect } = fakeConnect('pw');
    await connectRemembering(host, vault, { passphrase: 'no', rememberPassphrase: true }, connect);
    await connectRemembering(host, vault, { passphrase: 'pw' }, connect);
    expect((await vault.status()).keyPaths).toEqual([]);
  });

  it('forgets a remembered passphrase the key no longer takes and asks as on a first connect', async () => {
    const vault = vaultWith();
    await vault.remember('/keys/id', 'old');
    const { connect } = fakeConnect('new');
    expect(await connectRemembering(host, vault, {}, connect)).toEqual({
      status: 'passphrase-required',
      keyPath: '/keys/id',
      wrong: false,
    });
    expect((await vault.status()).keyPaths).toEqual([]);
  });

  it('connects, and says why, when the passphrase cannot be remembered here', async () => {
    const vault = new PassphraseVault(
      dir,
      electronKeychain(fakeSafeStorage('basic_text'), 'linux'),
    );
    const { connect } = fakeConnect('pw');
    const result = await connectRemembering(
      host,
      vault,
      { passphrase: 'pw', rememberPassphrase: true },
      connect,
    );
    expect(result).toMatchObject({
      status: 'connected',
      passphraseNotRemembered: expect.stringMatching(/basic_text/),
    });
  });
});
