// The device flow (RFC 8628) on two real `latchkey start` processes sharing one PostgreSQL schema: the device code
// requested at A, the verification pages hopping between instances (page at B, login at A, code at B, decision at A),
// and 100 concurrent polls after approval spread over both instances: exactly one gets tokens, one grant is stored,
// the code is consumed, and a second approval of the code is refused at either instance.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { csrfFrom, formActionFrom } from '../helpers/authorization-flow.ts';
import { DEVICE_GRANT } from '../helpers/device-flow.ts';
import { InstancePair, PASSWORD, RoutedBrowser, SKIP, storedHash, type Instance } from './instance-pair.ts';

describe('the device flow across two instances on one PostgreSQL schema', { skip: SKIP, timeout: 120_000 }, () => {
  let pair: InstancePair;
  let A: Instance;
  let B: Instance;
  let tvId: string;

  before(async () => {
    pair = await InstancePair.start({ label: 'device', users: ['alice', 'bob'], clients: [] });
    A = pair.a;
    B = pair.b;
    const added = await pair.cli(['client', 'add', '--name', 'TV', '--public', '--grant-type', DEVICE_GRANT, '--scope', 'openid contacts:read', '--json']);
    assert.equal(added.code, 0, added.stderr);
    tvId = (JSON.parse(added.stdout) as { client_id: string }).client_id;
  });
  after(async () => {
    await pair?.close();
  });

  const post = async (instance: Instance, path: string, fields: Record<string, string>) => {
    const response = await fetch(`${instance.base}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: tvId, ...fields }),
    });
    return { status: response.status, body: await response.json() as Record<string, string> };
  };

  /** Signs `username` in on the device page and returns the consent page for `userCode`, each step at the instance given. */
  async function consentPage(browser: RoutedBrowser, userCode: string, username: string, at: [Instance, Instance, Instance, Instance]) {
    let response = await browser.request(`/device?user_code=${userCode}`, at[0]);
    let html = await response.text();
    response = await browser.request(formActionFrom(html), at[1], { csrf: csrfFrom(html), username, password: PASSWORD });
    assert.equal(response.status, 303);
    response = await browser.request(response.headers.get('location')!, at[2]);
    html = await response.text();
    response = await browser.request(formActionFrom(html), at[3], { csrf: csrfFrom(html), user_code: userCode });
    html = await response.text();
    assert.equal(response.status, 200, html);
    return html;
  }

  it('approved across instances; 100 concurrent polls at A and B: exactly one gets tokens, and a second approval is refused', async () => {
    const started = await post(A, '/device/authorize', { scope: 'openid contacts:read' });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const { device_code: deviceCode, user_code: userCode } = started.body as { device_code: string; user_code: string };
    assert.equal((await post(B, '/token', { grant_type: DEVICE_GRANT, device_code: deviceCode })).body.error, 'authorization_pending', 'B knows the code A issued');

    const alice = new RoutedBrowser(pair.issuer);
    const bob = new RoutedBrowser(pair.issuer);
    const aliceConsent = await consentPage(alice, userCode, 'alice', [B, A, B, A]);
    const bobConsent = await consentPage(bob, userCode, 'bob', [A, B, A, B]);
    const allowed = await alice.request(formActionFrom(aliceConsent), A, { csrf: csrfFrom(aliceConsent), user_code: userCode, decision: 'allow' });
    assert.match(await allowed.text(), /Device connected/);
    const second = await bob.request(formActionFrom(bobConsent), B, { csrf: csrfFrom(bobConsent), user_code: userCode, decision: 'allow' });
    assert.equal(second.status, 400);
    assert.match(await second.text(), /already been used/);

    // Past the interval since the first poll, then a burst over both instances.
    await new Promise((resolve) => setTimeout(resolve, 5200));
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => post(i % 2 === 0 ? A : B, '/token', { grant_type: DEVICE_GRANT, device_code: deviceCode })));
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 1, JSON.stringify(results.filter((r) => r.status === 200).map((r) => r.body.scope)));
    for (const r of results.filter((x) => x.status !== 200)) {
      assert.equal(r.status, 400);
      assert.ok(['slow_down', 'invalid_grant'].includes(r.body.error!), JSON.stringify(r.body));
    }
    const payload = JSON.parse(Buffer.from(ok[0]!.body.access_token!.split('.')[1]!, 'base64url').toString()) as { sub: string };
    assert.equal(payload.sub, pair.users.get('alice'), 'the tokens are the approver\'s');

    const row = await pair.one<{ status: string; grant_id: string }>('select status, grant_id from device_codes where device_code_hash = $1', [storedHash(deviceCode)]);
    assert.equal(row.status, 'consumed');
    assert.equal((await pair.sql('select id from grants where client_id = $1', [tvId])).length, 1, 'one grant');
    assert.equal((await pair.sql('select id from grants where id = $1', [row.grant_id])).length, 1);
    for (const at of [A, B]) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const late = await post(at, '/token', { grant_type: DEVICE_GRANT, device_code: deviceCode });
      assert.equal(late.body.error, 'invalid_grant', `a late redemption at ${at.name}`);
    }
    await pair.assertInvariants();
  });
});
