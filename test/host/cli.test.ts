import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { appWithLabHost, buildCli, CLI, runQuiesce } from '../support/cli-process';
import { labProfile, type LabProfileShape } from '../support/service-harness';

/**
 * Host tier: the built `quiesce` command against the lab's real OpenSSH sshd, with the app's host
 * profiles and a real known_hosts file: keys refused and trusted, each failure's exit code, and
 * an inventory of libvirt's test driver (200 domains).
 */
let p: LabProfileShape;
let labKeyLine: string;
beforeAll(() => {
  p = labProfile();
  labKeyLine = readFileSync(p.knownHostsPath, 'utf8').trim().split('\n')[0]!;
  buildCli();
});

/** A known_hosts line for the lab's address with another (made-up) ed25519 key. */
function otherKeyLine(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-cli-key-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
  const pub = readFileSync(join(dir, 'k.pub'), 'utf8').trim().split(' ');
  return `[${p.address}]:${p.port} ${pub[0]} ${pub[1]}`;
}

describe('the built command', () => {
  it('imports only Node and the app’s runtime dependencies: no electron', () => {
    const bundle = readFileSync(CLI, 'utf8');
    expect(bundle.startsWith('#!/usr/bin/env node\n')).toBe(true);
    const imported = new Set(
      [...bundle.matchAll(/^import .* from "([^"]+)";?$/gm)].map((m) => m[1]!),
    );
    const deps = Object.keys(
      (JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: object }).dependencies,
    );
    expect(imported.size).toBeGreaterThan(0);
    for (const name of imported) {
      expect(name.startsWith('node:') || deps.includes(name), name).toBe(true);
    }
    expect(bundle).not.toMatch(/require\(["']electron["']\)|from ["']electron["']/);
  });
});

describe('the built command, its streams', () => {
  it('a reader that went away (| head -1) ends it quietly, with no stack trace', async () => {
    const child = spawn(process.execPath, [CLI, 'help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // closed before the command writes its answer
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(exit).toBe(0);
  });
});

describe('quiesce and host keys (real sshd)', () => {
  it('lists the app’s hosts without connecting', async () => {
    const app = await appWithLabHost(p, '', { name: 'lab one' });
    const r = await runQuiesce(['hosts', '--json'], app);
    expect(r.exit).toBe(0);
    expect(r.json?.result).toEqual([app.host]);
    const text = await runQuiesce(['hosts'], app);
    expect(text.stdout).toContain(`lab one  ${p.address}:${p.port}  ${p.user}`);
  });

  it('refuses an unknown key with its fingerprint (5) and saves nothing', async () => {
    const app = await appWithLabHost(p);
    const r = await runQuiesce(['ls', 'lab', '--json'], app);
    expect(r.exit).toBe(5);
    expect(r.json).toMatchObject({
      exit: 5,
      outcome: 'hostKeyUnknown',
      result: {
        status: 'host-key-unknown',
        hostKey: { type: p.hostKeyType, fingerprint: p.hostKeyFingerprint },
      },
    });
    expect(r.stderr).toContain(p.hostKeyFingerprint);
    expect(r.stderr).toMatch(/Not accepted/);
    expect(readFileSync(app.knownHostsPath, 'utf8')).toBe('');
    // The same without --json: nothing on stdout, the refusal on stderr, the same exit code.
    const plain = await runQuiesce(['ls', 'lab'], app);
    expect(plain).toMatchObject({ exit: 5, stdout: '' });
  });

  it('trust: a wrong fingerprint saves nothing (5); the right one is saved hashed, then ls works', async () => {
    const app = await appWithLabHost(p, '', {
      name: 'testdrv',
      libvirtUri: p.testDriverUri,
    });
    const wrong = await runQuiesce(['trust', 'testdrv', 'SHA256:' + 'A'.repeat(43), '--json'], app);
    expect(wrong.exit).toBe(5);
    expect(wrong.stderr).toContain(`offers ${p.hostKeyFingerprint}`);
    expect(readFileSync(app.knownHostsPath, 'utf8')).toBe('');

    const right = await runQuiesce(['trust', 'testdrv', p.hostKeyFingerprint, '--json'], app);
    expect(right.exit).toBe(0);
    expect(right.json?.result).toMatchObject({ saved: true, fingerprint: p.hostKeyFingerprint });
    const saved = readFileSync(app.knownHostsPath, 'utf8');
    expect(saved).toMatch(/^\|1\|/); // hashed, as OpenSSH's HashKnownHosts writes
    // OpenSSH itself finds the saved line for the host.
    execFileSync('ssh-keygen', ['-F', `[${p.address}]:${p.port}`, '-f', app.knownHostsPath]);

    // Trusting again is a no-op that says so.
    const again = await runQuiesce(['trust', 'testdrv', p.hostKeyFingerprint, '--json'], app);
    expect(again).toMatchObject({ exit: 0, json: { result: { saved: false } } });
    expect(readFileSync(app.knownHostsPath, 'utf8')).toBe(saved);

    // By the host's id too; 200 domains of libvirt's test driver, each with its UUID.
    const ls = await runQuiesce(['ls', app.host.id, '--json'], app);
    expect(ls.exit).toBe(0);
    const result = ls.json?.result as { domains: { uuid: string; name: string }[] };
    expect(result.domains).toHaveLength(p.testDriverDomains);
    expect(ls.json).toMatchObject({ host: { id: app.host.id, name: 'testdrv' } });
  });

  it('host add, then trust and ls through the profile it saved; host remove', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-cli-add-'));
    const app = { dataDir: join(dir, 'app'), knownHostsPath: join(dir, 'known_hosts') };
    const added = await runQuiesce(
      [
        'host',
        'add',
        'added',
        `${p.user}@${p.address}`,
        '--port',
        String(p.port),
        '--key',
        p.keyPath,
        '--libvirt-uri',
        p.testDriverUri,
        '--json',
      ],
      app,
    );
    expect(added.exit, added.stderr).toBe(0);
    expect((await runQuiesce(['ls', 'added'], app)).exit).toBe(5);
    expect((await runQuiesce(['trust', 'added', p.hostKeyFingerprint], app)).exit).toBe(0);
    const ls = await runQuiesce(['ls', 'added', '--json'], app);
    expect(ls.exit).toBe(0);
    expect((ls.json?.result as { domains: unknown[] }).domains).toHaveLength(p.testDriverDomains);
    expect((await runQuiesce(['host', 'remove', 'added'], app)).exit).toBe(0);
    expect((await runQuiesce(['ls', 'added'], app)).exit).toBe(8);
  });

  it('refuses a changed key (6) whatever is trusted, and leaves known_hosts alone', async () => {
    const changed = otherKeyLine() + '\n';
    const app = await appWithLabHost(p, changed);
    const r = await runQuiesce(['ls', 'lab', '--json'], app);
    expect(r.exit).toBe(6);
    expect(r.json).toMatchObject({
      outcome: 'hostKeyChanged',
      result: { status: 'host-key-changed', hostKey: { fingerprint: p.hostKeyFingerprint } },
    });
    expect(r.stderr).toMatch(/DIFFERENT host key/);
    expect(r.stderr).toContain('(line 1)');
    const t = await runQuiesce(['trust', 'lab', p.hostKeyFingerprint], app);
    expect(t.exit).toBe(6);
    expect(readFileSync(app.knownHostsPath, 'utf8')).toBe(changed);
  });

  it('a host that does not answer: connection failed (7)', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const app = await appWithLabHost(p, labKeyLine + '\n', { port });
    const r = await runQuiesce(['ls', 'lab', '--json'], app);
    expect(r.exit).toBe(7);
    expect(r.json).toMatchObject({ outcome: 'connectFailed', error: { code: 'connect-failed' } });
  });

  it('an encrypted key: connection failed (7) until its passphrase is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-cli-enc-'));
    const key = join(dir, 'id_ed25519');
    copyFileSync(p.keyPath, key);
    execFileSync('ssh-keygen', ['-q', '-p', '-N', 'pass phrase', '-f', key]);
    const app = await appWithLabHost(p, labKeyLine + '\n', {
      name: 'testdrv',
      libvirtUri: p.testDriverUri,
      auth: { kind: 'key', keyPath: key },
    });
    const locked = await runQuiesce(['ls', 'testdrv', '--json'], app, { SSH_AUTH_SOCK: '' });
    expect(locked.exit).toBe(7);
    expect(locked.stderr).toMatch(/is encrypted/);
    const wrong = await runQuiesce(['ls', 'testdrv'], app, {
      SSH_AUTH_SOCK: '',
      QUIESCE_KEY_PASSPHRASE: 'nope',
    });
    expect(wrong.exit).toBe(7);
    expect(wrong.stderr).toMatch(/passphrase .* is wrong/);
    const open = await runQuiesce(['ls', 'testdrv'], app, {
      SSH_AUTH_SOCK: '',
      QUIESCE_KEY_PASSPHRASE: 'pass phrase',
    });
    expect(open.exit).toBe(0);
  });

  it('a domain the host does not have: not found (8), before anything runs', async () => {
    const app = await appWithLabHost(p, labKeyLine + '\n', {
      name: 'testdrv',
      libvirtUri: p.testDriverUri,
    });
    const r = await runQuiesce(['snapshot', 'testdrv', 'no-such-domain', '--json'], app);
    expect(r.exit).toBe(8);
    expect(r.json).toMatchObject({ outcome: 'notFound' });
    expect(r.stderr).toMatch(/testdrv has no domain “no-such-domain”/);
    const byUuid = await runQuiesce(
      ['history', 'testdrv', '00000000-0000-4000-8000-000000000000'],
      app,
    );
    expect(byUuid.exit).toBe(8);
  });
});
