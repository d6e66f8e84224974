import {
  ExportManifestSchema,
  type ExportEntry,
  type ExportManifest,
  type ExportSpace,
  type ExportVerification,
} from '../../../shared/export';

/**
 * Pure readers of what the export host scripts print (export-list.sh, export-space.sh,
 * export-verify.sh) and of an export's manifest. No I/O.
 */

const fromB64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const isoOfSeconds = (s: string | undefined) =>
  s && /^\d+$/.test(s) ? new Date(Number(s) * 1000).toISOString() : null;

/** export-list.sh's lines, newest first. A line that does not read costs only itself. */
export function readExportList(text: string): ExportEntry[] {
  const out: ExportEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const raw = JSON.parse(line) as {
        index: { op: string; uuid: string; dest: string; mode: string; ok: boolean; rt: number };
        present: boolean;
        parent: string;
        bytes: number | null;
        label: string;
        verified: string;
      };
      const dest = fromB64(raw.index.dest);
      const [verdict, at] = raw.verified.split(' ');
      out.push({
        exportId: raw.index.op,
        uuid: raw.index.uuid,
        dest,
        folder: `${dest.replace(/\/+$/, '')}/${raw.index.uuid}/${raw.index.op}`,
        mode: raw.index.mode === 'incremental' ? 'incremental' : 'full',
        ok: raw.index.ok === true,
        present: raw.present === true,
        parent: raw.parent || null,
        bytes: typeof raw.bytes === 'number' ? raw.bytes : null,
        label: raw.label || null,
        finishedAt: raw.index.rt ? new Date(raw.index.rt / 1e6).toISOString() : null,
        verification: verdict === 'ok' ? 'ok' : verdict === 'failed' ? 'failed' : 'never',
        verifiedAt: isoOfSeconds(at),
      });
    } catch {
      /* a torn line */
    }
  }
  return out.reverse();
}

/** export-space.sh's answer. */
export function readExportSpace(text: string): ExportSpace {
  const get = (key: string) =>
    text
      .split('\n')
      .find((l) => l.startsWith(`${key} `))
      ?.slice(key.length + 1);
  const num = (key: string) => Number(get(key) ?? 0) || 0;
  return {
    freeBytes: num('free'),
    fullBytes: num('full'),
    writable: get('writable') === '1',
    problem: get('problem') ?? null,
  };
}

/** A manifest's text, checked against its schema. */
export function readManifest(text: string): ExportManifest {
  return ExportManifestSchema.parse(JSON.parse(text));
}

/** export-verify.sh's lines as a verification; `ok` only when every disk and the chain check out. */
export function readVerification(text: string, now = new Date()): ExportVerification {
  const disks: ExportVerification['disks'] = [];
  const chain: ExportVerification['chain'] = [];
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    const cols = line.split('\t');
    if (cols[0] === 'disk' && cols.length >= 6) {
      const [, target, sha, check, chainState, detail] = cols as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const d = {
        target,
        sha256: (['ok', 'mismatch', 'missing'].includes(sha) ? sha : 'missing') as
          'ok' | 'mismatch' | 'missing',
        check: (['ok', 'failed', 'skipped'].includes(check) ? check : 'failed') as
          'ok' | 'failed' | 'skipped',
        chain: (['ok', 'broken', 'skipped'].includes(chainState) ? chainState : 'broken') as
          'ok' | 'broken' | 'skipped',
        ...(detail ? { detail: fromB64(detail) } : {}),
      };
      disks.push(d);
      if (d.sha256 !== 'ok' || d.check !== 'ok' || d.chain !== 'ok')
        problems.push(`${target}: ${d.detail ?? 'does not check out'}`);
    } else if (cols[0] === 'chain' && cols.length >= 3) {
      const present = cols[2] === 'present';
      chain.push({ exportId: cols[1]!, present });
      if (!present) problems.push(`the export ${cols[1]} this one is built on is missing`);
    }
  }
  if (disks.length === 0) problems.push('no disk was checked');
  return { ok: problems.length === 0, at: now.toISOString(), disks, chain, problems };
}
