import type { InventoryDomain } from '../../shared/readiness';
import { ExportPanel } from '../export/export-panel';
import { DomainHistoryPage } from '../history/domain-history';

/**
 * The history page a domain row opens, with the domain's exports as its last section: composed
 * here, above both, because export/ reads the history and history/ must not import it back.
 * Loaded on first open (host-inventory.tsx), with both.
 */
export function DomainHistoryWithExports(props: { domain: InventoryDomain; onBack: () => void }) {
  return <DomainHistoryPage {...props} ExportsSection={ExportPanel} />;
}
