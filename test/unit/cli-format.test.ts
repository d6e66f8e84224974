import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../electron/cli/cli-error';
import { EXIT } from '../../electron/cli/exit-codes';
import {
  duration,
  errorText,
  hostKeyRefusalText,
  labelText,
  operationText,
  restoreTestsText,
  size,
  table,
} from '../../electron/cli/format';
import { renderError, renderResult } from '../../electron/cli/output';
import { COMMANDS, parseCommandLine } from '../../electron/cli/parse-args';
import { MergeProgress, PolledProgress, SnapshotProgress } from '../../electron/cli/progress';
import { defaultSnapshotName } from '../../electron/cli/snapshot-name';
import { usageText } from '../../electron/cli/usage';
import { summarize } from '../../shared/operation-model';
import { capturedJournal } from '../support/captured-journal';

/** The words a POSIX shell makes of a command line shown to the admin. */
const shellWords = (line: string) =>
  execFileSync('sh', ['-c', `printf '%s\\n' ${line}`], { encoding: 'utf8' })
    .trimEnd()
    .split('\n');

const host = { name: 'lab host', address: '127.0.0.1', port: 2222 };
const key = {
  type: 'ssh-ed25519',
  fingerprint: 'SHA256:oMY3cLLEzuAfhKXeLEqw7fKIVvy3DDORTX2otIJmuQA',
};

