import net from 'node:net';

export type FaultMode = 'pass' | 'blackhole';

/**
 * A TCP proxy between a service and PostgreSQL that injects network faults, in the spirit of Shopify's
 * toxiproxy: added latency, a blackhole (connections accepted, nothing forwarded), and resets of every
 * open connection. Loopback only.
 */
export class FaultProxy {
  private server = net.createServer((client) => this.accept(client));
  private pairs = new Set<{ client: net.Socket; upstream?: net.Socket }>();
  mode: FaultMode = 'pass';
  /** Delay added to every chunk from PostgreSQL to the service. */
  latencyMs = 0;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  /** Sends a TCP RST on every open connection, as a NAT or load balancer dropping state would. */
  resetAll(): number {
    const count = this.pairs.size;
    for (const pair of this.pairs) {
      pair.client.resetAndDestroy();
      pair.upstream?.destroy();
    }
    this.pairs.clear();
    return count;
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const pair: { client: net.Socket; upstream?: net.Socket } = { client };
    this.pairs.add(pair);
    const drop = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('error', drop).on('close', drop);
    if (this.mode === 'blackhole') return; // accepted, never answered
    const upstream = net.connect(this.upstreamPort, this.upstreamHost);
    pair.upstream = upstream;
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk) => {
      if (this.mode !== 'blackhole') upstream.write(chunk);
    });
    let releaseAt = 0;
    upstream.on('data', (chunk) => {
      if (this.mode === 'blackhole') return;
      if (this.latencyMs === 0 && releaseAt <= performance.now()) {
        client.write(chunk);
        return;
      }
      // Keep order: each chunk leaves no earlier than the previous one.
      releaseAt = Math.max(performance.now() + this.latencyMs, releaseAt);
      setTimeout(() => client.writable && client.write(chunk), releaseAt - performance.now());
    });
  }
}
