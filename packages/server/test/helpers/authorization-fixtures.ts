// One server for an issue-3 test file: an API with scopes, a confidential web client, a public native/SPA client,
// a single-redirect client, a PKCE-relaxed confidential client, and a user; the clock is under the test's control.
import type { ConfigInput } from '../../src/config/config.ts';
import { addApi, addClient, addTestUser, startTestServer, type TestServer } from './test-server.ts';

export const API = 'https://contacts.example';
export const WEB_CALLBACK = 'https://app.example/cb';
export const WEB_OTHER = 'https://app.example/other';
export const SPA_ORIGIN = 'https://spa.example';
export const PASSWORD = 'correct horse battery staple';

export interface Fixture {
  server: TestServer;
  clock: { now: number };
  web: { id: string; secret: string };
  spa: { id: string };
  single: { id: string; secret: string };
  relaxed: { id: string; secret: string };
  userId: string;
  issuer: string;
}

export async function startFixture(config: ConfigInput = {}): Promise<Fixture> {
  const clock = { now: 1_900_000_000 };
  const server = await startTestServer(config, { now: () => clock.now });
  await addApi(server, API, { 'contacts:read': 'Read your contacts', 'contacts:write': 'Change your contacts' });
  const scope = 'openid profile email contacts:read contacts:write';
  const web = await addClient(server, { name: 'Contact Importer', redirectUris: [WEB_CALLBACK, WEB_OTHER], scope });
  const spa = await addClient(server, {
    name: 'Contacts SPA', isPublic: true, scope,
    redirectUris: [`${SPA_ORIGIN}/callback`, 'http://127.0.0.1/callback', 'http://[::1]:8080/cb', 'http://localhost:9000/cb', 'com.example.app:/cb'],
  });
  const single = await addClient(server, { name: 'Single', redirectUris: ['https://single.example/cb'], scope, grantTypes: ['authorization_code'] });
  const relaxed = await addClient(server, { name: 'Legacy', redirectUris: ['https://legacy.example/cb'], scope, allowWithoutPkce: true });
  const user = await addTestUser(server, 'alice', PASSWORD, { email: 'alice@example.com', name: 'Alice Liddell' });
  return {
    server, clock, userId: user.id, issuer: server.app.latchkeyServer.config.issuer,
    web: { id: web.id, secret: web.secret! }, spa: { id: spa.id }, single: { id: single.id, secret: single.secret! },
    relaxed: { id: relaxed.id, secret: relaxed.secret! },
  };
}
