import deleteScript from './branch-delete.sh?raw';
import listScript from './branches-list.sh?raw';

/** The host scripts behind the branch list and "delete branch" (see each file's header). */
export const listBranchesScript = listScript;
export const deleteBranchScript = deleteScript;
