import hostLib from '../host-scripts/host-lib.sh?raw';
import script from '../host-scripts/export-restore-original.sh?raw';

/** export-restore-original.sh, host-lib.sh in front of it (virsh_, is_uuid, in_range, NL). */
export const exportRestoreOriginalScript = `${hostLib}\n${script}`;
