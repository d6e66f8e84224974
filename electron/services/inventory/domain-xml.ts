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

/**
 * Tags, comments, CDATA, and processing instructions or declarations; a tag's attributes may hold
 * ">" inside quotes. One pass of this over a document is all readDomainXml needs: a full XML
 * parser (fast-xml-parser, as before) took about 0.3 ms a domain warm and 1 to 2 ms cold, which
 * with 200 domains was a good part of a refresh's time in Node (bench/inventory-steps.ts).
 */
const TOKEN =
  /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<[?!][^>]*>|<(\/?)([^\s/>]+)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;
const ATTR = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
const unescape = (s: string) => s.replace(/&(lt|gt|amp|apos|quot);/g, (_, e: string) => ENTITY[e]!);

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(ATTR)) out.set(m[1]!, unescape(m[2] ?? m[3] ?? ''));
  return out;
}

/**
 * The UUID and agent channel of one domain document: the root <domain>'s own <uuid>, and the
 * <channel> among its <devices> whose one <target> is named org.qemu.guest_agent.0. Found by
 * their place in the tree, so the same names anywhere else (in <metadata>) do not count; a
 * second <uuid> or <target> where one belongs makes it unreadable, not a guess.
 */
export function readDomainXml(xml: string): { uuid: string | undefined; channel: AgentChannel } {
  const path: string[] = [];
  const uuids: string[] = [];
  /** Each channel of the devices: the attributes of its targets. */
  const channels: Map<string, string>[][] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(xml); m; m = TOKEN.exec(xml)) {
    const name = m[2];
    if (name === undefined) continue; // comment, CDATA, <?...?> or <!...>
    if (m[1]) {
      path.pop();
      continue;
    }
    const at = path.join('>');
    if (at === 'domain' && name === 'uuid') {
      const end = xml.indexOf('<', TOKEN.lastIndex);
      uuids.push(unescape(xml.slice(TOKEN.lastIndex, end < 0 ? undefined : end)).trim());
    }
    if (at === 'domain>devices' && name === 'channel') channels.push([]);
    if (at === 'domain>devices>channel' && name === 'target')
      channels.at(-1)?.push(attributes(m[3]!));
    if (!m[4]) path.push(name);
  }
  const agent = channels.find(
    (targets) => targets.length === 1 && targets[0]!.get('name') === AGENT_CHANNEL,
  );
  const state = agent?.[0]!.get('state');
  return {
    uuid: uuids.length === 1 && uuids[0] ? uuids[0].toLowerCase() : undefined,
    channel: agent ? { present: true, ...(state ? { state } : {}) } : { present: false },
  };
}

/** The channel to add to a domain's definition so the guest agent can be reached. */
export const AGENT_CHANNEL_XML = `<channel type='unix'>
  <target type='virtio' name='${AGENT_CHANNEL}'/>
</channel>`;
