// Issue 18, metrics: a scrape of /metrics counts token requests, sign-ins, throttled requests and reuse, in valid
// Prometheus text, and its label sets stay bounded however many random paths, client ids and usernames arrive.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { authorizeUrl, callbackParams, csrfFrom, formActionFrom, InjectBrowser, location, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { PASSWORD, startFixture, WEB_CALLBACK, type Fixture } from '../helpers/authorization-fixtures.ts';
import { parsePrometheusText, sampleValue, type Exposition } from '../helpers/prometheus-text.ts';
import { addClient, basic, form, FORM_HEADERS } from '../helpers/test-server.ts';
import { MAX_CLIENT_LABELS, OTHER_CLIENTS, PrometheusMetrics, UNMATCHED_ROUTE } from '../../src/metrics/prometheus-metrics.ts';
import { NO_METRICS, type Metrics } from '../../src/metrics/metrics.ts';

let f: Fixture;
let sync: { id: string; secret: string };

before(async () => {
  f = await startFixture({ failureLimitPerAddress: 2 });
  const created = await addClient(f.server, { name: 'sync job', scope: 'contacts:read' });
  sync = { id: created.id, secret: created.secret! };
});
after(async () => {
  await f.server.close();
});

async function scrape(): Promise<{ text: string; parsed: Exposition }> {
  const response = await f.server.app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(response.statusCode, 200, response.body);
  assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return { text: response.body, parsed: parsePrometheusText(response.body) };
}

/** Starts an authorization request and posts the login form once. */
async function postLogin(browser: InjectBrowser, username: string, password: string) {
  let page = await browser.get(authorizeUrl({
    response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid', code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
  }));
  page = await browser.get(location(page));
  return browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username, password });
}

