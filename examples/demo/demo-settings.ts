// Where the demo runs and keeps its files: ports from the environment, everything on http://localhost so that the
// server's and the apps' cookies and redirect URIs line up, files beside the server's SQLite database.
import { dirname, join, resolve } from 'node:path';
import { parseDatabaseUrl } from '@latchkey/server/internal';

export const DEMO_HOST = 'localhost';

/** Environment variables that move the demo apps to other ports. */
export const DEMO_PORT_ENV = {
  api: 'LATCHKEY_DEMO_API_PORT',
  importer: 'LATCHKEY_DEMO_IMPORTER_PORT',
} as const;

export const DEFAULT_DEMO_PORTS = { api: 4001, importer: 4002 } as const;

/** A problem the person starting the demo can fix, explained in one line. */
export class DemoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoError';
  }
}

export interface DemoSettings {
  issuer: string;
  apiPort: number;
  importerPort: number;
  /** The Contacts API's base URL, which is also its identifier (the `aud` of its tokens). */
  apiUrl: string;
  importerUrl: string;
  /** The importer's registered redirect URI. */
  redirectUri: string;
  dataDir: string;
  /** Client secrets, the demo password and the importer's encryption key: mode 0600, never in git. */
  stateFile: string;
  /** The importer's server-side sessions (tokens encrypted at rest). */
  importerSessionsDb: string;
}

/** The directory of the SQLite database, or ./data for PostgreSQL and in-memory databases. */
export function demoDataDir(databaseUrl: string): string {
  const target = parseDatabaseUrl(databaseUrl);
  return target.kind === 'sqlite' && target.path !== ':memory:' ? dirname(target.path) : resolve('data');
}

export function demoStateFile(dataDir: string): string {
  return join(dataDir, 'demo-clients.json');
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new DemoError(`${name} must be a port number from 1 to 65535 (got ${value})`);
  return n;
}

export function demoSettings(input: { issuer: string; serverPort: number; databaseUrl: string; env: NodeJS.ProcessEnv }): DemoSettings {
  const apiPort = port(input.env, DEMO_PORT_ENV.api, DEFAULT_DEMO_PORTS.api);
  const importerPort = port(input.env, DEMO_PORT_ENV.importer, DEFAULT_DEMO_PORTS.importer);
  if (apiPort === importerPort) throw new DemoError(`the Contacts API and the importer cannot share port ${apiPort}: change ${DEMO_PORT_ENV.api} or ${DEMO_PORT_ENV.importer}`);
  for (const [p, name] of [[apiPort, DEMO_PORT_ENV.api], [importerPort, DEMO_PORT_ENV.importer]] as const) {
    if (p === input.serverPort) throw new DemoError(`port ${p} is the server's own port: set ${name} to another port`);
  }
  const dataDir = demoDataDir(input.databaseUrl);
  const importerUrl = `http://${DEMO_HOST}:${importerPort}`;
  return {
    issuer: input.issuer,
    apiPort,
    importerPort,
    apiUrl: `http://${DEMO_HOST}:${apiPort}`,
    importerUrl,
    redirectUri: `${importerUrl}/callback`,
    dataDir,
    stateFile: demoStateFile(dataDir),
    importerSessionsDb: join(dataDir, 'demo-importer-sessions.db'),
  };
}

/**
 * The demo needs the issuer on http://localhost: the importer's redirect URI and the browser's cookies are on
 * localhost, and a mix of localhost and 127.0.0.1 would make the server and the apps different sites.
 */
export function issuerProblem(issuer: string): string | undefined {
  const url = new URL(issuer);
  if (url.protocol === 'http:' && url.hostname === DEMO_HOST && url.pathname === '/') return undefined;
  return `the demo runs on http://localhost and needs the issuer there too (it is ${issuer}): start with --host localhost, as npm start does, or pass --no-demo`;
}
