// The demo's secrets file (data/demo-clients.json, mode 0600, git-ignored): the server keeps only hashes of client
// secrets and passwords, so the demo apps keep the raw values they need here. `npm run demo:sync` reads it too.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DemoError } from './demo-settings.ts';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface DemoState {
  version: 1;
  /** Written on every start, so the sync job knows where the server and the API are. */
  issuer: string;
  api: { identifier: string; url: string };
  importer: ClientCredentials & { encryptionKey: string };
  sync: ClientCredentials;
  /** The Contacts API's own confidential client, used to introspect the tokens it receives. */
  apiIntrospection: ClientCredentials;
  /** The public client of `npm run demo:device` (the device flow, RFC 8628): no secret. */
  deviceCli: { clientId: string };
  user: { id: string; username: string; password: string };
}

export type PartialDemoState = Partial<Omit<DemoState, 'version'>>;

export function readDemoState(path: string): PartialDemoState {
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown };
    return parsed && typeof parsed === 'object' && parsed.version === 1 ? parsed as PartialDemoState : {};
  } catch (error) {
    throw new DemoError(`cannot read ${path} (${(error as Error).message.split('\n')[0]}): delete it and start again; the demo recreates it`);
  }
}

/** Written atomically, readable by the owner only. */
export function writeDemoState(path: string, state: DemoState): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** For `npm run demo:sync`: the complete state, or a one-line explanation of what to do first. */
export function requireDemoState(path: string): DemoState {
  if (!existsSync(path)) throw new DemoError(`no demo found at ${path}: start it first with "npm start" (in another terminal)`);
  const state = readDemoState(path);
  if (!state.sync || !state.api || !state.issuer) throw new DemoError(`${path} is incomplete: start the demo once with "npm start"`);
  return { version: 1, ...state } as DemoState;
}

/** For `npm run demo:device`: the state the device CLI needs, or a one-line explanation of what to do first. */
export function requireDeviceCliState(path: string): DemoState {
  if (!existsSync(path)) throw new DemoError(`no demo found at ${path}: start it first with "npm start" (in another terminal)`);
  const state = readDemoState(path);
  if (!state.deviceCli || !state.api || !state.issuer) throw new DemoError(`${path} has no device CLI client: restart the demo with "npm start" so it registers it`);
  return { version: 1, ...state } as DemoState;
}
