import { useQueryClient } from '@tanstack/react-query';
import type { MethodInput } from '../../shared/contract';
import { queryKeys } from '../cache/query-keys';
import { useCallMutation } from '../cache/use-call-query';

/**
 * Restore from an export over the original domain (export.restoreOriginal): without `apply`, what
 * the confirmation shows (nothing changes); with it, the restore, after which the host's domain
 * list is read again (the domain stopped and started, its disks changed).
 */
export function useRestoreOriginal(hostId: string) {
  const client = useQueryClient();
  return useCallMutation(
    'export.restoreOriginal',
    (input: MethodInput<'export.restoreOriginal'>) => input,
    (_, out) => {
      if (out.applied) void client.invalidateQueries({ queryKey: queryKeys.domains(hostId) });
    },
  );
}
