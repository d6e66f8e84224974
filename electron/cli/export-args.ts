import { z } from 'zod';
import { ExportIdSchema, ExportRequestSchema, HostFolderSchema } from '../../shared/export';
import { CliError } from './cli-error';
import {
  domainArgs,
  maxFreeze,
  valid,
  wholeNumber,
  type Command,
  type CommandSpec,
  type DomainArg,
  type OptionName,
  type Values,
} from './options';

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

/**
 * A command on one domain's exports in the --dest folder (`quiesce export WORD HOST DOMAIN [MORE…]
 * --dest DIR …`): `build` gets the host, the domain and the checked folder, the MORE positionals
 * and the other options.
 */
function inDest(spec: {
  word: string;
  more?: readonly string[];
  options?: readonly OptionName[];
  required?: readonly OptionName[];
  summary: string;
  build(at: DomainArg & { dest: string }, more: string[], v: Values): Command;
}): CommandSpec {
  return {
    words: ['export', spec.word],
    args: ['HOST', 'DOMAIN', ...(spec.more ?? [])],
    options: ['dest', ...(spec.options ?? [])],
    required: ['dest', ...(spec.required ?? [])],
    summary: spec.summary,
    build: (a, v) => spec.build({ ...domainArgs(a), dest: dest(v) }, a.slice(2), v),
  };
}

export const EXPORT_COMMANDS: readonly CommandSpec[] = [
  inDest({
    word: 'start',
    options: ['full', 'allow-crash-consistent', 'max-freeze', 'snapshot'],
    summary:
      'Export the disks consistently to DIR/UUID/ID/ on the host (incremental when it can, --full to force), or with --snapshot an existing snapshot (no freeze, full); progress on stderr.',
    build: (at, _, v) => ({
      name: 'export-start',
      ...at,
      full: v.full ?? false,
      allowCrashConsistent: v['allow-crash-consistent'] ?? false,
      ...(v.snapshot === undefined
        ? {}
        : { snapshot: valid('snapshot', ExportRequestSchema.shape.snapshot.unwrap(), v.snapshot) }),
      ...maxFreeze(v),
    }),
  }),
  inDest({
    word: 'space',
    summary: 'Free space at the destination against what a full export takes.',
    build: (at) => ({ name: 'export-space', ...at }),
  }),
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
  inDest({
    word: 'verify',
    more: ['EXPORT'],
    summary: 'Check an export: checksums, qemu-img check, and the chain below it.',
    build: (at, [id]) => ({ name: 'export-verify', ...at, exportId: exportId(id!) }),
  }),
  inDest({
    word: 'prune',
    options: ['keep', 'export', 'apply'],
    summary:
      'Keep the newest --keep full chains (or delete --export ID and those built on it); only says what would go without --apply.',
    build: (at, _, v) => ({
      name: 'export-prune',
      ...at,
      ...(v.keep === undefined ? {} : { keep: wholeNumber('keep', v.keep, KeepSchema) }),
      ...(v.export === undefined ? {} : { exportId: exportId(v.export) }),
      apply: v.apply ?? false,
    }),
  }),
  inDest({
    word: 'copy',
    more: ['EXPORT'],
    options: ['to', 'to-host'],
    required: ['to'],
    summary:
      'Copy a complete export (and the ones below it the target lacks) off the host over SSH: to a folder on this computer, or with --to-host to a folder on another saved host.',
    build: (at, [id], v) => {
      const to = v['to-host'] ? valid('to', HostFolderSchema, v.to) : v.to!;
      if (/[\n\r\0]/.test(to) || to === '') throw CliError.usage('--to: a folder, on one line.');
      return {
        name: 'export-copy',
        ...at,
        exportId: exportId(id!),
        to,
        ...(v['to-host'] ? { toHost: v['to-host'] } : {}),
      };
    },
  }),
  {
    words: ['export', 'cancel'],
    args: ['HOST', 'EXPORT'],
    options: [],
    summary: 'Stop a running export; every file it made is removed.',
    build: (a) => ({ name: 'export-cancel', host: a[0]!, opId: exportId(a[1]!) }),
  },
];
