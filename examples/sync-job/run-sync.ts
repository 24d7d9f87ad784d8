// `npm run demo:sync`: a machine-to-machine job. No user and no browser: the job authenticates as itself with its
// client id and secret (RFC 6749 §4.4 client credentials), gets an access token for the Contacts API, and calls it.
// The API logs the call as "client ... acting as itself". Plain fetch, so every HTTP exchange is visible here.
import { DemoError } from '../demo/demo-settings.ts';
import type { DemoState } from '../demo/demo-state.ts';

export interface SyncResult {
  clientId: string;
  tokenScope: string;
  summary: { addressBooks: number; contacts: number; caller: { kind: string; clientId: string } };
}

const basic = (id: string, secret: string) => {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
};

async function json(response: Response): Promise<Record<string, unknown>> {
  return await response.json().catch(() => ({})) as Record<string, unknown>;
}

export async function runSync(state: DemoState, print: (line: string) => void): Promise<SyncResult> {
  const { clientId, clientSecret } = state.sync;
  print(`1. Discover the server: GET ${state.issuer}/.well-known/oauth-authorization-server`);
  const metadataResponse = await fetch(`${state.issuer}/.well-known/oauth-authorization-server`).catch(() => undefined);
  if (!metadataResponse?.ok) throw new DemoError(`the Latchkey server does not answer at ${state.issuer}: start the demo first with "npm start"`);
  const tokenEndpoint = String((await json(metadataResponse)).token_endpoint);

  print(`2. Get a token with client credentials: POST ${tokenEndpoint}`);
  print(`     grant_type=client_credentials  scope=contacts:read  (client ${clientId}, secret redacted, sent with HTTP Basic)`);
  const tokenResponse = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { authorization: basic(clientId, clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'contacts:read' }),
  });
  const token = await json(tokenResponse);
  if (!tokenResponse.ok || typeof token.access_token !== 'string') {
    throw new DemoError(`the server refused the sync client (${String(token.error ?? tokenResponse.status)}): restart the demo (npm start) so it re-creates the client`);
  }
  const accessToken = token.access_token;
  print(`     → ${tokenResponse.status}: access token (JWT, ${accessToken.length} characters, redacted), scope "${String(token.scope)}", expires in ${String(token.expires_in)} s, no refresh token`);

  print(`3. Call the API as itself: GET ${state.api.url}/contacts/summary  (Authorization: Bearer <redacted>)`);
  const apiResponse = await fetch(`${state.api.url}/contacts/summary`, { headers: { authorization: `Bearer ${accessToken}` } }).catch(() => undefined);
  if (!apiResponse) throw new DemoError(`the Contacts API does not answer at ${state.api.url}: start the demo first with "npm start"`);
  const summary = await json(apiResponse);
  if (!apiResponse.ok) throw new DemoError(`the Contacts API refused the call: ${apiResponse.status} ${String(summary.error ?? '')}`);
  print(`     → ${apiResponse.status}: ${String(summary.addressBooks)} address book(s), ${String(summary.contacts)} contact(s) in the API`);
  print('The API logged this call as the client acting as itself (see the npm start terminal, or the API\'s page).');
  return { clientId, tokenScope: String(token.scope), summary: summary as SyncResult['summary'] };
}
