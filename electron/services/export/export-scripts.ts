import cancelScript from '../host-scripts/export-cancel.sh?raw';
import hostLib from '../host-scripts/host-lib.sh?raw';
import listScript from '../host-scripts/export-list.sh?raw';
import pruneScript from '../host-scripts/export-prune.sh?raw';
import restoreScript from '../host-scripts/export-restore.sh?raw';
import restoreCancelScript from '../host-scripts/export-restore-cancel.sh?raw';
import restoreLib from '../host-scripts/restore-lib.sh?raw';
import spaceScript from '../host-scripts/export-space.sh?raw';
import verifyScript from '../host-scripts/export-verify.sh?raw';

/** The host scripts behind cancel, list, space, verify, restore and retention (see each file's header). */
export const exportCancelScript = cancelScript;
export const exportListScript = listScript;
export const exportPruneScript = pruneScript;
/**
 * export-restore.sh, with host-lib.sh (is_uint, now_mono: restore-lib.sh's progress lines) and
 * restore-lib.sh (what both restores from an export share) in front.
 */
export const exportRestoreScript = `${hostLib}\n${restoreLib}\n${restoreScript}`;
/** Asks a restore from an export to stop; honoured only while it copies (restore-lib.sh). */
export const exportRestoreCancelScript = restoreCancelScript;
export const exportSpaceScript = spaceScript;
export const exportVerifyScript = verifyScript;
