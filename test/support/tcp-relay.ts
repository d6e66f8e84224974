import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP relay on loopback between the app and the lab's sshd, so a test can drop the link (as a
 * network would) or add latency, without touching either end.
 */
export class TcpRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  port = 0;

  constructor(
    private readonly target: { host: string; port: number },
    /** One-way delay added to every chunk, in ms. */
    private readonly delayMs = 0,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      this.pipe(client, upstream);
      this.pipe(upstream, client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as { port: number }).port;
  }

  private pipe(from: Socket, to: Socket): void {
    if (this.delayMs === 0) {
      from.pipe(to);
      return;
    }
    from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), this.delayMs));
  }

  /** Drops every connection at once and refuses new ones until `restore()`. */
  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.refusing = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
