import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MaxFreezeSchema, QuiescePolicySchema, type QuiescePolicy } from '../../../shared/snapshot';

const FileSchema = z.object({
  version: z.literal(1),
  domains: z.record(
    z.string(),
    z.object({
      policy: QuiescePolicySchema,
      maxFreezeS: MaxFreezeSchema,
      /** Absent in files written before the choice existed: off. */
      testRestore: z.boolean().optional(),
    }),
  ),
});

type Choice = { policy: QuiescePolicy; maxFreezeS: number };

/** Per-domain snapshot choices the admin asked Quiesce to remember, in the app's data folder. */
export class DomainDefaults {
  private readonly path: string;
  constructor(
    private readonly dataDir: string,
    /** The choice for a domain with nothing remembered: the admin's settings. */
    private readonly fallback: () => Promise<Choice>,
  ) {
    this.path = join(dataDir, 'snapshot-defaults.json');
  }

  private async read(): Promise<z.infer<typeof FileSchema>> {
    try {
      const parsed = FileSchema.safeParse(JSON.parse(await readFile(this.path, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      /* missing or unreadable: start from the defaults, nothing precious is lost */
    }
    return { version: 1, domains: {} };
  }

  async get(hostId: string, uuid: string) {
    const saved = (await this.read()).domains[`${hostId}/${uuid}`];
    return saved
      ? {
          policy: saved.policy,
          maxFreezeS: saved.maxFreezeS,
          remembered: true,
          testRestore: saved.testRestore ?? false,
        }
      : { ...(await this.fallback()), remembered: false, testRestore: false };
  }

  /** Remembers a domain's choice; without `testRestore`, the one remembered before stays. */
  async set(
    hostId: string,
    uuid: string,
    value: Choice & { testRestore?: boolean | undefined },
  ): Promise<void> {
    const file = await this.read();
    const key = `${hostId}/${uuid}`;
    const testRestore = value.testRestore ?? file.domains[key]?.testRestore;
    file.domains[key] = {
      policy: value.policy,
      maxFreezeS: value.maxFreezeS,
      ...(testRestore ? { testRestore } : {}),
    };
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