describe('quiesce output for people', () => {
  it('lays out tables, durations, sizes and labels', () => {
    expect(
      table([
        ['A', 'BB', 'C'],
        ['long', 'x', 'y'],
      ]),
    ).toBe('A     BB  C\nlong  x   y');
    expect(duration(93)).toBe('93 ms');
    expect(duration(1530)).toBe('1.5 s');
    expect(duration(null)).toBe('—');
    expect(size(512)).toBe('512 B');
    expect(size(335872)).toBe('328.0 KiB');
    expect(labelText({ kind: 'quiesced', filesystems: 2 })).toBe('quiesced (2 filesystems)');
    expect(labelText({ kind: 'crash-consistent', reason: 'no agent' })).toMatch(/crash-consistent/);
    expect(labelText({ kind: 'paused' })).toMatch(/crash-consistent/);
  });

  it('streams a real snapshot journal as phase lines with host-clock times', () => {
    const p = new SnapshotProgress();
    const lines = capturedJournal('clean').flatMap((e) => p.line(e) ?? []);
    expect(lines[0]).toMatch(/^snapshot clean: started \(policy require, maximum freeze \d+ s\)$/);
    for (const phase of ['lock', 'preflight', 'prepare', 'arm', 'freeze', 'cut', 'thaw', 'verify'])
      expect(
        lines.some((l) => new RegExp(`^  ${phase} done \\d+ ms`).test(l)),
        phase,
      ).toBe(true);
    expect(lines).toContain('  frozen: 1 filesystem');
    expect(lines.some((l) => /^ {2}thawed: writes were blocked \d+ ms$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('result: quiesced (1 filesystem)');
    // The freeze's own word, not virsh's echo of the command.
    expect(lines.find((l) => l.startsWith('  freeze done'))).toMatch(/Froze 1 filesystem/);
    expect(lines.every((l) => !l.includes('\n') && !l.includes('\r'))).toBe(true);
  });

  it('says where a refused or failed snapshot stopped, and why, on one line', () => {
    const p = new SnapshotProgress();
    const refused = capturedJournal('refused').flatMap((e) => p.line(e) ?? []);
    expect(refused).toContainEqual(
      expect.stringMatching(/^ {2}preflight FAILED \d+ ms: the guest agent cannot freeze/),
    );
    expect(refused.at(-1)).toMatch(/^result: failed at preflight: the guest agent cannot freeze/);
    const hung = capturedJournal('agenthung').flatMap((e) => new SnapshotProgress().line(e) ?? []);
    expect(hung).toContainEqual(expect.stringMatching(/^ {2}thaw FAILED/));
  });

  it('shows only what changed between two answers of a polled operation', () => {
    const p = new PolledProgress();
    expect(p.lines([{ phase: 'lock', status: 'running' }])).toEqual(['  lock …']);
    expect(
      p.lines(
        [
          { phase: 'lock', status: 'done' },
          { phase: 'stop', status: 'running' },
        ],
        'waiting for the guest to stop: 10 s of 120 s',
      ),
    ).toEqual(['  lock done', '  stop …', '    waiting for the guest to stop: 10 s of 120 s']);
    expect(
      p.lines(
        [
          { phase: 'lock', status: 'done' },
          { phase: 'stop', status: 'running' },
        ],
        'waiting for the guest to stop: 10 s of 120 s',
      ),
    ).toEqual([]);
    expect(
      p.lines([
        { phase: 'lock', status: 'done' },
        { phase: 'stop', status: 'failed', detail: 'did not stop\nin time' },
      ]),
    ).toEqual(['  stop FAILED: did not stop — in time']);
  });

  it('shows merge progress a line each 10 %', () => {
    const m = new MergeProgress();
    const ev = (percent: number, done?: boolean) => ({
      type: 'merge-progress' as const,
      hostId: 'h',
      uuid: 'u',
      target: 'vda',
      percent,
      ...(done ? { done } : {}),
    });
    const lines = [0, 3, 12, 19, 55, 100].map((n) => m.line(ev(n)));
    expect(lines).toEqual([
      '  vda: 0 %',
      undefined,
      '  vda: 10 %',
      undefined,
      '  vda: 50 %',
      '  vda: 100 %',
    ]);
    expect(m.line(ev(100, true))).toBe('  vda: merged');
  });

  it('shows an unknown host key with its fingerprint and the command that trusts it', () => {
    const e = hostKeyRefusalText(
      {
        status: 'host-key-unknown',
        hostKey: key,
        knownHostsPath: '/k/known_hosts',
        knownTypes: [],
      },
      host,
    );
    expect(e.message).toContain(key.fingerprint);
    expect(e.message).toContain('/k/known_hosts');
    expect(e.message).toMatch(/Not accepted/);
    // The host name is quoted for a shell; the command it shows, run, trusts exactly that key.
    const cmd = /run (quiesce trust .*), or connect/.exec(e.remedy!)![1]!;
    expect(shellWords(cmd)).toEqual(['quiesce', 'trust', 'lab host', key.fingerprint]);
  });

  it('refuses a changed key, naming the old and new fingerprints and the known_hosts line', () => {
    const e = hostKeyRefusalText(
      {
        status: 'host-key-changed',
        hostKey: key,
        knownHostsPath: '/k/known_hosts',
        expected: [{ type: 'ssh-ed25519', fingerprint: 'SHA256:old', line: 3 }],
      },
      host,
    );
    expect(e.message).toMatch(/DIFFERENT host key/);
    expect(e.message).toContain(key.fingerprint);
    expect(e.cause).toContain('SHA256:old (line 3)');
    const cmd = /genuine: (ssh-keygen .*), then quiesce trust/.exec(e.remedy!)![1]!;
    expect(shellWords(cmd)).toEqual([
      'ssh-keygen',
      '-R',
      '[127.0.0.1]:2222',
      '-f',
      '/k/known_hosts',
    ]);
  });

  it('says an operation’s outcome with its window and error', () => {
    expect(operationText(summarize('op1', capturedJournal('clean')))).toMatch(
      /^Snapshot clean: succeeded, quiesced \(1 filesystem\)\n {2}blocked writes: \d+ ms {2}\(operation op1\)$/,
    );
    const refused = operationText(summarize('op2', capturedJournal('refused')));
    expect(refused).toMatch(/failed at “preflight”; no snapshot was taken/);
    expect(refused).toMatch(/what to do: /);
  });

  it('proposes the app dialog’s snapshot name, valid for the contract', () => {
    const name = defaultSnapshotName(new Date(2026, 11, 1, 6, 5, 9));
    expect(name).toBe('quiesce-20261201-060509');
    expect(parseCommandLine(['snapshot', 'h', 'd', '--name', name]).command).toMatchObject({
      snapshotName: name,
    });
  });
});

describe('restore tests kept on the host', () => {
  it('one line each: when, which snapshot, the verdict', () => {
    const base = {
      opId: '20261201T061649Z-2f0aaebd',
      snapshot: 's1',
      startedAt: '2026-12-01T06:16:49Z',
      clone: null,
      phases: [],
      bootS: 9,
      filesystems: [],
      evidence: '',
      message: null,
      cloneGone: true,
    };
    const text = restoreTestsText([
      { ...base, state: 'succeeded', restorable: true, recovery: true },
      { ...base, snapshot: null, state: 'failed', restorable: false, recovery: null, bootS: null },
    ]);
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^STARTED +SNAPSHOT +STATE +VERDICT +BOOT +OPERATION$/),
      expect.stringMatching(
        /^2026-12-01T06:16:49Z +s1 +succeeded +restorable \(journal recovery\) +9 s +20261201T061649Z-2f0aaebd$/,
      ),
      expect.stringMatching(
        /^2026-12-01T06:16:49Z +— +failed +NOT restorable +— +20261201T061649Z-2f0aaebd$/,
      ),
    ]);
    expect(restoreTestsText([])).toBe('No restore tests.');
  });
});

