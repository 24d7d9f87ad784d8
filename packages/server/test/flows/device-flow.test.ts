// End to end, the device authorization grant (RFC 8628) with an independent client library (oauth4webapi) against a
// listening server, the user's approval done through the real pages over HTTP (a fetch-based browser keeping
// cookies): discovery, device authorization, polling until approval (authorization_pending, then the tokens with an
// ID token oauth4webapi validates), UserInfo, refresh, a second redemption refused, and a denial.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { PASSWORD } from '../helpers/authorization-fixtures.ts';
import { csrfFrom, formActionFrom } from '../helpers/authorization-flow.ts';
import { DEVICE_GRANT } from '../helpers/device-flow.ts';
import { FetchBrowser } from '../helpers/fetch-browser.ts';
import { freePort } from '../helpers/latchkey-process.ts';
import { addApi, addClient, addTestUser, startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
let issuer: URL;
let as: oauth.AuthorizationServer;
let client: oauth.Client;
let userId: string;
const options = { [oauth.allowInsecureRequests]: true };

before(async () => {
  const port = await freePort();
  issuer = new URL(`http://127.0.0.1:${port}`);
  server = await startTestServer({ issuer: issuer.origin, port, deviceCodeInterval: 1 });
  await server.app.listen({ port, host: '127.0.0.1' });
  await addApi(server, 'https://contacts.example', { 'contacts:read': 'Read your contacts' });
  const tv = await addClient(server, { name: 'Living Room TV', isPublic: true, grantTypes: [DEVICE_GRANT, 'refresh_token'], scope: 'openid profile contacts:read' });
  client = { client_id: tv.id };
  userId = (await addTestUser(server, 'alice', PASSWORD, { name: 'Alice' })).id;
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...options }));
});
after(async () => {
  await server.close();
});

/** The user on another screen: opens the URI, signs in, checks the code, and clicks Allow or Deny. */
async function userDecides(verificationUri: string, decision: 'allow' | 'deny'): Promise<string> {
  const browser = new FetchBrowser();
  let response = await browser.request(verificationUri);
  let html = await response.text();
  assert.match(html, /Sign in/);
  response = await browser.request(formActionFrom(html), { form: { csrf: csrfFrom(html), username: 'alice', password: PASSWORD } });
  assert.equal(response.status, 303);
  response = await browser.request(new URL(response.headers.get('location')!, verificationUri).toString());
  html = await response.text();
  response = await browser.request(formActionFrom(html), { form: { csrf: csrfFrom(html), user_code: /name="user_code"[^>]* value="([^"]+)"/.exec(html)![1]! } });
  html = await response.text();
  assert.equal(response.status, 200, html);
  assert.match(html, /Living Room TV/);
  response = await browser.request(formActionFrom(html), { form: { csrf: csrfFrom(html), user_code: /name="user_code" value="([^"]+)"/.exec(html)![1]!, decision } });
  return response.text();
}

/** What a device does (RFC 8628 §3.4-3.5): poll at the interval, slower after slow_down, until an answer. */
async function pollUntilDecided(device: oauth.DeviceAuthorizationResponse, seen: string[], onPoll = () => {}): Promise<oauth.TokenEndpointResponse> {
  let interval = device.interval ?? 5;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, interval * 1000 + 50));
    const response = await oauth.deviceCodeGrantRequest(as, client, oauth.None(), device.device_code, options);
    try {
      return await oauth.processDeviceCodeResponse(as, client, response);
    } catch (error) {
      if (!(error instanceof oauth.ResponseBodyError)) throw error;
      seen.push(error.error);
      onPoll();
      if (error.error === 'authorization_pending') continue;
      if (error.error === 'slow_down') {
        interval += 5;
        continue;
      }
      throw error;
    }
  }
}

describe('oauth4webapi as the device', () => {
  it('discovers the device authorization endpoint and the grant', () => {
    assert.equal(as.device_authorization_endpoint, `${issuer.origin}/device/authorize`);
    assert.ok(as.grant_types_supported?.includes(DEVICE_GRANT));
  });

  it('device authorization, approval in the browser while the device polls, validated tokens, UserInfo, refresh; redeemed once', async () => {
    const device = await oauth.processDeviceAuthorizationResponse(as, client,
      await oauth.deviceAuthorizationRequest(as, client, oauth.None(), { scope: 'openid profile contacts:read' }, options));
    assert.match(device.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(device.verification_uri, `${issuer.origin}/device`);
    assert.equal(device.interval, 1);
    const seen: string[] = [];
    let polled!: () => void;
    const firstPoll = new Promise<void>((resolve) => { polled = resolve; });
    const polling = pollUntilDecided(device, seen, () => polled());
    await firstPoll; // the device has polled (and heard authorization_pending) before the user decides
    assert.match(await userDecides(device.verification_uri_complete!, 'allow'), /Device connected/);
    const tokens = await polling;
    assert.ok(seen.includes('authorization_pending'), `polls before approval: ${seen.join(', ')}`);
    assert.equal(tokens.scope, 'openid profile contacts:read');
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    assert.equal(claims.sub, userId);
    assert.equal(claims.aud, client.client_id);
    assert.equal(claims.iss, issuer.origin);

    const info = await oauth.processUserInfoResponse(as, client, userId, await oauth.userInfoRequest(as, client, tokens.access_token, options));
    assert.equal(info.name, 'Alice');
    const refreshed = await oauth.processRefreshTokenResponse(as, client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, options));
    assert.ok(refreshed.access_token);

    const replay = await oauth.deviceCodeGrantRequest(as, client, oauth.None(), device.device_code, options);
    await assert.rejects(oauth.processDeviceCodeResponse(as, client, replay), (e: unknown) => e instanceof oauth.ResponseBodyError && e.error === 'invalid_grant');
  });

  it('a denial reaches the device as access_denied', async () => {
    const device = await oauth.processDeviceAuthorizationResponse(as, client,
      await oauth.deviceAuthorizationRequest(as, client, oauth.None(), { scope: 'openid' }, options));
    assert.match(await userDecides(device.verification_uri_complete!, 'deny'), /Access denied/);
    await assert.rejects(pollUntilDecided(device, []), (e: unknown) => e instanceof oauth.ResponseBodyError && e.error === 'access_denied');
  });

  it('polling without waiting gets slow_down, which oauth4webapi reports', async () => {
    const device = await oauth.processDeviceAuthorizationResponse(as, client,
      await oauth.deviceAuthorizationRequest(as, client, oauth.None(), { scope: 'openid' }, options));
    const errors: string[] = [];
    // Back to back (the interval is 1 second): the first is pending, and a next one inside the same second slow_down.
    while (!errors.includes('slow_down') && errors.length < 5) {
      const response = await oauth.deviceCodeGrantRequest(as, client, oauth.None(), device.device_code, options);
      await oauth.processDeviceCodeResponse(as, client, response).catch((e: unknown) => errors.push((e as oauth.ResponseBodyError).error));
    }
    assert.equal(errors[0], 'authorization_pending');
    assert.equal(errors.at(-1), 'slow_down');
    assert.ok(errors.every((e) => e === 'authorization_pending' || e === 'slow_down'));
  });
});
