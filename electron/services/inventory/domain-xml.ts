import { XMLParser } from 'fast-xml-parser';

export const AGENT_CHANNEL = 'org.qemu.guest_agent.0';

export interface AgentChannel {
  present: boolean;
  /** libvirt's view of the guest side of the port: connected means the guest opened it. */
  state?: string;
}

/** Cuts a stream of `virsh dumpxml` outputs (with virsh's echo lines between) into documents. */
export function splitDomainXml(dump: string): string[] {
  return dump.match(/<domain[\s>][\s\S]*?<\/domain>/g) ?? [];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['channel', 'disk'].includes(name),
});

interface ParsedDomain {
  uuid?: string;
  devices?: { channel?: { target?: { '@name'?: string; '@state'?: string } }[] };
}

/** The UUID and agent channel of one domain document. */
export function readDomainXml(xml: string): { uuid: string | undefined; channel: AgentChannel } {
  const doc = parser.parse(xml) as { domain?: ParsedDomain };
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

/** The channel to add to a domain's definition so the guest agent can be reached. */
export const AGENT_CHANNEL_XML = `<channel type='unix'>
  <target type='virtio' name='${AGENT_CHANNEL}'/>
</channel>`;
