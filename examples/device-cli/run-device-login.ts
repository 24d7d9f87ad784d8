// `npm run demo:device`: a command-line app signs in with the device authorization grant (RFC 8628), the way a TV or
// a CLI without a browser does. It asks the server for a device code and a user code, prints where to go and the code
// to type, polls the token endpoint at the interval the server gave (slower after slow_down), and with the user's
// token calls the Contacts API. The user approves in any browser, on any device. Plain fetch, so every HTTP exchange
// is visible here; a public client, so no secret.
import { DemoError } from '../demo/demo-settings.ts';
import type { DemoState } from '../demo/demo-state.ts';

export interface DeviceLoginResult {
  userCode: string;
  tokenScope: string;
  contacts: { owner: { kind: string; subject: string }; contacts: unknown[] };
}

export interface DeviceLoginOptions {
  /** Told the verification URIs and the code, once, as soon as the server gave them (tests approve from here). */
  onCode?: (code: { userCode: string; verificationUri: string; verificationUriComplete: string }) => void;
  /** Waits between polls; replaceable in tests. */
  sleep?: (seconds: number) => Promise<void>;
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return await response.json().catch(() => ({})) as Record<string, unknown>;
}

const form = (fields: Record<string, string>) => ({
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields),
});

const realSleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

export async function runDeviceLogin(state: DemoState, print: (line: string) => void, options: DeviceLoginOptions = {}): Promise<DeviceLoginResult> {
  const { clientId } = state.deviceCli;
  const sleep = options.sleep ?? realSleep;
  print(`1. Discover the server: GET ${state.issuer}/.well-known/oauth-authorization-server`);
  const metadataResponse = await fetch(`${state.issuer}/.well-known/oauth-authorization-server`).catch(() => undefined);
  if (!metadataResponse?.ok) throw new DemoError(`the Latchkey server does not answer at ${state.issuer}: start the demo first with "npm start"`);
  const metadata = await json(metadataResponse);
  const deviceEndpoint = String(metadata.device_authorization_endpoint);
  const tokenEndpoint = String(metadata.token_endpoint);

  const scope = 'openid profile contacts:read';
  print(`2. Ask for a device code: POST ${deviceEndpoint}   client_id=${clientId}  scope=${scope}`);
  const started = await fetch(deviceEndpoint, form({ client_id: clientId, scope }));
  const device = await json(started);
  if (!started.ok || typeof device.device_code !== 'string') {
    throw new DemoError(`the server refused the device CLI (${String(device.error ?? started.status)}): restart the demo (npm start) so it re-creates the client`);
  }
  const userCode = String(device.user_code);
  const verificationUri = String(device.verification_uri);
  const verificationUriComplete = String(device.verification_uri_complete);
  print('');
  print(`   To sign in, open ${verificationUri} in a browser and enter the code  ${userCode}`);
  print(`   (or open ${verificationUriComplete} and check that it shows the same code)`);
  print(`   The code expires in ${Math.round(Number(device.expires_in) / 60)} minutes.`);
  print('');
  options.onCode?.({ userCode, verificationUri, verificationUriComplete });

  let interval = Number(device.interval ?? 5);
  print(`3. Poll the token endpoint every ${interval} s: POST ${tokenEndpoint}   grant_type=urn:ietf:params:oauth:grant-type:device_code`);
  let token: Record<string, unknown>;
  for (;;) {
    await sleep(interval);
    const response = await fetch(tokenEndpoint, form({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code, client_id: clientId }));
    token = await json(response);
    if (response.ok) break;
    if (token.error === 'authorization_pending') continue;
    if (token.error === 'slow_down') {
      interval += 5; // RFC 8628 §3.5
      print(`     → slow_down: polling every ${interval} s now`);
      continue;
    }
    if (token.error === 'access_denied') throw new DemoError('you denied the sign-in in the browser: nothing was shared with the CLI');
    if (token.error === 'expired_token') throw new DemoError('the code expired before it was approved: run the command again for a new one');
    throw new DemoError(`the server refused the device code: ${String(token.error)} ${String(token.error_description ?? '')}`);
  }
  const accessToken = String(token.access_token);
  print(`     → 200: access token (redacted), scope "${String(token.scope)}"${token.refresh_token ? ', a refresh token' : ''}${token.id_token ? ', an ID token' : ''}`);

  print(`4. Call the API as the user who approved: GET ${state.api.url}/contacts  (Authorization: Bearer <redacted>)`);
  const apiResponse = await fetch(`${state.api.url}/contacts`, { headers: { authorization: `Bearer ${accessToken}` } }).catch(() => undefined);
  if (!apiResponse) throw new DemoError(`the Contacts API does not answer at ${state.api.url}: start the demo first with "npm start"`);
  const contacts = await json(apiResponse);
  if (!apiResponse.ok) throw new DemoError(`the Contacts API refused the call: ${apiResponse.status} ${String(contacts.error ?? '')}`);
  const list = Array.isArray(contacts.contacts) ? contacts.contacts : [];
  print(`     → ${apiResponse.status}: ${list.length} contact(s) in your address book`);
  return { userCode, tokenScope: String(token.scope), contacts: contacts as DeviceLoginResult['contacts'] };
}