describe('a scrape after real traffic', () => {
  it('counts tokens by grant type and client, sign-ins, reuse, 429s and requests by route pattern', async () => {
    const before = (await scrape()).parsed;
    const tokens = (labels: Record<string, string>, e: Exposition) => sampleValue(e, 'latchkey_tokens_issued_total', labels);

    for (let i = 0; i < 2; i++) assert.equal((await tokenRequest(f.server.app, sync, { grant_type: 'client_credentials' })).statusCode, 200);

    const failed = await postLogin(new InjectBrowser(f.server.app), 'alice', 'not the password');
    assert.match(failed.body, /Incorrect username or password/, 'the login page again');
    const browser = new InjectBrowser(f.server.app);
    const pkce = pkcePair();
    const { response } = await runAuthorization(browser, authorizeUrl({
      response_type: 'code', client_id: f.web.id, redirect_uri: WEB_CALLBACK, scope: 'openid contacts:read', code_challenge: pkce.challenge, code_challenge_method: 'S256',
    }), { username: 'alice', password: PASSWORD });
    const code = await tokenRequest(f.server.app, f.web, { grant_type: 'authorization_code', code: callbackParams(response).get('code')!, redirect_uri: WEB_CALLBACK, code_verifier: pkce.verifier });
    assert.equal(code.statusCode, 200, code.body);
    const first = code.json().refresh_token as string;
    assert.equal((await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: first })).statusCode, 200);
    f.clock.now += 120; // past the retry window: presenting the rotated token again is reuse
    const reused = await tokenRequest(f.server.app, f.web, { grant_type: 'refresh_token', refresh_token: first });
    assert.equal(reused.json().error, 'invalid_grant');

    // Wrong client secrets from one address: two failures, then 429.
    const guess = () => f.server.app.inject({
      method: 'POST', url: '/token', remoteAddress: '203.0.113.7', headers: { ...FORM_HEADERS, authorization: basic(sync.id, 'wrong-secret') }, payload: form({ grant_type: 'client_credentials' }),
    });
    const statuses = [(await guess()).statusCode, (await guess()).statusCode, (await guess()).statusCode];
    assert.deepEqual(statuses, [401, 401, 429]);

    const { parsed: now, text } = await scrape();
    const moved = (name: string, labels: Record<string, string>) => sampleValue(now, name, labels) - sampleValue(before, name, labels);
    assert.equal(tokens({ grant_type: 'client_credentials', client_id: sync.id }, now) - tokens({ grant_type: 'client_credentials', client_id: sync.id }, before), 2);
    assert.equal(moved('latchkey_tokens_issued_total', { grant_type: 'authorization_code', client_id: f.web.id }), 1);
    assert.equal(moved('latchkey_tokens_issued_total', { grant_type: 'refresh_token', client_id: f.web.id }), 1);
    assert.equal(moved('latchkey_logins_total', { outcome: 'failed' }), 1);
    assert.equal(moved('latchkey_logins_total', { outcome: 'succeeded' }), 1);
    assert.equal(moved('latchkey_reuse_detections_total', { credential: 'refresh_token' }), 1);
    assert.equal(moved('latchkey_throttled_requests_total', { route: '/token' }), 1);
    assert.equal(moved('latchkey_http_requests_total', { route: '/token', method: 'POST', status: '429', status_class: '4xx' }), 1);
    assert.equal(moved('latchkey_http_requests_total', { route: '/token', method: 'POST', status: '401' }), 2);
    assert.equal(moved('latchkey_http_requests_total', { route: '/interaction/:id/login', method: 'POST', status: String(failed.statusCode) }), 1, 'the failed login page');
    assert.ok(moved('latchkey_http_request_duration_seconds_count', { route: '/token', method: 'POST', status_class: '2xx' }) >= 4);
    // Keys: one active per initial algorithm.
    for (const alg of ['RS256', 'ES256', 'EdDSA']) assert.equal(sampleValue(now, 'latchkey_signing_keys', { alg, state: 'active' }), 1, alg);
    assert.equal(now.types.get('latchkey_http_request_duration_seconds'), 'histogram');
    // No secret, token or user name in any label.
    for (const secret of [first, sync.secret, 'wrong-secret', 'alice', PASSWORD]) assert.ok(!text.includes(secret), `"${secret.slice(0, 6)}..." is not in the scrape`);
  });

  it('the one time a scrape sees a raw URL it would be the matched pattern: /interaction/:id, never the id', async () => {
    const id = `zz${randomBytes(8).toString('hex')}`;
    await f.server.app.inject({ method: 'GET', url: `/interaction/${id}` });
    const { text, parsed } = await scrape();
    assert.ok(!text.includes(id));
    assert.ok(sampleValue(parsed, 'latchkey_http_requests_total', { route: '/interaction/:id', method: 'GET' }) >= 1);
  });
});