describe('quiesce --json and the end of a command', () => {
  it('prints one envelope with the exit code, its name and the answer', () => {
    const r = renderResult(
      {
        exit: EXIT.crashConsistent,
        result: { opId: 'x' },
        text: 'ignored',
        host: { id: 'h', name: 'lab' },
        domain: { uuid: 'u', name: 'vm' },
      },
      true,
    );
    expect(r.exit).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({
      exit: 3,
      outcome: 'crashConsistent',
      result: { opId: 'x' },
      host: { id: 'h', name: 'lab' },
      domain: { uuid: 'u', name: 'vm' },
    });
    expect(renderResult({ exit: 0, result: {}, text: 'hello' }, false)).toEqual({
      exit: 0,
      stdout: 'hello\n',
      stderr: '',
    });
  });

  it('an error: the envelope on stdout with --json, the explanation on stderr always', () => {
    const err = new CliError(
      EXIT.hostKeyUnknown,
      { code: 'connect-failed', message: 'unknown key', remedy: 'trust it' },
      { status: 'host-key-unknown', hostKey: key },
    );
    const j = renderError(err, true);
    expect(j.exit).toBe(5);
    expect(JSON.parse(j.stdout)).toEqual({
      exit: 5,
      outcome: 'hostKeyUnknown',
      result: { status: 'host-key-unknown', hostKey: key },
      error: { code: 'connect-failed', message: 'unknown key', remedy: 'trust it' },
    });
    expect(j.stderr).toBe('quiesce: unknown key\n  what to do: trust it\n');
    expect(renderError(err, false).stdout).toBe('');
  });

  it('an unexpected error is a failure with its message and no stack', () => {
    const r = renderError(new TypeError('x is undefined'), true);
    expect(r.exit).toBe(EXIT.failed);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'internal', cause: 'x is undefined' });
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('errorText says what happened, why and what to do', () => {
    expect(errorText({ code: 'internal', message: 'm', cause: 'c', remedy: 'r' })).toBe(
      'quiesce: m\n  why: c\n  what to do: r',
    );
  });
});

describe('quiesce help', () => {
  it('lists every command and every exit code', () => {
    const text = usageText();
    for (const c of COMMANDS) expect(text).toContain(`quiesce ${c.words.join(' ')}`);
    for (const code of Object.values(EXIT)) expect(text).toMatch(new RegExp(`^ +${code}  `, 'm'));
  });

  it('help for one command or family shows only those', () => {
    const text = usageText('revert');
    expect(text).toContain('quiesce revert preview HOST DOMAIN TARGET');
    expect(text).toContain('quiesce revert recover HOST DOMAIN');
    expect(text).not.toContain('quiesce snapshot');
    expect(usageText('snapshot')).toContain('[--allow-crash-consistent]');
  });
});
