import { readdirSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { SshConfigSources } from './ssh-config';

/** The local user's ~/.ssh/config, read from disk (HOME decides where, as for Node's homedir). */
export function localSshConfig(home = homedir()): SshConfigSources {
  return {
    path: join(home, '.ssh', 'config'),
    home,
    localUser: userInfo().username,
    readText: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    listDir: (d) => {
      try {
        return readdirSync(d);
      } catch {
        return [];
      }
    },
  };
}
