// Cross-site state-changing requests are refused: Origin, Sec-Fetch-Site and the custom header (OWASP CSRF cheat sheet).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNotCrossSite, assertSameOrigin } from '../src/cross-site-check.ts';

const APP = 'https://app.example';

test('a POST from another origin, without Origin, or labelled cross-site is refused', () => {
  const attempts: Record<string, string>[] = [{ origin: 'https://evil.example' }, {}, { origin: APP, 'sec-fetch-site': 'same-site' }];
  for (const headers of attempts) {
    assert.throws(() => assertSameOrigin(new Headers(headers), APP), { code: 'ERR_CROSS_SITE_REQUEST', status: 403 }, JSON.stringify(headers));
  }
  assertSameOrigin(new Headers({ origin: APP, 'sec-fetch-site': 'same-origin' }), APP);
});

test('a state-changing proxied request needs the custom header too; safe methods need nothing', () => {
  assert.throws(() => assertNotCrossSite('POST', new Headers({ origin: APP }), APP, 'x-latchkey-csrf'), { code: 'ERR_CROSS_SITE_REQUEST' });
  assertNotCrossSite('POST', new Headers({ origin: APP, 'x-latchkey-csrf': '1' }), APP, 'x-latchkey-csrf');
  assertNotCrossSite('GET', new Headers({ origin: 'https://evil.example' }), APP, 'x-latchkey-csrf');
});
