/**
 * What bench/inventory-steps.ts takes from the app, bundled as services.ts bundles
 * services-entry.ts: the SSH connection, and the inventory's own parsing and judgement.
 */
export { connectSsh } from '../electron/services/ssh/ssh-connection';
export { inventoryCommand, buildInventory } from '../electron/services/inventory/inventory';
export { parseGatherOutput } from '../electron/services/inventory/gather-output';
// What main does with the answer before it leaves (electron/services/dispatch.ts).
export { contract } from '../shared/contract';
