import { useQueryClient } from '@tanstack/react-query';
import type { MethodInput } from '../../shared/contract';
import type { ExportRequest } from '../../shared/export';
import { queryKeys } from '../cache/query-keys';
import { useCallMutation, useCallQuery } from '../cache/use-call-query';

/** A domain's exports on one host (export.list), newest first. */
export function useExports(hostId: string, uuid: string) {
  return useCallQuery(queryKeys.exports(hostId, uuid), 'export.list', { hostId, uuid });
}

/** The destination's room (export.space), asked only for a folder the admin entered. */
export function useExportSpace(hostId: string, uuid: string, dest: string | undefined) {
  return useCallQuery(
    queryKeys.exportSpace(hostId, uuid, dest ?? ''),
    'export.space',
    { hostId, uuid, dest: dest ?? '/' },
    { enabled: dest !== undefined, staleTime: 0 },
  );
}

/** One export as it goes (export.get), read every second until it ends. */
export function useExportRun(hostId: string, opId: string | undefined) {
  return useCallQuery(
    queryKeys.exportRun(hostId, opId ?? ''),
    'export.get',
    { hostId, opId: opId ?? '' },
    {
      enabled: opId !== undefined,
      refetchInterval: (q) => (q.state.data && q.state.data.state !== 'running' ? false : 500),
    },
  );
}

export function useStartExport(hostId: string, uuid: string) {
  return useCallMutation(
    'export.start',
    (req: Pick<ExportRequest, 'dest' | 'mode' | 'snapshot' | 'policy'>) => ({
      hostId,
      uuid,
      ...req,
    }),
    () => undefined,
  );
}

export function useVerifyExport(hostId: string, uuid: string) {
  const client = useQueryClient();
  return useCallMutation(
    'export.verify',
    (v: { dest: string; exportId: string }) => ({ hostId, uuid, ...v }),
    () => void client.invalidateQueries({ queryKey: queryKeys.exports(hostId, uuid) }),
  );
}

/** Copies an export off the host (export.copy): to this computer or another host. */
export function useCopyExport() {
  return useCallMutation(
    'export.copy',
    (input: MethodInput<'export.copy'>) => input,
    () => undefined,
  );
}

/**
 * Cancels a restore from an export while it copies (export.restoreCancel, by the restore id the
 * form gave it); the restore's own call then answers `cancelled`. Refused once it has copied.
 */
export function useRestoreCancel() {
  return useCallMutation(
    'export.restoreCancel',
    (input: MethodInput<'export.restoreCancel'>) => input,
    () => undefined,
  );
}

/** Restores an export as a new domain (export.restore); the host's domain list then has it. */
export function useRestoreExport(hostId: string) {
  const client = useQueryClient();
  return useCallMutation(
    'export.restore',
    (input: MethodInput<'export.restore'>) => input,
    () => void client.invalidateQueries({ queryKey: queryKeys.domains(hostId) }),
  );
}
