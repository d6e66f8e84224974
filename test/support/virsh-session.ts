import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * One interactive `virsh` process (one libvirt connection) driven from Node, the way the
 * snapshot runner drives its own: each command's answer is read before the next is sent, and an
 * echoed marker ends each answer. For measuring what a freeze, cut and thaw cost by hand, with
 * no process start between them (docs/ARCHITECTURE.md, "Freeze only around the cut").
 *
 * Only fixed words, UUIDs and paths the caller made go in: the session's command language splits
 * on spaces and `;`.
 */
export interface VirshAnswer {
  /** The command's output, prompts and echoes left out. */
  out: string;
  /** virsh printed an error for it. */
  error: boolean;
  /** From sending the command to its answer, ms. */
  ms: number;
}

export class VirshSession {
  private buffered = '';
  private seq = 0;
  private ended = false;
  private waiting: (() => void) | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      this.waiting?.();
    });
    child.on('close', () => {
      this.ended = true;
      this.waiting?.();
    });
    child.stdin.on('error', () => undefined);
  }

  /** Starts `virsh -c uri` (errors merged into its output, as the runner does) and checks it answers. */
  static async open(uri: string): Promise<VirshSession> {
    const child = spawn('sh', ['-c', 'exec virsh -c "$1" 2>&1', 'sh', uri], {
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const s = new VirshSession(child);
    const hello = await s.send('echo connected');
    if (!hello.out.includes('connected')) {
      s.kill();
      throw new Error(`virsh -c ${uri} did not start: ${hello.out.trim()}`);
    }
    return s;
  }

  get alive(): boolean {
    return !this.ended;
  }

  /** Runs one command and waits for its whole answer (or the session's end). */
  async send(command: string, timeoutMs = 60_000): Promise<VirshAnswer> {
    const marker = `@@bench-${++this.seq}@@`;
    const t0 = performance.now();
    if (this.ended) return { out: 'the virsh session had ended', error: true, ms: 0 };
    this.child.stdin.write(`${command}\necho ${marker}\n`);
    const deadline = t0 + timeoutMs;
    const lines: string[] = [];
    for (;;) {
      // Whole lines only; virsh echoes each command after its prompt, the marker's `echo` too.
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, nl).replace(/^(virsh # )+/, '');
        this.buffered = this.buffered.slice(nl + 1);
        if (line === command || line.startsWith('echo @@bench-')) continue;
        if (line.endsWith(marker)) {
          // an answer without its final line break runs into the marker
          const rest = line.slice(0, -marker.length);
          if (rest) lines.push(rest);
          const out = lines.join('\n');
          return { out, error: /error:/.test(out), ms: performance.now() - t0 };
        }
        lines.push(line);
      }
      if (this.ended) {
        lines.push('the virsh session ended before answering');
        return { out: lines.join('\n'), error: true, ms: performance.now() - t0 };
      }
      if (performance.now() > deadline) {
        this.kill();
        throw new Error(`virsh did not answer "${command}" within ${timeoutMs} ms`);
      }
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, 50);
      });
      this.waiting = undefined;
    }
  }

  /** Ends the session (quit, then a kill if it lingers). */
  async close(): Promise<void> {
    if (this.ended) return;
    this.child.stdin.end('quit\n');
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    const timer = setTimeout(() => this.kill(), 5_000);
    await closed;
    clearTimeout(timer);
  }

  private kill(): void {
    if (!this.ended) this.child.kill('SIGKILL');
  }
}
