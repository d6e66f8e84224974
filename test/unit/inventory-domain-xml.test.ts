import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  AGENT_CHANNEL,
  readDomainXml,
  splitDomainXml,
  type AgentChannel,
} from '../../electron/services/inventory/domain-xml';
import { parseGatherOutput } from '../../electron/services/inventory/gather-output';

/**
 * readDomainXml (one pass over the tags) against what a full XML parser reads from the same
 * documents: the way domain-xml.ts read them before (fast-xml-parser, kept here as the oracle).
 * Every domain document the fixtures hold, as libvirt wrote them, and documents built to
 * mislead a reader that matches text instead of following the tree.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['channel', 'disk'].includes(name),
});
function oracle(xml: string): { uuid: string | undefined; channel: AgentChannel } {
  const doc = parser.parse(xml) as {
    domain?: {
      uuid?: unknown;
      devices?: { channel?: { target?: { '@name'?: string; '@state'?: string } }[] };
    };
  };
  const domain = doc.domain ?? {};
  const channel = (domain.devices?.channel ?? []).find(
    (c) => c.target?.['@name'] === AGENT_CHANNEL,
  );
  return {
    uuid: typeof domain.uuid === 'string' ? domain.uuid.toLowerCase() : undefined,
    channel: channel
      ? {
          present: true,
          ...(channel.target?.['@state'] ? { state: channel.target['@state'] } : {}),
        }
      : { present: false },
  };
}

const fixture = (p: string) => readFileSync(join('test/fixtures', p), 'utf8');
function fixtureDocs(): { from: string; xml: string }[] {
  const docs: { from: string; xml: string }[] = [];
  for (const dir of ['inventory', 'doctor']) {
    for (const f of readdirSync(join('test/fixtures', dir)).filter((n) => n.endsWith('.ndjson'))) {
      for (const [id, c] of parseGatherOutput(fixture(join(dir, f))).captures)
        for (const xml of splitDomainXml(c.out)) docs.push({ from: `${dir}/${f} ${id}`, xml });
    }
  }
  for (const f of ['virsh/dumpxml-agent.xml', 'virsh/dumpxml-noagent.xml'])
    docs.push({ from: f, xml: fixture(f) });
  return docs;
}

const U = '3F2504E0-4F89-11D3-9A0C-0305E82C3301';
const agent = (state: string) =>
  `<channel type='unix'><target type='virtio' name='${AGENT_CHANNEL}'${state}/></channel>`;
const MISLEADING: Record<string, string> = {
  'a connected channel in metadata only': `<domain type='kvm'><name>m</name><uuid>${U}</uuid><metadata><app xmlns="urn:x"><devices>${agent(" state='connected'")}</devices><uuid>00000000-0000-0000-0000-000000000000</uuid></app></metadata><devices><disk/></devices></domain>`,
  'the channel in a comment': `<domain><uuid>${U}</uuid><devices><!-- ${agent(" state='connected'")} --></devices></domain>`,
  'the channel in CDATA': `<domain><uuid>${U}</uuid><description><![CDATA[<devices>${agent(" state='connected'")}</devices>]]></description><devices/></domain>`,
  'a ">" and quotes in attribute values': `<domain type="kvm" x='a>b"c'><uuid> ${U} </uuid><devices><channel type="unix"><source path='/run/a>b'/><target type="virtio" name="${AGENT_CHANNEL}" state="disconnected"/></channel></devices></domain>`,
  'a declaration and an empty state': `<?xml version="1.0"?>\n<domain><uuid>${U}</uuid><devices>${agent(" state=''")}</devices></domain>`,
  'two channels, the agent second': `<domain><uuid>${U}</uuid><devices><channel type='pty'><target type='virtio' name='other'/></channel>${agent(" state='connected'")}</devices></domain>`,
  'two targets in the channel': `<domain><uuid>${U}</uuid><devices><channel type='unix'><target name='${AGENT_CHANNEL}' state='connected'/><target name='x'/></channel></devices></domain>`,
  'escaped text in the name': `<domain><name>a&lt;uuid&gt;b</name><uuid>${U}</uuid><devices>${agent(" state='connected'")}</devices></domain>`,
  'not a domain': `<network><uuid>${U}</uuid></network>`,
  'no uuid': `<domain><devices>${agent('')}</devices></domain>`,
};

describe('readDomainXml', () => {
  const docs = fixtureDocs();
  it('reads every domain document of the fixtures as a full XML parser does', () => {
    expect(docs.length).toBeGreaterThan(150);
    const channels = new Set<string>();
    for (const { from, xml } of docs) {
      const got = readDomainXml(xml);
      expect(got, from).toEqual(oracle(xml));
      channels.add(JSON.stringify(got.channel));
    }
    // The fixtures hold every kind: no channel, and a channel connected or not.
    expect(channels.size).toBeGreaterThanOrEqual(3);
  });

  it.each(Object.entries(MISLEADING))('follows the tree, not the text: %s', (_, xml) => {
    expect(readDomainXml(xml)).toEqual(oracle(xml));
  });

  it('reads what each misleading document says', () => {
    const read = (k: string) => readDomainXml(MISLEADING[k]!);
    expect(read('a connected channel in metadata only')).toEqual({
      uuid: U.toLowerCase(),
      channel: { present: false },
    });
    expect(read('the channel in a comment').channel).toEqual({ present: false });
    expect(read('the channel in CDATA').channel).toEqual({ present: false });
    expect(read('a ">" and quotes in attribute values')).toEqual({
      uuid: U.toLowerCase(),
      channel: { present: true, state: 'disconnected' },
    });
    expect(read('a declaration and an empty state').channel).toEqual({ present: true });
    expect(read('two channels, the agent second').channel).toEqual({
      present: true,
      state: 'connected',
    });
    expect(read('two targets in the channel').channel).toEqual({ present: false });
    expect(read('not a domain')).toEqual({ uuid: undefined, channel: { present: false } });
  });
});
