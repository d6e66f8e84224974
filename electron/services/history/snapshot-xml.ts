import { XMLParser } from 'fast-xml-parser';

/**
 * libvirt's XML read for its facts: attributes as `@name`, text exactly as the host wrote it (a
 * snapshot named " before upgrade " keeps its spaces), <disk> always a list.
 */
export const libvirtXml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'disk',
});

/** A disk of a snapshot: `@snapshot` says how it was taken (`external`: onto a new overlay). */
export interface SnapshotDiskXml {
  '@name'?: string;
  '@snapshot'?: string;
  source?: { '@file'?: string };
}

/** `virsh snapshot-dumpxml`'s <domainsnapshot>, without the <domain> definition it recorded. */
export interface DomainSnapshotXml {
  name?: string;
  description?: string;
  state?: string;
  /** Seconds since the epoch. */
  creationTime?: string;
  parent?: { name?: string };
  disks?: { disk?: SnapshotDiskXml[] };
  /** A full checkpoint's memory image. */
  memory?: { '@snapshot'?: string; '@file'?: string };
}

/**
 * One `virsh snapshot-dumpxml` document read in two: the snapshot's own elements (undefined when
 * the text holds no snapshot), and the <domain> definition it recorded at its cut, as text (null
 * when it recorded none): that one is large, and read only where it is needed.
 */
export function readSnapshotXml(doc: string): {
  snapshot: DomainSnapshotXml | undefined;
  domain: string | null;
} {
  const whole = /<domainsnapshot>[\s\S]*<\/domainsnapshot>/.exec(doc)?.[0];
  if (!whole) return { snapshot: undefined, domain: null };
  const domain = /<domain[\s>][\s\S]*<\/domain>/.exec(whole)?.[0] ?? null;
  const parsed = libvirtXml.parse(domain ? whole.replace(domain, '') : whole) as {
    domainsnapshot?: DomainSnapshotXml | '';
  };
  return { snapshot: parsed.domainsnapshot || undefined, domain };
}
