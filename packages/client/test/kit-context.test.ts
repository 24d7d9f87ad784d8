// When the kit refreshes an access token proactively (RFC 6749 §6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRefreshAt } from '../src/kit-context.ts';

test('refresh timing: window before expiry, capped at half the lifetime', () => {
  assert.equal(computeRefreshAt(0, 3600, 300_000), 3_300_000);
  assert.equal(computeRefreshAt(0, 60, 300_000), 30_000);
  assert.equal(computeRefreshAt(0, undefined, 300_000), null);
});
