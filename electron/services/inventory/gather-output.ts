/**
 * Reads what host-scripts/inventory.sh prints: one JSON object a line, free text in base64.
 * Pure: the parser is tested against real captured output.
 */
export interface Capture {
  rc: number;
  /** null when the host's `date` could not time it */
  ms: number | null;
  out: string;
  err: string;
}

export interface GatherOutput {
  noVirsh: boolean;
  captures: Map<string, Capture>;
}

/** A capture as the admin reads it: its output and errors, or its exit status when it said nothing. */
export function captureText(c: Capture): string {
  return [c.out.trim(), c.err.trim()].filter(Boolean).join('\n') || `(exit status ${c.rc})`;
}

const decode = (b64: unknown) =>
  typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('utf8') : '';

export function parseGatherOutput(text: string): GatherOutput {
  const captures = new Map<string, Capture>();
  let noVirsh = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a truncated last line (link dropped mid-output) is not worth failing the rest
    }
    if (obj.k === 'no-virsh') noVirsh = true;
    if (obj.k === 'cmd' && typeof obj.id === 'string') {
      captures.set(obj.id, {
        rc: Number(obj.rc),
        ms: typeof obj.ms === 'number' && obj.ms >= 0 ? obj.ms : null,
        out: decode(obj.out),
        err: decode(obj.err),
      });
    }
  }
  return { noVirsh, captures };
}
