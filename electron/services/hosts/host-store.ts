import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { HostDraftSchema, HostProfileSchema, type HostProfile } from '../../../shared/hosts';
import { AppError } from '../app-error';

const FileSchema = z.object({ version: z.literal(1), hosts: z.array(HostProfileSchema) });

/**
 * Saved host profiles, one JSON file in the app's data folder. It holds no secret by design:
 * key passphrases are asked for at connect time and kept in memory, or sealed by the OS keychain
 * in a file of their own (secrets/passphrase-vault.ts) when the admin asks.
 */
export class HostStore {
  private readonly path: string;

  constructor(private readonly dataDir: string) {
    this.path = join(dataDir, 'hosts.json');
  }

  async list(): Promise<HostProfile[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const parsed = FileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new AppError('internal', 'The saved host list is damaged.', {
        cause: parsed.error.message,
        remedy: `Fix or remove ${this.path}; Quiesce will start with an empty list.`,
      });
    }
    return parsed.data.hosts;
  }

  async get(id: string): Promise<HostProfile> {
    const host = (await this.list()).find((h) => h.id === id);
    if (!host) {
      throw new AppError('not-found', 'That host is not in the saved list.', {
        remedy: 'Refresh the host list; it may have been removed.',
      });
    }
    return host;
  }

  async save(input: z.input<typeof HostDraftSchema> & { id?: string }): Promise<HostProfile> {
    const hosts = await this.list();
    const profile = HostProfileSchema.parse({
      ...HostDraftSchema.parse(input),
      id: input.id ?? randomUUID(),
    });
    const at = hosts.findIndex((h) => h.id === profile.id);
    if (at >= 0) hosts[at] = profile;
    else hosts.push(profile);
    await this.write(hosts);
    return profile;
  }

  async remove(id: string): Promise<void> {
    await this.write((await this.list()).filter((h) => h.id !== id));
  }

  /** Write-then-rename, so a crash mid-write never leaves a truncated host list. */
  private async write(hosts: HostProfile[]): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: 1, hosts }, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
