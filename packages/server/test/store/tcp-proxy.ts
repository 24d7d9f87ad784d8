// A TCP proxy between a test and PostgreSQL, so a test can make the database unreachable and bring it back.
// cut(): refuses new connections and resets the open ones (a restart, a refused port).
// stall(): keeps every connection open but forwards nothing (a network partition without resets).
// restore(): back to forwarding; stalled connections carry on where they stopped.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Rewrites a postgres:// URL so it goes through the proxy. */
  url(databaseUrl: string): string;
  cut(): Promise<void>;
  stall(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let server: Server | undefined;
  let port = 0;
  let stalled = false;

  const forward = (pair: Pair) => {
    const upstream = pair.upstream ?? createConnection({ host: targetHost, port: targetPort });
    if (!pair.upstream) {
      pair.upstream = upstream;
      upstream.on('error', () => {});
      upstream.on('close', () => pair.client.destroy());
    }
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
    pair.client.resume();
    upstream.resume();
  };

  const hold = (pair: Pair) => {
    pair.client.unpipe();
    pair.upstream?.unpipe();
    pair.client.pause();
    pair.upstream?.pause();
  };

  const listen = () => new Promise<void>((resolve, reject) => {
    const s = createServer((client) => {
      const pair: Pair = { client, upstream: undefined };
      pairs.add(pair);
      client.on('error', () => {});
      client.on('close', () => {
        pair.upstream?.destroy();
        pairs.delete(pair);
      });
      if (stalled) client.pause();
      else forward(pair);
    });
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      port = (s.address() as { port: number }).port;
      server = s;
      resolve();
    });
  });

  const cut = async () => {
    const s = server;
    server = undefined;
    stalled = false;
    for (const pair of pairs) {
      pair.client.resetAndDestroy();
      pair.upstream?.resetAndDestroy();
    }
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    url(databaseUrl: string) {
      const u = new URL(databaseUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut,
    stall() {
      stalled = true;
      for (const pair of pairs) hold(pair);
    },
    async restore() {
      if (stalled) {
        stalled = false;
        for (const pair of pairs) forward(pair);
      }
      if (!server) await listen();
    },
    close: cut,
  };
}
