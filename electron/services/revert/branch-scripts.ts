import hostLib from '../host-scripts/host-lib.sh?raw';
import deleteScript from './branch-delete.sh?raw';
import listScript from './branches-list.sh?raw';

/** The host scripts behind the branch list and "delete branch" (see each file's header). */
export const listBranchesScript = listScript;
/** branch-delete.sh, host-lib.sh in front of it (what libvirt says is in use, base64, the clock). */
export const deleteBranchScript = `${hostLib}\n${deleteScript}`;
