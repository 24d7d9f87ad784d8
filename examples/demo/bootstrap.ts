// First dev start: creates, if missing, the Contacts API, the demo's four clients and the demo user, through the same
// registration functions the `latchkey` CLI uses. Idempotent: a second start changes nothing, and a changed port
// replaces only what the demo itself created (recorded in the secrets file).
import { randomInt } from 'node:crypto';
import { generateEncryptionKey } from '@latchkey/client';
import { addApiIntrospector, addUser, registerApi, registerClient, rotateClientSecret, setPassword, type RegisteredClient, type Store } from '@latchkey/server/internal';
import { DemoError, type DemoSettings } from './demo-settings.ts';
import { readDemoState, writeDemoState, type ClientCredentials, type DemoState } from './demo-state.ts';

export const DEMO_USER = { username: 'demo', email: 'demo@example.com', name: 'Demo User' } as const;

export const CONTACTS_SCOPES = [
  { name: 'contacts:read', description: 'read your contacts' },
  { name: 'contacts:write', description: 'add contacts' },
] as const;

type ClientRecord = RegisteredClient['client'];

interface ClientSpec {
  name: string;
  redirectUris: string[];
  grantTypes: string[];
  scope: string;
  /** RP-Initiated Logout: where the server may send the browser back after signing out. */
  postLogoutRedirectUris?: string[];
  /** Back-Channel Logout: where the server POSTs logout tokens. */
  backchannelLogoutUri?: string;
}

export interface BootstrapResult {
  state: DemoState;
  /** What was created on this start (empty on later starts). */
  created: string[];
  /** Human names for ids (clients and the demo user), for the API's log. */
  labels: Map<string, string>;
}

/** A password that is easy to copy from the console: three groups of four characters. */
function demoPassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const group = () => Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `${group()}-${group()}-${group()}`;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ');

function matches(client: ClientRecord, spec: ClientSpec): boolean {
  return client.name === spec.name && !client.isPublic && sameSet(client.redirectUris, spec.redirectUris)
    && sameSet(client.grantTypes, spec.grantTypes) && sameSet(client.scopes, spec.scope.split(' ').filter(Boolean))
    && sameSet(client.postLogoutRedirectUris, spec.postLogoutRedirectUris ?? []) && client.backchannelLogoutUri === (spec.backchannelLogoutUri ?? null);
}

async function ensureApi(store: Store, now: number, settings: DemoSettings, previous: string | undefined, created: string[]): Promise<void> {
  const apis = await store.listApis();
  const wanted = CONTACTS_SCOPES.map((s) => `${s.name}=${s.description}`);
  const current = apis.find((api) => api.identifier === settings.apiUrl);
  if (current && sameSet(current.scopes.map((s) => `${s.name}=${s.description}`), wanted)) return;
  // Our own earlier registration (another port, older scopes) is replaced; anyone else's API is left alone.
  for (const api of apis) {
    const ours = api.identifier === previous || api.identifier === settings.apiUrl;
    const owner = api.scopes.find((s) => CONTACTS_SCOPES.some((c) => c.name === s.name));
    if (ours) {
      await store.deleteApi(api.identifier);
      await store.bumpCacheVersion('apis');
    } else if (owner) {
      throw new DemoError(`scope ${owner.name} already belongs to the API ${api.identifier}, which the demo did not create: `
        + `remove it (latchkey api remove ${api.identifier}), use another database (--database), or start with --no-demo`);
    }
  }
  await registerApi(store, { identifier: settings.apiUrl, name: 'Contacts API', scopes: wanted }, now);
  created.push(`API ${settings.apiUrl}`);
}

async function ensureClient(store: Store, now: number, spec: ClientSpec, previous: ClientCredentials | undefined, created: string[]): Promise<ClientCredentials> {
  if (previous) {
    const existing = await store.getClient(previous.clientId);
    if (existing && matches(existing, spec)) return previous;
    if (existing) {
      // Registered by an earlier start with other settings (e.g. another importer port): replace it.
      await store.deleteClient(existing.id);
      await store.bumpCacheVersion('clients');
    }
  } else {
    // The secrets file was lost but the database kept the client: give it a new secret rather than a twin.
    const twin = (await store.listClients()).find((client) => matches(client, spec));
    if (twin) {
      const clientSecret = await rotateClientSecret(store, twin.id, now);
      created.push(`new secret for client "${spec.name}"`);
      return { clientId: twin.id, clientSecret };
    }
  }
  const { client, clientSecret } = await registerClient(store, {
    name: spec.name, redirectUris: spec.redirectUris, grantTypes: spec.grantTypes, scope: spec.scope,
    ...(spec.postLogoutRedirectUris ? { postLogoutRedirectUris: spec.postLogoutRedirectUris } : {}),
    ...(spec.backchannelLogoutUri ? { backchannelLogoutUri: spec.backchannelLogoutUri } : {}),
  }, now);
  if (!clientSecret) throw new Error(`client "${spec.name}" was registered without a secret`);
  created.push(`client "${spec.name}"`);
  return { clientId: client.id, clientSecret };
}

