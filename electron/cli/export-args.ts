import { z } from 'zod';
import { ExportIdSchema, HostFolderSchema } from '../../shared/export';
import { MaxFreezeSchema } from '../../shared/snapshot';
import { CliError } from './cli-error';
import { seconds, valid, wholeNumber, type CommandSpec, type Values } from './options';

/**
 * `quiesce export …`: consistent image exports to a folder on the host
 * (electron/services/export/), as the app's export dialog and history make them. Pure.
 */

const dest = (v: Values) => valid('dest', HostFolderSchema, v.dest);
const exportId = (text: string) => {
  const r = ExportIdSchema.safeParse(text);
  if (!r.success)
    throw CliError.usage(
      `“${text}” is not an export id.`,
      'Export ids look like 20261201T061500Z-1a2b3c4d; `quiesce export ls HOST` lists them.',
    );
  return text;
};
/** The contract's bound on `keep` (export.prune). */
const KeepSchema = z.number().int().min(1).max(1000);

export const EXPORT_COMMANDS: readonly CommandSpec[] = [
  {
    words: ['export', 'start'],
    args: ['HOST', 'DOMAIN'],
    options: ['dest', 'full', 'allow-crash-consistent', 'max-freeze'],
    required: ['dest'],
    summary:
      'Export the disks consistently to DIR/UUID/ID/ on the host (incremental when it can, --full to force); progress on stderr.',
    build: (a, v) => ({
      name: 'export-start',
      host: a[0]!,
      domain: a[1]!,
      dest: dest(v),
      full: v.full ?? false,
      allowCrashConsistent: v['allow-crash-consistent'] ?? false,
      ...(v['max-freeze'] === undefined
        ? {}
        : { maxFreezeS: seconds('max-freeze', v['max-freeze'], MaxFreezeSchema) }),
    }),
  },
  {
    words: ['export', 'space'],
    args: ['HOST', 'DOMAIN'],
    options: ['dest'],
    required: ['dest'],
    summary: 'Free space at the destination against what a full export takes.',
    build: (a, v) => ({ name: 'export-space', host: a[0]!, domain: a[1]!, dest: dest(v) }),
  },
  {
    words: ['export', 'ls'],
    args: ['HOST', 'DOMAIN'],
    optional: 1,
    options: ['dest'],
    summary:
      'The exports this host made (of one domain, or all; to one --dest, or any), newest first.',
    build: (a, v) => ({
      name: 'export-ls',
      host: a[0]!,
      ...(a[1] ? { domain: a[1] } : {}),
      ...(v.dest === undefined ? {} : { dest: dest(v) }),
    }),
  },
  {
    words: ['export', 'verify'],
    args: ['HOST', 'DOMAIN', 'EXPORT'],
    options: ['dest'],
    required: ['dest'],
    summary: 'Check an export: checksums, qemu-img check, and the chain below it.',
    build: (a, v) => ({
      name: 'export-verify',
      host: a[0]!,
      domain: a[1]!,
      exportId: exportId(a[2]!),
      dest: dest(v),
    }),
  },
  {
    words: ['export', 'prune'],
    args: ['HOST', 'DOMAIN'],
    options: ['dest', 'keep', 'export', 'apply'],
    required: ['dest'],
    summary:
      'Keep the newest --keep full chains (or delete --export ID and those built on it); only says what would go without --apply.',
    build: (a, v) => ({
      name: 'export-prune',
      host: a[0]!,
      domain: a[1]!,
      dest: dest(v),
      ...(v.keep === undefined ? {} : { keep: wholeNumber('keep', v.keep, KeepSchema) }),
      ...(v.export === undefined ? {} : { exportId: exportId(v.export) }),
      apply: v.apply ?? false,
    }),
  },
  {
    words: ['export', 'copy'],
    args: ['HOST', 'DOMAIN', 'EXPORT'],
    options: ['dest', 'to', 'to-host'],
    required: ['dest', 'to'],
    summary:
      'Copy a complete export (and the ones below it the target lacks) off the host over SSH: to a folder on this computer, or with --to-host to a folder on another saved host.',
    build: (a, v) => {
      const to = v['to-host'] ? valid('to', HostFolderSchema, v.to) : v.to!;
      if (/[\n\r\0]/.test(to) || to === '') throw CliError.usage('--to: a folder, on one line.');
      return {
        name: 'export-copy',
        host: a[0]!,
        domain: a[1]!,
        exportId: exportId(a[2]!),
        dest: dest(v),
        to,
        ...(v['to-host'] ? { toHost: v['to-host'] } : {}),
      };
    },
  },
  {
    words: ['export', 'cancel'],
    args: ['HOST', 'EXPORT'],
    options: [],
    summary: 'Stop a running export; every file it made is removed.',
    build: (a) => ({ name: 'export-cancel', host: a[0]!, opId: exportId(a[1]!) }),
  },
];
