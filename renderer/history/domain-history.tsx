import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Domain } from '../../shared/domains';
import type { InventoryDomain } from '../../shared/readiness';
import { queryKeys } from '../cache/query-keys';
import { CloseActions, Dialog, type DomainDialogProps } from '../ui/dialog';
import { ErrorBox } from '../ui/error-box';
import { HistoryDialog } from './history-dialog';
import { HistoryLayer } from './history-layer';

/**
 * The host whose inventory lists this domain. The domain row knows its domain, not its host;
 * the inventory cache does: the very object the row shows comes from one host's list (the same
 * UUID on two hosts is then told apart), else the first list that has the UUID.
 */
export function hostOfDomain(
  client: QueryClient,
  domain: Pick<Domain, 'uuid'>,
): string | undefined {
  const lists = client
    .getQueryCache()
    .findAll({ queryKey: queryKeys.allDomains })
    .map((q) => ({
      hostId: q.queryKey[1],
      domains: (q.state.data as { domains?: InventoryDomain[] } | undefined)?.domains ?? [],
    }))
    .filter(
      (l): l is { hostId: string; domains: InventoryDomain[] } => typeof l.hostId === 'string',
    );
  const exact = lists.find((l) => l.domains.some((d) => d === domain));
  const byUuid = lists.find((l) => l.domains.some((d) => d.uuid === domain.uuid));
  return (exact ?? byUuid)?.hostId;
}

/** The history dialog as a domain row opens it: the row's host is looked up once, on open. */
export function DomainHistoryDialog({ domain, onClose }: DomainDialogProps) {
  const client = useQueryClient();
  const [hostId] = useState(() => hostOfDomain(client, domain));
  // The row is drawn from an inventory list, so its host is there; if the list was dropped
  // meanwhile, say so rather than open on nothing.
  if (!hostId) {
    return (
      <HistoryLayer>
        <Dialog
          title={`Snapshot history of ${domain.name}`}
          onClose={onClose}
          testId="history-dialog"
        >
          <ErrorBox
            error={{
              code: 'not-found',
              message: `Quiesce could not tell which host lists ${domain.name}.`,
              remedy: 'Refresh the host’s domains, then open the history again.',
            }}
          />
          <CloseActions onClose={onClose} />
        </Dialog>
      </HistoryLayer>
    );
  }
  return <HistoryDialog hostId={hostId} domain={domain} onClose={onClose} />;
}
