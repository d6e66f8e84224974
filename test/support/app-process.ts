import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import WebSocket from 'ws';
import type { AppEvent } from '../../shared/events';

const SERVER = 'dist/web/server.mjs';

/**
 * Quiesce as a separate process (the built browser shell), driven over its WebSocket like the
 * renderer drives it — so a test can kill the whole app mid-operation with SIGKILL.
 */
export class AppProcess {
  readonly events: AppEvent[] = [];
  private nextId = 1;
  private readonly pending = new Map<
    number,
    (r: { ok: boolean; value?: unknown; error?: { message: string } }) => void
  >();

  private constructor(
    private readonly child: ChildProcess,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: never; event?: AppEvent };
      if (msg.id !== undefined && msg.result) this.pending.get(msg.id)?.(msg.result);
      else if (msg.event) this.events.push(msg.event);
    });
  }

  static async start(opts: {
    dataDir: string;
    knownHostsPath: string;
    env?: Record<string, string>;
  }): Promise<AppProcess> {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run "npm run build" first`);
    const child = spawn(process.execPath, [SERVER], {
      env: {
        ...process.env,
        QUIESCE_DATA_DIR: opts.dataDir,
        QUIESCE_KNOWN_HOSTS: opts.knownHostsPath,
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<URL>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Quiesce is running at (\S+)/.exec(out);
        if (m) resolve(new URL(m[1]!));
      });
      child.on('exit', (code) =>
        reject(new Error(`the app exited with ${code} before printing its URL`)),
      );
    });
    const token = /token=([^&]+)/.exec(url.hash)![1]!;
    const ws = new WebSocket(`ws://${url.host}/ws`, {
      headers: { cookie: `quiesce_token_${url.port}=${token}`, origin: `http://${url.host}` },
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new AppProcess(child, ws);
  }

  async call(method: string, input: unknown): Promise<unknown> {
    const id = this.nextId++;
    const r = await new Promise<{ ok: boolean; value?: unknown; error?: { message: string } }>(
      (resolve) => {
        this.pending.set(id, resolve);
        this.ws.send(JSON.stringify({ id, method, input }));
      },
    );
    if (!r.ok) throw new Error(r.error?.message ?? 'call failed');
    return r.value;
  }

  /** SIGKILL: no clean-up of any kind, as when the app crashes or the power goes. */
  kill(): void {
    this.ws.terminate();
    this.child.kill('SIGKILL');
  }
}
