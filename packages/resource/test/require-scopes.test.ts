// requireScopes: all listed scopes are needed (RFC 6750 §3.1 insufficient_scope); scope names are RFC 6749 §3.3 scope-tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessTokenClaims } from '../src/index.ts';
import { requireScopes } from '../src/require-scopes.ts';

function claimsWith(scope: string): AccessTokenClaims {
  const scopes = scope.split(' ').filter(Boolean);
  return { sub: 's', client_id: 'c', scope, scopes, iss: 'https://as.example', aud: 'https://api.example', exp: 0, actors: [] };
}

test('passes only when every required scope was granted', () => {
  const requirement = requireScopes(['read', 'write']);
  assert.equal(requirement.check(claimsWith('write read extra')).sub, 's');
  assert.throws(() => requirement.check(claimsWith('read')), (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, 'ERR_INSUFFICIENT_SCOPE');
    assert.deepEqual((error as { requiredScopes?: unknown }).requiredScopes, ['read', 'write']);
    return true;
  });
});

test('a scope is matched exactly, not as a prefix or substring', () => {
  assert.throws(() => requireScopes(['read']).check(claimsWith('read:all readonly')), { code: 'ERR_INSUFFICIENT_SCOPE' });
});

test('without claims it is an authentication failure, not a scope failure', () => {
  assert.throws(() => requireScopes(['read']).check(undefined), { code: 'ERR_TOKEN_MISSING' });
  assert.throws(() => requireScopes(['read']).check(null), { code: 'ERR_TOKEN_MISSING' });
});

test('no scopes, or scopes that could break the challenge header, throw at construction', () => {
  assert.throws(() => requireScopes([]), { code: 'ERR_VERIFIER_CONFIGURATION' });
  assert.throws(() => requireScopes(['a b']), { code: 'ERR_VERIFIER_CONFIGURATION' });
  assert.throws(() => requireScopes(['a"']), { code: 'ERR_VERIFIER_CONFIGURATION' });
  assert.throws(() => requireScopes(['a\r\nX: y']), { code: 'ERR_VERIFIER_CONFIGURATION' });
});

test('scopes are an array: a lone string is refused, not read as a list of characters', () => {
  assert.throws(() => requireScopes('read' as unknown as string[]), { code: 'ERR_VERIFIER_CONFIGURATION', message: 'requireScopes takes an array of scopes' });
});
