import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseGatherOutput, type Capture } from '../../electron/services/inventory/gather-output';
import { buildInventory } from '../../electron/services/inventory/inventory';
import { judgeReadiness, type DomainFacts } from '../../electron/services/inventory/readiness';
import { parseEventLine } from '../../electron/services/inventory/domain-events';
import { splitDomainXml, readDomainXml } from '../../electron/services/inventory/domain-xml';

const fixture = (name: string) => readFileSync(`test/fixtures/${name}`, 'utf8');
const ok = (out: string): Capture => ({ rc: 0, ms: 40, out, err: '' });
const fail = (err: string): Capture => ({ rc: 1, ms: 3000, out: '', err });

function facts(over: Partial<DomainFacts>): DomainFacts {
  return {
    domain: { uuid: '00000000-0000-4000-8000-000000000001', name: 'vm', state: 'running' },
    channel: { present: true, state: 'connected' },
    ping: ok('{"return":{}}'),
    info: ok(
      '{"return":{"version":"7.2.0","supported_commands":[{"enabled":true,"name":"guest-fsfreeze-freeze"},{"enabled":true,"name":"guest-fsfreeze-thaw"}]}}',
    ),
    fsstatus: ok('{"return":"thawed"}'),
    commandFor: (s) => `cmd ${s}`,
    ...over,
  };
}

describe('readiness ladder', () => {
  it('walks each rung and stops at the first that fails', () => {
    const cases: [Partial<DomainFacts>, string][] = [
      [{ domain: { uuid: 'u', name: 'vm', state: 'shut off' } }, 'not-running'],
      [{ domain: { uuid: 'u', name: 'vm', state: 'paused' } }, 'paused'],
      [{ channel: { present: false } }, 'no-channel'],
      [{ channel: { present: true, state: 'disconnected' } }, 'agent-not-connected'],
      [
        { ping: fail('error: Guest agent is not responding: Guest agent not available for now') },
        'agent-not-responding',
      ],
      [{ ping: undefined }, 'agent-not-responding'],
      [
        {
          info: ok(
            '{"return":{"supported_commands":[{"enabled":false,"name":"guest-fsfreeze-freeze"},{"enabled":true,"name":"guest-fsfreeze-thaw"}]}}',
          ),
        },
        'freeze-unsupported',
      ],
      [{ fsstatus: ok('{"return":"frozen"}') }, 'frozen'],
      // While frozen, qemu-ga reports guest-fsfreeze-freeze as disabled: still "frozen".
      [
        {
          fsstatus: ok('{"return":"frozen"}'),
          info: ok(
            '{"return":{"supported_commands":[{"enabled":false,"name":"guest-fsfreeze-freeze"},{"enabled":true,"name":"guest-fsfreeze-thaw"}]}}',
          ),
        },
        'frozen',
      ],
      [{}, 'ready'],
    ];
    for (const [over, level] of cases) {
      const r = judgeReadiness(facts(over));
      expect(r.level, JSON.stringify(over)).toBe(level);
      expect(r.evidence.length).toBeGreaterThan(0);
      if (level !== 'ready' && level !== 'not-running' && level !== 'paused')
        expect(r.remedy).toBeTruthy();
    }
  });

  it('quotes what the agent said when it does not respond', () => {
    const r = judgeReadiness(
      facts({
        ping: fail('error: Guest agent is not responding: Guest agent not available for now\n'),
      }),
    );
    expect(r.detail).toContain('Guest agent not available for now');
    expect(r.evidence.at(-1)).toMatchObject({ ok: false, ms: 3000 });
  });
});

describe('inventory from real captured host output', () => {
  it('judges the lab guests: ready, agent not started, no channel', () => {
    const inv = buildInventory(
      parseGatherOutput(fixture('inventory/lab-3-guests.ndjson')),
      'qemu:///system',
    );
    const level = Object.fromEntries(inv.domains.map((d) => [d.name, d.readiness.level]));
    expect(level).toEqual({
      'quiesce-lab-agent': 'ready',
      'quiesce-lab-noagent': 'agent-not-connected',
      'quiesce-lab-nochannel': 'no-channel',
    });
    const prereq = Object.fromEntries(inv.prerequisites.map((p) => [p.id, p.ok]));
    expect(prereq).toMatchObject({
      virsh: true,
      access: true,
      'libvirt-version': true,
      hypervisor: true,
      'external-delete': true,
      'external-revert': false,
    });
  });

  it('handles 200 test-driver domains from one gather', () => {
    const inv = buildInventory(
      parseGatherOutput(fixture('inventory/test-driver-200.ndjson')),
      'test:///x',
    );
    expect(inv.domains).toHaveLength(200);
    const levels = new Set(inv.domains.map((d) => d.readiness.level));
    expect(levels).toContain('not-running');
    expect(levels).toContain('no-channel');
    expect(inv.prerequisites.find((p) => p.id === 'hypervisor')).toMatchObject({ ok: false });
  });

  it('explains a missing virsh or an unusable URI instead of listing nothing', () => {
    expect(() => buildInventory(parseGatherOutput('{"k":"no-virsh"}\n'), 'qemu:///system')).toThrow(
      /virsh is not installed/,
    );
    const err = Buffer.from('error: failed to connect to the hypervisor\n').toString('base64');
    expect(() =>
      buildInventory(
        parseGatherOutput(`{"k":"cmd","id":"version","rc":1,"ms":5,"out":"","err":"${err}"}\n`),
        'qemu:///system',
      ),
    ).toThrow(/does not answer/);
  });

  it('tolerates a truncated last line', () => {
    const text = fixture('inventory/lab-3-guests.ndjson');
    const g = parseGatherOutput(text + '{"k":"cmd","id":"ping:x","rc":0,"out":"ey');
    expect(g.captures.has('list')).toBe(true);
  });
});

describe('domain XML and events', () => {
  it('splits a dumpxml stream and finds the agent channel', () => {
    const docs = splitDomainXml(
      'virsh # dumpxml a\n' +
        fixture('virsh/dumpxml-agent.xml') +
        '\nvirsh # dumpxml b\n' +
        fixture('virsh/dumpxml-noagent.xml'),
    );
    expect(docs).toHaveLength(2);
    expect(readDomainXml(docs[0]!).channel).toEqual({ present: true, state: 'connected' });
    expect(readDomainXml(docs[1]!).channel.present).toBe(true);
  });

  it('parses virsh event lines', () => {
    expect(parseEventLine("event 'lifecycle' for domain 'web 1': Suspended Paused")).toEqual({
      kind: 'lifecycle',
      domain: 'web 1',
      detail: 'Suspended Paused',
    });
    expect(
      parseEventLine(
        "event 'agent-lifecycle' for domain 'x': state: 'connected' reason: 'channel event'",
      ),
    ).toMatchObject({
      kind: 'agent-lifecycle',
    });
    expect(parseEventLine('events loop ended')).toBeUndefined();
  });
});
