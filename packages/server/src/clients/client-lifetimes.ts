// Per-client token lifetimes and refresh grace window (issue 15; docs/refresh-tokens.md). A client's setting replaces
// the server's, with one exception: access and ID tokens never outlive the server's setting, because signing keys are
// kept published for the server's longest token lifetime (keys/key-ring.ts); a client can only shorten them.
import type { ServerConfig } from '../config/config.ts';
import type { ClientLifetimes, ClientRecord } from '../store/records.ts';

/** What a client may set, in seconds: the same bounds as the server's settings (config/config.ts). */
export const CLIENT_LIFETIME_BOUNDS: Readonly<Record<keyof ClientLifetimes, readonly [min: number, max: number]>> = {
  accessTokenTtl: [30, 86400],
  idTokenTtl: [30, 86400],
  refreshIdleTtl: [60, 365 * 86400],
  refreshAbsoluteTtl: [60, 3 * 365 * 86400],
  refreshGrace: [0, 300],
};

export type EffectiveLifetimes = { [K in keyof ClientLifetimes]: number };

type ServerLifetimes = Pick<ServerConfig, 'accessTokenTtl' | 'idTokenTtl' | 'refreshIdleTtl' | 'refreshAbsoluteTtl' | 'refreshRetryWindow'>;

/** The lifetimes that apply to this client's tokens now. */
export function effectiveLifetimes(config: ServerLifetimes, client: Pick<ClientRecord, 'lifetimes'>): EffectiveLifetimes {
  const own = client.lifetimes;
  return {
    accessTokenTtl: Math.min(own?.accessTokenTtl ?? config.accessTokenTtl, config.accessTokenTtl),
    idTokenTtl: Math.min(own?.idTokenTtl ?? config.idTokenTtl, config.idTokenTtl),
    refreshIdleTtl: own?.refreshIdleTtl ?? config.refreshIdleTtl,
    refreshAbsoluteTtl: own?.refreshAbsoluteTtl ?? config.refreshAbsoluteTtl,
    refreshGrace: own?.refreshGrace ?? config.refreshRetryWindow,
  };
}

/** A lifetime outside its bounds, or not a whole number of seconds; the message is one line for the CLI. */
export function clientLifetimeProblem(name: keyof ClientLifetimes, value: number): string | undefined {
  const [min, max] = CLIENT_LIFETIME_BOUNDS[name];
  if (!Number.isInteger(value) || value < min || value > max) return `${name} must be a whole number of seconds from ${min} to ${max}`;
  return undefined;
}
