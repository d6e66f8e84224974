import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useState, type ComponentType } from 'react';
import type { Domain } from '../../shared/domains';
import type { InventoryDomain } from '../../shared/readiness';
import { queryKeys } from '../cache/query-keys';
import { ErrorBox } from '../ui/error-box';
import { HistoryPage } from './history-page';
import { HistoryPageFrame } from './history-page-frame';
import type { HistorySectionProps } from './history-view';

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

/** The history page as a domain row opens it: the row's host is looked up once, on open. */
export function DomainHistoryPage({
  domain,
  onBack,
  ExportsSection,
}: {
  domain: InventoryDomain;
  onBack: () => void;
  ExportsSection?: ComponentType<HistorySectionProps>;
}) {
  const client = useQueryClient();
  const [hostId] = useState(() => hostOfDomain(client, domain));
  // The row is drawn from an inventory list, so its host is there; if the list was dropped
  // meanwhile, say so rather than open on nothing.
  if (!hostId) {
    return (
      <HistoryPageFrame domainName={domain.name} onBack={onBack}>
        <ErrorBox
          error={{
            code: 'not-found',
            message: `Quiesce could not tell which host lists ${domain.name}.`,
            remedy: 'Refresh the host’s domains, then open the history again.',
          }}
        />
      </HistoryPageFrame>
    );
  }
  return (
    <HistoryPage hostId={hostId} domain={domain} onBack={onBack} ExportsSection={ExportsSection} />
  );
}
