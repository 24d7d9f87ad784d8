// session.claims: the ID token's claims over UserInfo (OIDC Core §5.3), built the same way at sign-in and after a
// refresh that returns an ID token (OIDC Core §12.2). The test provider releases `name` and `email` only through UserInfo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createBrowser } from './support/cookie-jar-fetch.ts';
import { logIn, startHarness, type Harness } from './support/test-harness.ts';
import { buildProfile } from '../src/session-profile.ts';

let harness: Harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness.close();
});

test('UserInfo claims survive a refresh (they were dropped before: the refreshed ID token alone replaced the profile)', async () => {
  const browser = createBrowser();
  await logIn(browser, harness);
  const id = harness.sessionIdOf(browser)!;
  const cookie = `${harness.client.sessionCookieName}=${browser.cookies('127.0.0.1').get(harness.client.sessionCookieName)}`;
  const atSignIn = (await harness.client.getSession(cookie))!.claims;
  assert.equal(atSignIn['name'], 'User alice');
  assert.equal(atSignIn['email'], 'alice@example.test');

  const refreshes = harness.provider.counts.refreshGrants;
  harness.expireAccessToken(id);
  await harness.client.getAccessToken(id);
  assert.equal(harness.provider.counts.refreshGrants, refreshes + 1);
  assert.ok(harness.tokenResponses.at(-1)?.id_token, 'the refresh returned an ID token');
  const afterRefresh = (await harness.client.getSession(cookie))!.claims;
  assert.equal(afterRefresh['name'], 'User alice');
  assert.equal(afterRefresh['email'], 'alice@example.test');
  assert.equal(afterRefresh['sub'], atSignIn['sub']);
  assert.notEqual(afterRefresh['iat'], undefined);
});

test('when UserInfo fails, the claims already known stand in for it; the ID token claims always win', async () => {
  const warnings: string[] = [];
  const context = {
    options: { fetchUserInfo: true },
    provider: { serverMetadata: () => ({ userinfo_endpoint: 'http://127.0.0.1:9/userinfo' }) },
    warn: (message: string) => void warnings.push(message),
  } as unknown as Parameters<typeof buildProfile>[0];
  const claims = { sub: 'alice', iss: 'x', aud: 'y', iat: 2, exp: 3 };
  // The provider object is not a real openid-client configuration, so the UserInfo call fails.
  const profile = await buildProfile(context, claims, 'token', { sub: 'alice', name: 'User alice', iat: 1 });
  assert.deepEqual(profile, { sub: 'alice', name: 'User alice', iss: 'x', aud: 'y', iat: 2, exp: 3 });
  assert.equal(warnings.length, 1);
  assert.deepEqual(await buildProfile(context, claims, 'token'), claims, 'at sign-in there is nothing to fall back on');
});