/** The device flow's CLI (RFC 8628): a public client (a CLI keeps no secret), found again by its id or its settings. */
async function ensurePublicClient(store: Store, now: number, spec: ClientSpec, previous: { clientId: string } | undefined, created: string[]): Promise<{ clientId: string }> {
  const same = (client: ClientRecord) => client.name === spec.name && client.isPublic && sameSet(client.redirectUris, spec.redirectUris)
    && sameSet(client.grantTypes, spec.grantTypes) && sameSet(client.scopes, spec.scope.split(' ').filter(Boolean));
  const existing = previous ? await store.getClient(previous.clientId) : (await store.listClients()).find(same);
  if (existing && same(existing)) return { clientId: existing.id };
  if (existing) {
    await store.deleteClient(existing.id);
    await store.bumpCacheVersion('clients');
  }
  const { client } = await registerClient(store, { name: spec.name, isPublic: true, redirectUris: spec.redirectUris, grantTypes: spec.grantTypes, scope: spec.scope }, now);
  created.push(`client "${spec.name}"`);
  return { clientId: client.id };
}

async function ensureUser(store: Store, now: number, previous: DemoState['user'] | undefined, created: string[]): Promise<DemoState['user']> {
  const existing = await store.findUserByUsername(DEMO_USER.username);
  if (existing && previous && previous.id === existing.id) return previous;
  const password = demoPassword();
  if (existing) {
    // The password is only stored hashed; without our record of it, set a new one so the console tells the truth.
    await setPassword(store, DEMO_USER.username, password, now);
    created.push(`new password for user "${DEMO_USER.username}"`);
    return { id: existing.id, username: DEMO_USER.username, password };
  }
  const user = await addUser(store, { ...DEMO_USER, password }, now);
  created.push(`user "${DEMO_USER.username}"`);
  return { id: user.id, username: user.username, password };
}

/** Where the importer's "Disconnect" lands after the server signed the user out (the kit's postLogoutRedirectUri). */
export function importerLogoutReturn(settings: Pick<DemoSettings, 'importerUrl'>): string {
  return `${settings.importerUrl}/?notice=disconnected`;
}

export async function bootstrapDemo(store: Store, now: number, settings: DemoSettings): Promise<BootstrapResult> {
  const previous = readDemoState(settings.stateFile);
  const created: string[] = [];
  await ensureApi(store, now, settings, previous.api?.identifier, created);
  const importer = await ensureClient(store, now, {
    name: 'Contacts Importer', redirectUris: [settings.redirectUri], grantTypes: ['authorization_code', 'refresh_token'],
    scope: 'openid email profile contacts:read contacts:write',
    // "Disconnect" signs out of the server too and comes back here; signing out at the server ends the importer's session.
    postLogoutRedirectUris: [importerLogoutReturn(settings)], backchannelLogoutUri: `${settings.importerUrl}/backchannel-logout`,
  }, previous.importer, created);
  const sync = await ensureClient(store, now, {
    name: 'Nightly contacts sync', redirectUris: [], grantTypes: ['client_credentials'], scope: 'contacts:read',
  }, previous.sync, created);
  const apiIntrospection = await ensureClient(store, now, {
    name: 'Contacts API (token introspection)', redirectUris: [], grantTypes: ['client_credentials'], scope: '',
  }, previous.apiIntrospection, created);
  const deviceCli = await ensurePublicClient(store, now, {
    name: 'Contacts CLI', redirectUris: [], grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'], scope: 'openid profile contacts:read',
  }, previous.deviceCli, created);
  // The API introspects every call with its own client; RFC 7662 §2.2: only a registered introspector may.
  const api = (await store.listApis()).find((a) => a.identifier === settings.apiUrl);
  if (!api?.introspectors.includes(apiIntrospection.clientId)) await addApiIntrospector(store, settings.apiUrl, apiIntrospection.clientId);
  const user = await ensureUser(store, now, previous.user, created);

  const state: DemoState = {
    version: 1,
    issuer: settings.issuer,
    api: { identifier: settings.apiUrl, url: settings.apiUrl },
    importer: { ...importer, encryptionKey: previous.importer?.encryptionKey ?? generateEncryptionKey() },
    sync,
    apiIntrospection,
    deviceCli,
    user,
  };
  writeDemoState(settings.stateFile, state);
  const labels = new Map<string, string>([
    [importer.clientId, 'Contacts Importer'], [sync.clientId, 'Nightly contacts sync'], [deviceCli.clientId, 'Contacts CLI'], [user.id, user.username],
  ]);
  return { state, created, labels };
}
