// RFC 8414 §3.1 / OpenID Connect Discovery 1.0 §4: where the issuer's metadata is looked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metadataUrls } from '../src/issuer-metadata.ts';

test('metadata URLs follow RFC 8414 §3.1 (inserted) then OIDC Discovery §4 (appended)', () => {
  assert.deepEqual(metadataUrls('http://127.0.0.1:4000'), [
    'http://127.0.0.1:4000/.well-known/oauth-authorization-server',
    'http://127.0.0.1:4000/.well-known/openid-configuration',
  ]);
  assert.deepEqual(metadataUrls('https://as.example/tenant-a'), [
    'https://as.example/.well-known/oauth-authorization-server/tenant-a',
    'https://as.example/tenant-a/.well-known/openid-configuration',
  ]);
});
