import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run-cli';
import { DEFAULT_SETTINGS } from '../../shared/settings';

/**
 * The command line end to end without a host: the app's files found as the app finds them,
 * stdout/stderr and the exit code. (Connections: test/host/cli.test.ts and the lab tier.)
 */
const HOST_ID = '11111111-2222-4333-8444-555555555555';
const hostsFile = (name: string) =>
  JSON.stringify({
    version: 1,
    hosts: [
      {
        id: HOST_ID,
        name,
        address: 'kvm1.example',
        port: 22,
        user: 'admin',
        auth: { kind: 'agent' },
        libvirtUri: 'qemu:///system',
        hostDir: '.quiesce',
      },
    ],
  });

async function run(argv: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const exit = await runCli(argv, {
    env,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { exit, stdout, stderr };
}

const scratch = () => mkdtempSync(join(tmpdir(), 'quiesce-cli-unit-'));

describe('quiesce without a host', () => {
  it('lists the app’s saved hosts from the data folder, as text and as JSON', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'hosts.json'), hostsFile('kvm one'));
    const env = { HOME: dir };
    const text = await run(['hosts', '--data-dir', dir], env);
    expect(text).toMatchObject({ exit: 0, stderr: '' });
    expect(text.stdout).toMatch(/^NAME +ADDRESS +USER +LIBVIRT +ID\nkvm one +kvm1\.example +admin/);
    const json = await run(['hosts', '--json'], { ...env, QUIESCE_DATA_DIR: dir });
    expect(JSON.parse(json.stdout)).toMatchObject({
      exit: 0,
      outcome: 'ok',
      result: [{ id: HOST_ID, name: 'kvm one' }],
    });
  });

  it('follows the app’s settings to a moved data folder', async () => {
    const home = scratch();
    const config = join(home, '.config', 'Quiesce');
    const moved = join(home, 'elsewhere');
    mkdirSync(config, { recursive: true });
    mkdirSync(moved);
    writeFileSync(join(moved, 'hosts.json'), hostsFile('moved'));
    writeFileSync(join(config, 'hosts.json'), hostsFile('not this one'));
    writeFileSync(
      join(config, 'settings.json'),
      JSON.stringify({ ...DEFAULT_SETTINGS, dataDir: moved }),
    );
    const r = await run(['hosts', '--json'], {
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
    });
    expect(JSON.parse(r.stdout).result.map((h: { name: string }) => h.name)).toEqual(['moved']);
  });

  it('a host nobody saved: not found (8), with the names there are', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'hosts.json'), hostsFile('kvm one'));
    const r = await run(['ls', 'kvm two', '--data-dir', dir, '--json'], { HOME: dir });
    expect(r.exit).toBe(8);
    expect(JSON.parse(r.stdout)).toMatchObject({
      exit: 8,
      outcome: 'notFound',
      error: { code: 'not-found', message: 'No saved host is called “kvm two”.' },
    });
    expect(r.stderr).toMatch(
      /^quiesce: No saved host is called “kvm two”\.\n {2}what to do: Saved hosts: kvm one/,
    );
  });

  it('a wrong command line: usage (2), the envelope too when --json was asked', async () => {
    const r = await run(['snapshot', 'h', '--json'], { HOME: scratch() });
    expect(r.exit).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ exit: 2, outcome: 'usage', result: null });
    expect(r.stderr).toMatch(/takes HOST DOMAIN/);
    const plain = await run(['nonsense'], { HOME: scratch() });
    expect(plain).toMatchObject({ exit: 2, stdout: '' });
  });

  it('a damaged host list is a failure that says which file', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'hosts.json'), JSON.stringify({ version: 1, hosts: [{ id: 'x' }] }));
    const r = await run(['hosts', '--data-dir', dir], { HOME: dir });
    expect(r.exit).toBe(1);
    expect(r.stderr).toContain(join(dir, 'hosts.json'));
  });

  it('host add saves a profile as the app’s form would; a name in use is refused; host remove', async () => {
    const dir = scratch();
    const env = { HOME: dir, QUIESCE_DATA_DIR: dir };
    const added = await run(
      [
        'host',
        'add',
        'kvm two',
        'admin@kvm2.example',
        '--port',
        '2200',
        '--key',
        'keys/id',
        '--json',
      ],
      env,
    );
    expect(added.exit).toBe(0);
    const saved = JSON.parse(added.stdout).result;
    expect(saved).toMatchObject({
      name: 'kvm two',
      address: 'kvm2.example',
      port: 2200,
      user: 'admin',
      // relative to where the command ran, kept absolute
      auth: { kind: 'key', keyPath: join(process.cwd(), 'keys/id') },
      libvirtUri: 'qemu:///system',
      hostDir: '.quiesce',
    });
    const listed = await run(['hosts', '--json'], env);
    expect(JSON.parse(listed.stdout).result).toEqual([saved]);

    const again = await run(['host', 'add', 'KVM Two', 'root@other'], env);
    expect(again.exit).toBe(2);
    expect(again.stderr).toMatch(/already saved/);

    const agent = await run(['host', 'add', 'kvm3', 'ops@10.0.0.3', '--json'], env);
    expect(JSON.parse(agent.stdout).result.auth).toEqual({ kind: 'agent' });

    const removed = await run(['host', 'remove', 'kvm two', '--json'], env);
    expect(JSON.parse(removed.stdout)).toMatchObject({ exit: 0, result: { removed: saved.id } });
    const left = JSON.parse((await run(['hosts', '--json'], env)).stdout).result;
    expect(left.map((h: { name: string }) => h.name)).toEqual(['kvm3']);
    expect((await run(['host', 'remove', 'kvm two'], env)).exit).toBe(8);
  });

  it('help, on stdout, exit 0', async () => {
    const r = await run(['help'], { HOME: scratch() });
    expect(r.exit).toBe(0);
    expect(r.stdout).toMatch(/^quiesce — /);
    expect(r.stdout).toMatch(/Exit codes:/);
  });
});
