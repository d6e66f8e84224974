import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../app-error';

/**
 * What the shell offers for sealing secrets: the OS keychain behind Electron's safeStorage in the
 * desktop app, nothing in the browser shell. `unavailableReason` says why it cannot be used, in
 * words for the admin; while it returns a reason nothing is sealed or stored.
 */
export interface Keychain {
  unavailableReason(): string | undefined;
  seal(plain: string): Buffer;
  open(sealed: Buffer): string;
}

export interface VaultStatus {
  available: boolean;
  /** Why passphrases cannot be remembered here, when they cannot. */
  reason?: string;
  /** Key files whose passphrase is remembered. */
  keyPaths: string[];
}

const FileSchema = z.object({
  version: z.literal(1),
  /** Key file path → passphrase sealed by the OS keychain, base64. Never the passphrase itself. */
  sealed: z.record(z.string(), z.string()),
});
type VaultFile = z.infer<typeof FileSchema>;

export const NO_KEYCHAIN_REASON =
  'Quiesce runs here without an OS keychain (the browser shell has none), so it asks for the passphrase at each connect.';

/**
 * Key passphrases the admin asked Quiesce to remember, each sealed by the OS keychain
 * (`passphrases.json` in the data folder holds only ciphertext the keychain alone can open).
 * Where the keychain cannot seal, nothing is stored and the refusal carries the reason.
 */
export class PassphraseVault {
  private readonly path: string;

  constructor(
    dataDir: string,
    private readonly keychain?: Keychain,
  ) {
    this.path = join(dataDir, 'passphrases.json');
  }

  private refusal(): string | undefined {
    return this.keychain ? this.keychain.unavailableReason() : NO_KEYCHAIN_REASON;
  }

  async status(): Promise<VaultStatus> {
    const reason = this.refusal();
    const keyPaths = Object.keys((await this.read()).sealed).sort();
    return reason === undefined
      ? { available: true, keyPaths }
      : { available: false, reason, keyPaths };
  }

  /** The remembered passphrase of a key file, or undefined (none, or the keychain cannot open it). */
  async get(keyPath: string): Promise<string | undefined> {
    if (this.refusal() !== undefined || !this.keychain) return undefined;
    const sealed = (await this.read()).sealed[keyPath];
    if (sealed === undefined) return undefined;
    try {
      return this.keychain.open(Buffer.from(sealed, 'base64'));
    } catch {
      // Sealed by another keychain (another machine, a reset login keyring): ask again.
      return undefined;
    }
  }

  async remember(keyPath: string, passphrase: string): Promise<void> {
    const reason = this.refusal();
    if (reason !== undefined || !this.keychain) {
      throw new AppError('invalid-input', 'Quiesce cannot remember this passphrase here.', {
        cause: reason ?? NO_KEYCHAIN_REASON,
        remedy: 'Connect without remembering it, or load the key into ssh-agent.',
      });
    }
    const file = await this.read();
    file.sealed[keyPath] = this.keychain.seal(passphrase).toString('base64');
    await this.write(file);
  }

  /** Forgets a key file's passphrase; true when one was remembered. */
  async forget(keyPath: string): Promise<boolean> {
    const file = await this.read();
    if (!(keyPath in file.sealed)) return false;
    delete file.sealed[keyPath];
    await this.write(file);
    return true;
  }

  private async read(): Promise<VaultFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, sealed: {} };
      throw err;
    }
    const parsed = FileSchema.safeParse(JSON.parse(text));
    // A damaged file only costs the admin a passphrase prompt: start empty rather than fail.
    return parsed.success ? parsed.data : { version: 1, sealed: {} };
  }

  private async write(file: VaultFile): Promise<void> {
    await mkdir(join(this.path, '..'), { recursive: true });
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.path);
  }
}
