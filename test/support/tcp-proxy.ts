import net from 'node:net';

/**
 * A TCP proxy in front of a real dependency (Redis, PostgreSQL) that a test can cut and restore,
 * the way a network partition or a restart looks to carebot: `cut()` drops every open connection
 * and refuses new ones until `restore()`; `pause()` keeps connections open but passes nothing,
 * like a link that hangs instead of failing.
 */
export interface TcpProxy {
  port: number;
  /** The target's URL with its host and port replaced by the proxy's. */
  url(target: string): string;
  cut(): void;
  pause(): void;
  restore(): void;
  /** Connections accepted since the start (reconnects show up here). */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let state: 'open' | 'cut' | 'paused' = 'open';
  let accepted = 0;
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    if (state === 'cut') return void client.destroy();
    accepted++;
    const upstream = net.connect(target.port, target.host);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
    if (state === 'paused') {
      client.pause();
      upstream.pause();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const each = (fn: (s: net.Socket) => void) => {
    for (const [a, b] of pairs) {
      fn(a);
      fn(b);
    }
  };
  return {
    port,
    url(t) {
      const u = new URL(t);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut() {
      state = 'cut';
      each((s) => s.destroy());
    },
    pause() {
      state = 'paused';
      each((s) => s.pause());
    },
    restore() {
      state = 'open';
      each((s) => s.resume());
    },
    get accepted() {
      return accepted;
    },
    async close() {
      each((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
