import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellCommand as mainQuoter } from '../../electron/services/shell/quote';
import { manualRevertProcedure } from '../../electron/services/history/history-actions';
import { shellCommand } from '../../shared/shell-command';
import { manualRevert, stepText } from '../../renderer/history/manual-revert';
import { fingerprintCommand, removeKeyCommand } from '../../renderer/hosts/host-key-help';

/** Names and paths an admin (or a host) may really have; each must reach the command verbatim. */
const HOSTILE = [
  'before upgrade',
  "it's",
  '"double"',
  '$(touch /tmp/quiesce-pwned)',
  '`touch /tmp/quiesce-pwned`',
  'a; destroy test',
  '--current',
  'ünïcødé ✓ 日本語',
  'back\\slash',
  '!event',
];
const IMAGES = [
  '/var/lib/libvirt/images/web 1/disk.qcow2',
  "/srv/vm's/$(reboot)/a.qcow2",
  '/images/日本語 `x`.qcow2',
];

/**
 * Runs a shown command line in a real shell where the program is a function that prints its
 * arguments NUL-separated: what the admin's paste would hand to virsh/ssh-keygen.
 */
function argsOf(command: string, shell = '/bin/bash'): string[] {
  const program = command.split(' ')[0]!;
  const out = execFileSync(shell, ['-c', `${program}() { printf '%s\\0' "$@"; }\n${command}`], {
    encoding: 'utf8',
  });
  return out.split('\0').slice(0, -1);
}

describe('one quoting function', () => {
  it('is the same for the host commands main runs and the commands the UI shows', () => {
    expect(mainQuoter).toBe(shellCommand);
  });

  it('has no second quoter anywhere in renderer/, shared/ or electron/', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(f) ? [p] : [];
      });
    const offenders = ['renderer', 'shared', 'electron'].flatMap(files).filter((f) => {
      const text = readFileSync(f, 'utf8');
      const handQuotes = /'\\\\''|replace\(\/'\/g/.test(text);
      const ownImport = /from 'shell-quote'/.test(text) && f !== join('shared', 'shell-command.ts');
      return handQuotes || ownImport;
    });
    expect(offenders).toEqual([]);
  });
});

describe('the manual revert procedure the history shows', () => {
  const chains = (top: string, base: string) => [
    {
      target: 'vda',
      layers: [
        { file: top, format: 'qcow2', actualSize: null, virtualSize: null },
        { file: base, format: 'qcow2', actualSize: null, virtualSize: null },
      ],
    },
  ];
  const commandsOf = (domain: string, name: string, top: string, base: string) => {
    const procedure = manualRevert(
      domain,
      { name, disks: [{ target: 'vda', snapshot: 'external', file: top }] },
      chains(top, base),
      '9.0.0',
    );
    return procedure.steps.flatMap((s) =>
      s.flatMap((p) => (typeof p === 'string' ? [] : [p.command])),
    );
  };

  for (const name of HOSTILE) {
    it(`hands virsh the domain and snapshot ${JSON.stringify(name)} as they are, by option`, () => {
      const commands = commandsOf(`dom ${name}`, name, IMAGES[0]!, IMAGES[1]!);
      const find = (start: string) => commands.find((c) => c.startsWith(start));
      const [shutdown, destroy, dumpxml, edit] = [
        find('virsh shutdown'),
        find('virsh destroy'),
        find('virsh snapshot-dumpxml'),
        find('virsh edit'),
      ];
      for (const shell of ['/bin/sh', '/bin/bash']) {
        expect(argsOf(shutdown!, shell)).toEqual(['shutdown', '--domain', `dom ${name}`]);
        expect(argsOf(dumpxml!, shell)).toEqual([
          'snapshot-dumpxml',
          '--domain',
          `dom ${name}`,
          '--snapshotname',
          name,
        ]);
      }
      expect(argsOf(destroy!)).toEqual(['destroy', '--domain', `dom ${name}`]);
      expect(argsOf(edit!)).toEqual(['edit', '--domain', `dom ${name}`]);
    });
  }

  it('quotes the image paths it names, one shell word each', () => {
    for (const [top, base] of [
      [IMAGES[0]!, IMAGES[1]!],
      [IMAGES[2]!, IMAGES[0]!],
    ] as const) {
      const commands = commandsOf('web', 'snap', top, base);
      const paths = commands.filter((c) => !c.startsWith('virsh') && !c.startsWith('qemu-img'));
      expect(paths).toHaveLength(2);
      expect(
        execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${paths[0]} ${paths[1]}`], {
          encoding: 'utf8',
        }),
      ).toBe(`${base}\0${top}\0`);
    }
  });

  it('copies each command exactly as it shows it, backticks and all', () => {
    const name = 'a `b` c';
    const procedure = manualRevert(
      'web',
      { name, disks: [{ target: 'vda', snapshot: 'external', file: IMAGES[2]! }] },
      chains(IMAGES[2]!, IMAGES[0]!),
      '9.0.0',
    );
    const copied = stepText(procedure.steps[1]!);
    const shown = shellCommand([
      'virsh',
      'snapshot-dumpxml',
      '--domain',
      'web',
      '--snapshotname',
      name,
    ]);
    expect(copied).toContain(shown);
    expect(copied).toContain(shellCommand([IMAGES[2]!]));
  });

  it('is the procedure main gives, quoted the same way', () => {
    for (const name of HOSTILE) {
      const text = manualRevertProcedure(`dom ${name}`, name, '9.0.0');
      const dumpxml = shellCommand([
        'virsh',
        'snapshot-dumpxml',
        '--domain',
        `dom ${name}`,
        '--snapshotname',
        name,
      ]);
      expect(text).toContain(dumpxml);
      expect(text).toContain(shellCommand(['virsh', 'shutdown', '--domain', `dom ${name}`]));
      expect(text).toContain(shellCommand(['virsh', 'edit', '--domain', `dom ${name}`]));
      expect(argsOf(dumpxml)).toEqual([
        'snapshot-dumpxml',
        '--domain',
        `dom ${name}`,
        '--snapshotname',
        name,
      ]);
    }
  });
});

describe('the host-key clean-up commands', () => {
  it('removes the right lines with the real ssh-keygen, from a known_hosts at a hostile path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-quote-'));
    for (const [i, file] of ["known hosts it's", '$(touch x) `y`', 'ünï côdé'].entries()) {
      const path = join(dir, file);
      const key = join(dir, `k${i}`);
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key, '-C', '']);
      const pub = readFileSync(`${key}.pub`, 'utf8').trim();
      writeFileSync(path, `[kvm1.lab]:2222 ${pub}\nother ${pub}\n`);
      // The profile's address in capitals: ssh(1) wrote the line lower-cased.
      const command = removeKeyCommand('KVM1.lab', 2222, path);
      expect(argsOf(command)).toEqual(['-R', '[kvm1.lab]:2222', '-f', path]);
      execFileSync('/bin/sh', ['-c', command], { stdio: 'ignore' });
      expect(readFileSync(path, 'utf8')).toBe(`other ${pub}\n`);
    }
  });

  it('names the host key file by the one quoter too', () => {
    expect(fingerprintCommand('ecdsa-sha2-nistp256')).toBe(
      shellCommand(['ssh-keygen', '-lf', '/etc/ssh/ssh_host_ecdsa_key.pub']),
    );
  });
});
