import type { MethodOutput } from '../../../shared/contract';
import type { SshConfigHost } from '../../../shared/hosts';
import { localSshConfig } from './ssh-config-files';
import {
  expandIdentityFile,
  listHostAliases,
  resolveHost,
  type JumpHop,
  type SshConfigSources,
} from './ssh-config';

const hopText = (h: JumpHop) =>
  `${h.user ? `${h.user}@` : ''}${h.host}${h.port ? `:${h.port}` : ''}`;

/** Every concrete alias of the config, resolved; a config that cannot be read says why. */
export function sshConfigHosts(src: SshConfigSources): MethodOutput<'hosts.sshConfig'> {
  try {
    const hosts = listHostAliases(src).map((alias): SshConfigHost => {
      const r = resolveHost(src, alias);
      const first = r.identityFiles[0];
      return {
        alias,
        hostName: r.hostName,
        port: r.port,
        user: r.user,
        ...(first ? { identityFile: expandIdentityFile(first, r, src) } : {}),
        identitiesOnly: r.identitiesOnly,
        jumps: r.proxyJump.map(hopText),
      };
    });
    return { path: src.path, hosts };
  } catch (err) {
    return { path: src.path, hosts: [], problem: (err as Error).message };
  }
}

/** hosts.sshConfig: read at each call (HOME decides where), so an edited config shows at once. */
export function sshConfigHandlers(sources: () => SshConfigSources = () => localSshConfig()) {
  return {
    'hosts.sshConfig': async () => sshConfigHosts(sources()),
  };
}
