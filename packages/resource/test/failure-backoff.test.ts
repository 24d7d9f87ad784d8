// The backoff after a failed metadata (RFC 8414 §3) or JWKS fetch, on a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFailureBackoff } from '../src/failure-backoff.ts';

test('after a failure, attempts are refused with that failure until the window has passed; a success clears it', () => {
  let now = 1000;
  const backoff = createFailureBackoff(500, () => now);
  backoff.assertOpen();
  const failure = new Error('down');
  backoff.recordFailure(failure);
  now = 1499;
  assert.throws(() => backoff.assertOpen(), (error: unknown) => error === failure);
  now = 1500;
  backoff.assertOpen();
  backoff.recordFailure(failure);
  backoff.recordSuccess();
  backoff.assertOpen();
});
