// RFC 9449 §6.1 cnf.jkt: read from the claims; a confirmation this kit cannot check is refused, never ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundKeyThumbprint } from '../src/token-binding.ts';

const claims = { sub: 's', client_id: 'c', scope: '', scopes: [], iss: 'https://auth.example', aud: 'https://api.example', exp: 0, actors: [] };
const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';

test('an unbound token has no thumbprint; a bound one has its cnf.jkt', () => {
  assert.equal(boundKeyThumbprint(claims), undefined);
  assert.equal(boundKeyThumbprint({ ...claims, cnf: { jkt: JKT } }), JKT);
});

test('an mTLS binding (x5t#S256), a malformed jkt or a non-object cnf: ERR_TOKEN_BINDING', () => {
  for (const cnf of [{ 'x5t#S256': JKT }, { jkt: 'short' }, { jkt: 42 }, 'jkt', null]) {
    assert.throws(() => boundKeyThumbprint({ ...claims, cnf }), { code: 'ERR_TOKEN_BINDING' });
  }
});
