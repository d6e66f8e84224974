import type { RestoreRunArgs } from '../../electron/services/export/restore-launch';

/**
 * The restore runner's arguments as the unit tests launch it (restoreLaunchScript): the test
 * domain's uuid, the test export, the operation's id as the cancel's name; OVERRIDES for what a
 * test is about (its kind, name, whether the new domain starts).
 */
export function testRestoreRunArgs(
  op: string,
  overrides: Partial<RestoreRunArgs> = {},
): RestoreRunArgs {
  return {
    op,
    uri: 'qemu:///system',
    uuid: '11111111-1111-4111-8111-111111111111',
    agentTimeoutS: 10,
    workstation: 'ws',
    user: 'me',
    kind: 'restore',
    exportId: '20261201T000100Z-0000000b',
    restoreId: op,
    name: 'web-restored',
    start: false,
    ...overrides,
  };
}
