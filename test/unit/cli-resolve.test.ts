import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv } from '../../electron/cli/app-paths';
import { resolveAppPaths } from '../../electron/services/config/paths';
import { CliError } from '../../electron/cli/cli-error';
import { EXIT } from '../../electron/cli/exit-codes';
import { resolveDomain, resolveHost } from '../../electron/cli/resolve';
import type { Domain } from '../../shared/domains';
import type { HostProfile } from '../../shared/hosts';
import { DEFAULT_SETTINGS } from '../../shared/settings';

const profile = (id: string, name: string): HostProfile => ({
  id,
  name,
  address: '127.0.0.1',
  port: 22,
  user: 'u',
  auth: { kind: 'agent' },
  libvirtUri: 'qemu:///system',
  hostDir: '.quiesce',
});
const H1 = '11111111-1111-4111-8111-111111111111';
const H2 = '22222222-2222-4222-8222-222222222222';
const H3 = '33333333-3333-4333-8333-333333333333';
const hosts = [profile(H1, 'Lab'), profile(H2, 'prod'), profile(H3, 'prod')];

const dom = (uuid: string, name: string): Domain => ({ uuid, name, state: 'running' });
const U1 = 'ad52f342-ec61-43a1-b845-dbb7ab553af5';
const U2 = '3b7c4547-605c-418d-be05-5e9ac6f5c61a';
const domains = [dom(U1, 'web'), dom(U2, 'Web')];

function thrown(f: () => unknown): CliError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error('expected a CliError');
}

describe('naming hosts and domains on the command line', () => {
  it('finds a host by id, by name, by a name in another case when unique', () => {
    expect(resolveHost(hosts, H2).id).toBe(H2);
    expect(resolveHost(hosts, 'Lab').id).toBe(H1);
    expect(resolveHost(hosts, 'lab').id).toBe(H1);
  });

  it('refuses an ambiguous host name, offering the ids; an unknown one is not found', () => {
    const e = thrown(() => resolveHost(hosts, 'prod'));
    expect(e.exit).toBe(EXIT.usage);
    expect(e.shape.remedy).toContain(H2);
    expect(e.shape.remedy).toContain(H3);
    const missing = thrown(() => resolveHost(hosts, 'nope'));
    expect(missing.exit).toBe(EXIT.notFound);
    expect(missing.shape.remedy).toMatch(/Lab, prod, prod/);
    expect(thrown(() => resolveHost([], 'x')).shape.remedy).toMatch(
      /Add the host in the Quiesce app/,
    );
  });

  it('resolves a domain name to its UUID exactly (names are case-sensitive), or a UUID in any case', () => {
    expect(resolveDomain(domains, 'web', 'lab').uuid).toBe(U1);
    expect(resolveDomain(domains, 'Web', 'lab').uuid).toBe(U2);
    expect(resolveDomain(domains, U1.toUpperCase(), 'lab').uuid).toBe(U1);
    const e = thrown(() => resolveDomain([dom(U1, 'web')], 'WEB', 'lab'));
    expect(e.exit).toBe(EXIT.notFound);
    expect(e.shape.remedy).toMatch(/Did you mean “web”/);
    const gone = thrown(() =>
      resolveDomain(domains, '00000000-0000-4000-8000-000000000000', 'my lab'),
    );
    expect(gone.exit).toBe(EXIT.notFound);
    expect(gone.shape.remedy).toContain("quiesce ls 'my lab'");
  });
});

describe('the app’s files, as the app finds them', () => {
  it('--data-dir and --known-hosts stand for the environment overrides, which win over settings', async () => {
    const home = mkdtempSync(join(tmpdir(), 'quiesce-cli-paths-'));
    const config = join(home, '.config', 'Quiesce');
    mkdirSync(config, { recursive: true });
    writeFileSync(
      join(config, 'settings.json'),
      JSON.stringify({ ...DEFAULT_SETTINGS, dataDir: '/srv/quiesce', knownHostsPath: '/etc/q/kh' }),
    );
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config') } as NodeJS.ProcessEnv;
    // as the app: the settings move the data folder and known_hosts
    expect(await resolveAppPaths(cliEnv(env, { json: false, quiet: false }))).toMatchObject({
      configDir: config,
      dataDir: '/srv/quiesce',
      knownHostsPath: '/etc/q/kh',
    });
    // the options win, as the environment does
    const e = cliEnv(env, { json: false, quiet: false, dataDir: '/tmp/d', knownHosts: '/tmp/kh' });
    expect(await resolveAppPaths(e)).toMatchObject({
      configDir: '/tmp/d',
      dataDir: '/tmp/d',
      knownHostsPath: '/tmp/kh',
    });
    expect(cliEnv(env, { json: false, quiet: false })).toEqual(env);
  });
});
