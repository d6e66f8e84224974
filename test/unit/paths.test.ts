import { describe, expect, it } from 'vitest';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultDataDir, defaultKnownHostsPath } from '../../electron/services/config/paths';

describe('where Quiesce keeps its things', () => {
  it('checks host keys against the admin’s own known_hosts unless told otherwise', () => {
    expect(defaultKnownHostsPath({})).toBe(join(homedir(), '.ssh', 'known_hosts'));
    expect(defaultKnownHostsPath({ QUIESCE_KNOWN_HOSTS: '/tmp/kh' })).toBe('/tmp/kh');
    expect(defaultKnownHostsPath({ QUIESCE_KNOWN_HOSTS: '' })).toBe(
      join(homedir(), '.ssh', 'known_hosts'),
    );
  });

  it('keeps its data in the XDG config folder, or where the tests and the demo say', () => {
    expect(defaultDataDir({})).toBe(join(homedir(), '.config', 'Quiesce'));
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x' })).toBe('/x/Quiesce');
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x', QUIESCE_DATA_DIR: '/d' })).toBe('/d');
  });
});