describe('bounded labels', () => {
  const random = () => randomBytes(6).toString('hex');
  const seriesOf = (e: Exposition) => new Set(e.samples.map((s) => `${s.name}${JSON.stringify(s.labels)}`));

  /** `throttle`: token requests come from 20 addresses, so each is soon refused with 429; otherwise each from its own. */
  async function fuzz(rounds: number, throttle: boolean): Promise<string[]> {
    const seen: string[] = [];
    for (let i = 0; i < rounds; i++) {
      const word = random();
      seen.push(word);
      const browser = new InjectBrowser(f.server.app);
      browser.remoteAddress = `198.51.100.${i % 200}`;
      await Promise.all([
        f.server.app.inject({ method: i % 2 ? 'GET' : 'POST', url: `/${word}/${random()}?q=${random()}` }),
        f.server.app.inject({ method: 'GET', url: `/interaction/${word}` }),
        f.server.app.inject({ method: 'POST', url: '/token', remoteAddress: throttle ? `192.0.2.${i % 20}` : `2001:db8::${i.toString(16)}`, headers: FORM_HEADERS, payload: form({ grant_type: 'client_credentials', client_id: word, client_secret: random() }) }),
        f.server.app.inject({ method: 'POST', url: `/token?x=${word}`, headers: FORM_HEADERS, payload: form({ grant_type: word }) }),
        i % 10 === 0 ? postLogin(browser, `user-${word}`, random()) : Promise.resolve(),
      ]);
    }
    return seen;
  }

  it('hundreds of random paths, client ids, grant types and user names add no series beyond a fixed set', async () => {
    await fuzz(60, true);
    const settled = seriesOf((await scrape()).parsed);
    const words = await fuzz(300, false);
    const { parsed, text } = await scrape();
    const after = seriesOf(parsed);
    assert.deepEqual([...after].filter((s) => !settled.has(s)), [], 'no new series after 300 more random requests');
    assert.ok(after.size < 400, `${after.size} series`);
    for (const word of words) assert.ok(!text.includes(word), `${word} leaked into a label`);
    assert.ok(sampleValue(parsed, 'latchkey_http_requests_total', { route: UNMATCHED_ROUTE }) >= 360);

    // The text our parser read says what prom-client's own registry holds, sample for sample (counters and gauges).
    const registry = (f.server.app.latchkeyServer.metrics as PrometheusMetrics).registry;
    const { parsed: again } = await scrape();
    let compared = 0;
    for (const metric of await registry.getMetricsAsJSON()) {
      if (String(metric.type) !== 'counter' && String(metric.type) !== 'gauge') continue;
      for (const value of metric.values) {
        const labels = Object.fromEntries(Object.entries(value.labels).map(([k, v]) => [k, String(v)]));
        const sameLabels = (x: { labels: Record<string, string> }) => Object.keys(x.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => x.labels[k] === v);
        const read = again.samples.filter((x) => x.name === metric.name && sameLabels(x));
        assert.equal(read.length, 1, `${metric.name} ${JSON.stringify(labels)}`);
        compared += 1;
        // (the scrape itself is counted after it answered, so request counts may be one ahead in the registry)
        if (metric.name !== 'latchkey_http_requests_total') assert.equal(read[0]!.value, value.value, `${metric.name} ${JSON.stringify(labels)}`);
      }
    }
    assert.ok(compared > 20, `${compared} samples compared`);
  });

  it('client_id labels stop at MAX_CLIENT_LABELS; later clients count as "other"', async () => {
    const metrics = new PrometheusMetrics();
    for (let i = 0; i < MAX_CLIENT_LABELS + 25; i++) metrics.tokenIssued('client_credentials', `client-${i}`);
    metrics.tokenIssued('client_credentials', 'client-3');
    const parsed = parsePrometheusText((await metrics.render()).body);
    const labels = new Set(parsed.samples.filter((s) => s.name === 'latchkey_tokens_issued_total').map((s) => s.labels.client_id));
    assert.equal(labels.size, MAX_CLIENT_LABELS + 1);
    assert.equal(sampleValue(parsed, 'latchkey_tokens_issued_total', { client_id: OTHER_CLIENTS }), 25);
    assert.equal(sampleValue(parsed, 'latchkey_tokens_issued_total', { client_id: 'client-3' }), 2, 'a labelled client keeps its label');
  });

  it('a dynamically registered client is counted as "other": self-registration cannot add series', async () => {
    const dynamic = await addClient(f.server, { name: 'self-registered', scope: 'contacts:read', registration: 'dynamic' });
    const before = (await scrape()).parsed;
    const issued = await f.server.app.inject({
      method: 'POST', url: '/token', remoteAddress: '198.51.100.77', headers: { ...FORM_HEADERS, authorization: basic(dynamic.id, dynamic.secret!) }, payload: form({ grant_type: 'client_credentials' }),
    });
    assert.equal(issued.statusCode, 200, issued.body);
    const { parsed, text } = await scrape();
    const other = { grant_type: 'client_credentials', client_id: OTHER_CLIENTS };
    assert.equal(sampleValue(parsed, 'latchkey_tokens_issued_total', other) - sampleValue(before, 'latchkey_tokens_issued_total', other), 1);
    assert.ok(!text.includes(dynamic.id));
  });

  it('back-channel logout deliveries by outcome: every outcome exposed from the start, others bounded', async () => {
    const metrics = new PrometheusMetrics();
    const zero = parsePrometheusText((await metrics.render()).body);
    for (const outcome of ['delivered', 'retry', 'failed']) assert.equal(sampleValue(zero, 'latchkey_backchannel_logout_deliveries_total', { outcome }), 0);
    metrics.logoutDelivery('delivered');
    metrics.logoutDelivery('retry');
    metrics.logoutDelivery('https://rp.example/logout?secret' as never);
    const parsed = parsePrometheusText((await metrics.render()).body);
    assert.deepEqual(parsed.samples.filter((s) => s.name === 'latchkey_backchannel_logout_deliveries_total').map((s) => `${s.labels.outcome}=${s.value}`),
      ['delivered=1', 'retry=1', 'failed=1']);
    NO_METRICS.logoutDelivery('delivered');
  });

  it('key states: a staged rotation shows a published key, then an active and a retired one', async () => {
    const ctx = f.server.app.latchkeyServer;
    const { key } = await ctx.keys.rotate('EdDSA', f.clock.now);
    await ctx.keys.load(f.clock.now);
    const staged = (await scrape()).parsed;
    assert.equal(sampleValue(staged, 'latchkey_signing_keys', { alg: 'EdDSA', state: 'published' }), 1);
    assert.equal(sampleValue(staged, 'latchkey_signing_keys', { alg: 'EdDSA', state: 'active' }), 1);
    f.clock.now = key.activatesAt;
    const switched = (await scrape()).parsed;
    assert.equal(sampleValue(switched, 'latchkey_signing_keys', { alg: 'EdDSA', state: 'active' }), 1);
    assert.equal(sampleValue(switched, 'latchkey_signing_keys', { alg: 'EdDSA', state: 'retired' }), 1);
    assert.equal(sampleValue(switched, 'latchkey_signing_keys', { alg: 'EdDSA', state: 'published' }), 0);
  });

  it('every metric docs/deployment.md names (table, dashboard, alerts) is a family of a real scrape', async () => {
    const doc = readFileSync(new URL('../../../../docs/deployment.md', import.meta.url), 'utf8');
    const named = new Set([...doc.matchAll(/\blatchkey_[a-z_]+?(?:_total|_seconds|_connections|_keys)(?=_bucket|_sum|_count|\b)/g)].map((m) => m[0]));
    const { parsed } = await scrape();
    // The pool gauge exists only on PostgreSQL: test/http/metrics-route.test.ts scrapes it there.
    const missing = [...named].filter((name) => !parsed.types.has(name) && name !== 'latchkey_db_pool_connections');
    assert.ok(named.size >= 10, [...named].join(' '));
    assert.deepEqual(missing, []);
  });

  it('each server has its own registry, and NO_METRICS counts nothing', async () => {
    const a = new PrometheusMetrics();
    const b = new PrometheusMetrics();
    const off: Metrics = NO_METRICS;
    a.login('failed');
    off.login('failed');
    assert.equal(sampleValue(parsePrometheusText((await a.render()).body), 'latchkey_logins_total', { outcome: 'failed' }), 1);
    assert.equal(sampleValue(parsePrometheusText((await b.render()).body), 'latchkey_logins_total', { outcome: 'failed' }), 0);
  });
});

describe('the strict text parser', () => {
  it('refuses a sample without TYPE, a malformed label and a missing final newline (it can fail)', () => {
    assert.throws(() => parsePrometheusText('x_total 1\n'), /no TYPE/);
    assert.throws(() => parsePrometheusText('# HELP x h\n# TYPE x counter\nx{a=b} 1\n'), /bad label set/);
    assert.throws(() => parsePrometheusText('# HELP x h\n# TYPE x counter\nx 1'), /newline/);
    assert.equal(parsePrometheusText('# HELP x h\n# TYPE x counter\nx{a="q\\"z"} 2\n').samples[0]!.labels.a, 'q"z');
  });
});
