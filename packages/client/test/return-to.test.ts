// One rule for where the kit sends the browser (RFC 9700 §4.11.2), run against the corpus of known open-redirect bypasses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appLocation, safeReturnTo, sameOriginTarget } from '../src/return-to.ts';
import { EXPECTED_TARGETS, redirectBypassCorpus } from './support/redirect-bypass-corpus.ts';

test('return targets: every known open-redirect bypass stays on the app origin (WHATWG URL parser)', () => {
  for (const origin of ['https://app.example', 'http://127.0.0.1:3000']) {
    for (const candidate of redirectBypassCorpus(origin)) {
      const target = sameOriginTarget(candidate, origin);
      if (target === null) {
        assert.equal(safeReturnTo(candidate, origin), '/');
        continue;
      }
      // What is stored is a normalised path that resolves, read again, to the same URL on the same origin.
      assert.ok(target.startsWith('/') && !target.startsWith('//'), `${JSON.stringify(candidate)} → ${target}`);
      const again = new URL(target, `${origin}/`);
      assert.equal(again.origin, origin, JSON.stringify(candidate));
      assert.equal(`${again.pathname}${again.search}${again.hash}`, target);
      assert.equal(new URL(appLocation(target, origin)).origin, origin);
    }
    for (const [candidate, expected] of EXPECTED_TARGETS) assert.equal(sameOriginTarget(candidate, origin), expected, JSON.stringify(candidate));
    for (const notString of [undefined, null, 42, ['/', '/'], {}, '']) assert.equal(safeReturnTo(notString, origin), '/');
    // Absolute URLs on the app's own origin are fine, and come out as paths.
    assert.equal(sameOriginTarget(`${origin}/orders?id=3`, origin), '/orders?id=3');
  }
  // The stored value is checked again where the kit redirects.
  assert.equal(appLocation('//evil.example', 'https://app.example'), 'https://app.example/');
  assert.throws(() => safeReturnTo('/', '/fallback'), /appOrigin/);
  assert.throws(() => safeReturnTo('/', 'https://app.example/path'), /appOrigin/);
});
