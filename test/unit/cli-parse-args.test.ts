import { describe, expect, it } from 'vitest';
import { CliError } from '../../electron/cli/cli-error';
import { EXIT } from '../../electron/cli/exit-codes';
import { COMMANDS, parseCommandLine, wantsJson } from '../../electron/cli/parse-args';

const FP = 'SHA256:oMY3cLLEzuAfhKXeLEqw7fKIVvy3DDORTX2otIJmuQA';

/** The usage error a command line is refused with (the test fails if it parses). */
function refusal(argv: string[]): CliError {
  try {
    parseCommandLine(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exit).toBe(EXIT.usage);
    return err as CliError;
  }
  throw new Error(`${argv.join(' ')} parsed but should have been refused`);
}

describe('quiesce command line', () => {
  it('reads every command with its arguments', () => {
    const cases: [string[], object][] = [
      [['hosts'], { name: 'hosts' }],
      [['trust', 'lab', FP], { name: 'trust', host: 'lab', fingerprint: FP }],
      [['ls', 'lab'], { name: 'ls', host: 'lab' }],
      [['operations', 'lab'], { name: 'operations', host: 'lab' }],
      [['history', 'lab', 'vm1'], { name: 'history', host: 'lab', domain: 'vm1' }],
      [['doctor', 'lab', 'vm1'], { name: 'doctor', host: 'lab', domain: 'vm1' }],
      [['thaw', 'lab', 'vm1'], { name: 'thaw', host: 'lab', domain: 'vm1' }],
      [['merge', 'lab', 'vm1'], { name: 'merge', host: 'lab', domain: 'vm1' }],
      [['branches', 'lab', 'vm1'], { name: 'branches', host: 'lab', domain: 'vm1' }],
      [['add-agent-channel', 'lab', 'vm1'], { name: 'add-agent-channel', domain: 'vm1' }],
      [['revert', 'recover', 'lab', 'vm1'], { name: 'revert-recover', domain: 'vm1' }],
      [['delete', 'lab', 'vm1', 's1'], { name: 'delete', domain: 'vm1', snapshot: 's1' }],
      [['restore-test', 'lab', 'vm1', 's1'], { name: 'restore-test', snapshot: 's1' }],
      [
        ['delete-branch', 'lab', 'vm1', '20261201T061500Z-1a2b3c4d'],
        { name: 'delete-branch', branch: '20261201T061500Z-1a2b3c4d' },
      ],
      [['test-freeze', 'lab', 'vm1'], { name: 'test-freeze', domain: 'vm1' }],
    ];
    for (const [argv, want] of cases) {
      expect(parseCommandLine(argv).command, argv.join(' ')).toMatchObject(want);
    }
  });

  it('reads a snapshot with its options, and without them the defaults', () => {
    expect(
      parseCommandLine([
        'snapshot',
        'lab',
        'vm1',
        '--name',
        'before-upgrade',
        '--description',
        'a b; c',
        '--allow-crash-consistent',
        '--max-freeze',
        '30',
      ]).command,
    ).toEqual({
      name: 'snapshot',
      host: 'lab',
      domain: 'vm1',
      snapshotName: 'before-upgrade',
      description: 'a b; c',
      allowCrashConsistent: true,
      maxFreezeS: 30,
    });
    // No policy flag: require (docs/ARCHITECTURE.md, "Explicit quiesce policy").
    expect(parseCommandLine(['snapshot', 'lab', 'vm1']).command).toEqual({
      name: 'snapshot',
      host: 'lab',
      domain: 'vm1',
      description: '',
      allowCrashConsistent: false,
    });
  });

  it('reads a revert target as a snapshot name, or with --branch as a branch id', () => {
    expect(
      parseCommandLine([
        'revert',
        'start',
        'lab',
        'vm1',
        's1',
        '--allow-force',
        '--stop-timeout',
        '60',
      ]).command,
    ).toEqual({
      name: 'revert-start',
      host: 'lab',
      domain: 'vm1',
      target: { kind: 'snapshot', name: 's1' },
      allowForce: true,
      stopTimeoutS: 60,
    });
    expect(
      parseCommandLine(['revert', 'preview', 'lab', 'vm1', '--branch', '20261201T061500Z-1a2b3c4d'])
        .command,
    ).toMatchObject({
      name: 'revert-preview',
      target: { kind: 'branch', id: '20261201T061500Z-1a2b3c4d' },
      allowForce: false,
    });
    expect(refusal(['revert', 'start', 'lab', 'vm1', 's1', '--branch']).message).toMatch(
      /not a branch id/,
    );
  });

  it('takes the options every command has anywhere on the line', () => {
    const { command, globals } = parseCommandLine([
      '--json',
      'ls',
      '-q',
      'lab',
      '--data-dir',
      '/d',
      '--known-hosts',
      '/k',
    ]);
    expect(command).toEqual({ name: 'ls', host: 'lab' });
    expect(globals).toEqual({ json: true, quiet: true, dataDir: '/d', knownHosts: '/k' });
  });

  it('takes a name starting with "-" after --', () => {
    expect(parseCommandLine(['delete', 'lab', 'vm1', '--', '--current']).command).toMatchObject({
      snapshot: '--current',
    });
    expect(wantsJson(['delete', 'lab', 'vm1', '--', '--json'])).toBe(false);
    expect(wantsJson(['--json', 'nonsense'])).toBe(true);
  });

  it('refuses what it cannot read, saying what is wrong', () => {
    expect(refusal(['frobnicate']).message).toMatch(/not a quiesce command/);
    expect(refusal(['ls']).message).toMatch(/takes HOST/);
    expect(refusal(['ls', 'a', 'b']).message).toMatch(/“b” is one too many/);
    expect(refusal(['ls', 'lab', '--name', 'x']).message).toMatch(
      /--name is not an option of `quiesce ls`/,
    );
    expect(refusal(['ls', 'lab', '--bogus']).message).toMatch(/bogus/);
    expect(refusal(['revert', 'lab', 'vm1']).message).toMatch(
      /needs one of: preview, start, recover/,
    );
    expect(refusal(['snapshot', 'lab', 'vm1', '--max-freeze', '0']).message).toMatch(/1 to 120/);
    expect(refusal(['snapshot', 'lab', 'vm1', '--max-freeze', '2.5']).message).toMatch(
      /whole number/,
    );
    expect(refusal(['revert', 'start', 'lab', 'v', 's', '--stop-timeout', '9999']).message).toMatch(
      /1 to 3600/,
    );
    expect(refusal(['snapshot', 'lab', 'vm1', '--name', 'a b']).message).toMatch(/--name/);
    expect(refusal(['snapshot', 'lab', 'vm1', '--name', "x';rm -rf"]).message).toMatch(/--name/);
    expect(refusal(['trust', 'lab', 'SHA256:short']).message).toMatch(/not a SHA256 fingerprint/);
    expect(refusal(['trust', 'lab', 'MD5:aa:bb']).message).toMatch(/not a SHA256 fingerprint/);
    expect(refusal(['history', 'lab', '']).message).toMatch(/DOMAIN is empty/);
    expect(refusal(['snapshot', 'lab', 'vm1', '--name']).message).toMatch(/--name/);
  });

  it('reads a host to add, checked by the app’s own schema', () => {
    expect(
      parseCommandLine([
        'host',
        'add',
        'kvm1',
        'admin@kvm1.example',
        '--libvirt-uri',
        'qemu:///session',
      ]).command,
    ).toEqual({
      name: 'host-add',
      draft: {
        name: 'kvm1',
        user: 'admin',
        address: 'kvm1.example',
        port: 22,
        auth: { kind: 'agent' },
        libvirtUri: 'qemu:///session',
      },
    });
    expect(refusal(['host', 'add', 'kvm1', 'kvm1.example']).message).toMatch(/USER@ADDRESS/);
    expect(refusal(['host', 'add', 'kvm1', 'a@b;reboot']).message).toMatch(/^address: /);
    expect(refusal(['host', 'add', 'kvm1', 'a b@kvm1']).message).toMatch(/^user: /);
    expect(refusal(['host', 'add', 'kvm1', 'a@kvm1', '--port', '70000']).message).toMatch(
      /1 to 65535/,
    );
    expect(refusal(['host', 'add', 'kvm1', 'a@kvm1', '--host-dir', '../x']).message).toMatch(
      /hostDir/,
    );
    expect(refusal(['host', 'add', 'kvm1', 'a@kvm1', '--libvirt-uri', 'xen:///']).message).toMatch(
      /libvirtUri/,
    );
  });

  it('answers help for nothing, --help, help COMMAND', () => {
    expect(parseCommandLine([]).command).toEqual({ name: 'help' });
    expect(parseCommandLine(['--help']).command).toEqual({ name: 'help' });
    expect(parseCommandLine(['help', 'snapshot']).command).toEqual({
      name: 'help',
      topic: 'snapshot',
    });
    expect(parseCommandLine(['revert', '--help']).command).toEqual({
      name: 'help',
      topic: 'revert',
    });
    expect(parseCommandLine(['revert', 'start', '--help']).command).toEqual({
      name: 'help',
      topic: 'revert start',
    });
  });

  it('has one spec per command word list, each option known', () => {
    const words = COMMANDS.map((c) => c.words.join(' '));
    expect(new Set(words).size).toBe(words.length);
  });
});
