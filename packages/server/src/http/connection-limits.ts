// Slow and hoarded connections (the audit's slowloris: a body sent at 1 byte/s and a silent connection, still open
// after 130 s). Node's HTTP server cuts them given deadlines: headersTimeout for the request head, requestTimeout for
// the whole request (both answered 408 and closed), keepAliveTimeout between requests, and an idle-socket timeout for
// a peer that neither sends nor reads. On top, a bound on open connections per TCP peer address.
import type { Server } from 'node:http';
import type { ServerConfig } from '../config/config.ts';

type TimeoutConfig = Pick<ServerConfig, 'headersTimeout' | 'requestTimeout' | 'keepAliveTimeout' | 'idleTimeout'>;

/** Fastify server options (milliseconds) for the configured deadlines (seconds). */
export function connectionTimeouts(config: TimeoutConfig) {
  return {
    connectionTimeout: config.idleTimeout * 1000,
    keepAliveTimeout: config.keepAliveTimeout * 1000,
    requestTimeout: config.requestTimeout * 1000,
    // Node checks header and request deadlines on this interval (30 s by default, which would let a 10 s deadline
    // run to 40 s); once a second keeps them close to what is configured.
    http: { headersTimeout: config.headersTimeout * 1000, connectionsCheckingInterval: 1000 },
  };
}

/** Destroys a new connection when its peer address already has `max` open (0: no bound). */
export function limitConnectionsPerAddress(server: Server, max: number): void {
  if (max === 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
