import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * A libvirt definition read as a tree that keeps everything in document order (elements,
 * attributes, text as written, comments), edited in place and written back: what the revert plan
 * and the restore test's clone change is the only difference from what libvirt wrote.
 */
const options = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  commentPropName: '#comment',
} as const;

/** One element: `{ tag: children, ':@': { '@attr': value } }`. */
export type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

export function parseOrdered(xml: string): XmlNode[] {
  return new XMLParser(options).parse(xml) as XmlNode[];
}

export function buildOrdered(doc: XmlNode[]): string {
  return new XMLBuilder({ ...options, suppressEmptyNode: true, format: false }).build(
    doc,
  ) as string;
}

export const tagOf = (n: XmlNode) => Object.keys(n).find((k) => k !== ':@');

export function childrenOf(n: XmlNode): XmlNode[] {
  const t = tagOf(n);
  const c = t ? n[t] : undefined;
  return Array.isArray(c) ? (c as XmlNode[]) : [];
}
