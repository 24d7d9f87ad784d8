// The client kit through a staged signing-key rotation of the real Latchkey server (issue 18). openid-client (through
// oauth4webapi) caches the JWKS for 5 minutes and refetches for an unknown kid only when its copy is at least a minute
// old, so a key that signed the moment it was published would fail sign-ins for up to a minute. Latchkey publishes a
// new key an hour (here 10 minutes) before it signs: sign-ins and refreshes before, during and after the rotation all
// succeed with no warning. The emergency `keys revoke` has no lead time, and the test shows its documented cost.
// The clock is node:test's mocked Date, shared by the server, the kit, openid-client and jose.
import { after, before, test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { createBrowser } from './support/cookie-jar-fetch.ts';
import { APP_SCOPES, authorizeAtLatchkey, ORDERS_API, startLatchkeyServer, type LatchkeyTestServer } from './support/latchkey-server.ts';
import { startHarness, type Harness } from './support/test-harness.ts';

const LEAD = 600;
let latchkey: LatchkeyTestServer;

before(async () => {
  mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 10, 29, 12) });
  latchkey = await startLatchkeyServer({ keyPublishLeadTime: LEAD });
});
after(async () => {
  await latchkey.close();
  mock.timers.reset();
});

/** A whole sign-in at the app for `username`; the callback's status and the session id. */
async function logIn(harness: Harness, username: string): Promise<{ status: number; sessionId: string | undefined }> {
  const browser = createBrowser();
  const start = await browser.request(`${harness.appOrigin}/login`);
  assert.equal(start.status, 302);
  const { callbackUrl } = await authorizeAtLatchkey(browser, new URL(start.headers.get('location')!), harness.appOrigin, username);
  const callback = await browser.request(callbackUrl);
  await callback.arrayBuffer();
  return { status: callback.status, sessionId: harness.sessionIdOf(browser) };
}

const kid = (jwt: unknown) => decodeProtectedHeader(String(jwt)).kid;
const advance = (seconds: number) => mock.timers.tick(seconds * 1000);

test('sign-ins and refreshes before, during and after a staged rotation succeed; a revoked key\'s replacement costs a minute', async () => {
  const warnings: string[] = [];
  const harness = await startHarness({
    provider: async ({ redirectUri }) => latchkey.registerApp('Rotation Watcher', redirectUri),
    clientOptions: { scopes: APP_SCOPES, onWarning: (message) => void warnings.push(message) },
  });
  try {
    /** Verifies against the JWKS Latchkey publishes now (the signature), at the token's own issue time (its expiry). */
    const verify = async (token: unknown) => {
      const jwks = await (await fetch(`${latchkey.issuer}/jwks`)).json() as JSONWebKeySet;
      const currentDate = new Date(decodeJwt(String(token)).iat! * 1000);
      return jwtVerify(String(token), createLocalJWKSet(jwks), { issuer: latchkey.issuer, audience: ORDERS_API, typ: 'at+jwt', currentDate });
    };
    const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
    for (const user of users) await latchkey.addUser(user);
    const signedIn = async (user: string) => {
      const result = await logIn(harness, user);
      assert.ok(result.status < 400 && result.sessionId, `${user}: the callback answered ${result.status}`);
      return result.sessionId!;
    };
    const lastIdToken = () => harness.tokenResponses.at(-1)!.id_token;

    const alice = await signedIn('alice'); // openid-client fetches and caches the JWKS now
    const oldKids = { id: kid(lastIdToken()), access: kid(harness.tokenResponses.at(-1)!.access_token) };

    // Stage new RS256 (ID tokens) and ES256 (access tokens) keys: published now, signing after the lead time.
    const ctx = latchkey.app.latchkeyServer;
    const [rs, es] = [(await ctx.keys.rotate('RS256', ctx.now())).key, (await ctx.keys.rotate('ES256', ctx.now())).key];
    await ctx.keys.load(ctx.now());

    await signedIn('bob');
    assert.equal(kid(lastIdToken()), oldKids.id, 'during the lead time the old key signs');
    harness.expireAccessToken(alice);
    const during = await harness.client.getAccessToken(alice);
    assert.equal(kid(during), oldKids.access);

    advance(301); // openid-client's JWKS copy is now stale: its next verification refetches and sees the published keys
    await signedIn('carol');
    advance(LEAD - 301);
    await signedIn('dave');
    assert.equal(kid(lastIdToken()), rs.kid, 'after the lead time the new RS256 key signs, and the kit knows it');
    harness.expireAccessToken(alice);
    const afterRotation = await harness.client.getAccessToken(alice);
    assert.equal(kid(afterRotation), es.kid);
    await verify(afterRotation);
    await verify(during); // signed by the retired key: still published, so it still verifies
    assert.deepEqual(warnings, []);

    // The emergency path: revoking the active RS256 key makes a fresh key sign at once. openid-client fetched the JWKS
    // a moment ago, so for a minute it refuses ID tokens from a kid it has not seen (docs/deployment.md, Key rotation).
    advance(10);
    await signedIn('erin'); // refreshes nothing: its JWKS copy is 5 minutes old at most
    const revoked = await ctx.keys.revoke(rs.kid, ctx.now(), 'api');
    await ctx.keys.load(ctx.now());
    assert.ok(revoked?.signingKid && revoked.signingKid !== rs.kid);
    const refused = await logIn(harness, 'frank');
    assert.equal(refused.status, 400, 'the replacement kid is unknown to a JWKS copy younger than a minute');
    advance(60);
    await signedIn('frank');
    assert.equal(kid(lastIdToken()), revoked.signingKid);
  } finally {
    await harness.close();
  }
});
