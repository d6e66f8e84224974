import hostLib from '../host-scripts/host-lib.sh?raw';
import script from '../host-scripts/export-restore-original.sh?raw';
import restoreLib from '../host-scripts/restore-lib.sh?raw';

/**
 * export-restore-original.sh, with host-lib.sh (virsh_, is_uuid, in_range, NL) and restore-lib.sh
 * (what both restores from an export share) in front of it.
 */
export const exportRestoreOriginalScript = `${hostLib}\n${restoreLib}\n${script}`;
