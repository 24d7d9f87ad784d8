// Client authentication (RFC 6749 §2.3.1, §2.1; OAuth 2.1 §2.4) as oauth/client-auth.ts reads and checks it:
// exactly one method, form-decoded Basic credentials, public clients without a secret, secrets in constant time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashSecret } from '../../src/crypto/random.ts';
import { authenticateClient, readPresentedClient } from '../../src/oauth/client-auth.ts';
import { FormParams } from '../../src/oauth/form-params.ts';
import type { ClientRecord } from '../../src/store/records.ts';

const body = (text: string) => FormParams.parse(text);
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

const client = (overrides: Partial<ClientRecord> = {}): ClientRecord => ({
  id: 'c1', name: 'App', secretHash: hashSecret('s3cret'), isPublic: false, redirectUris: [], grantTypes: ['authorization_code'],
  scopes: [], requirePkce: true, idTokenAlg: 'RS256', registration: 'operator', idTokenClaims: true, requireMfa: false,
  postLogoutRedirectUris: [], backchannelLogoutUri: null, backchannelLogoutSessionRequired: false, requirePar: false, requireDpop: false, jwks: null, jwksUri: null, profile: null, createdAt: 0, updatedAt: 0, ...overrides,
});

describe('readPresentedClient', () => {
  it('reads client_secret_basic, form-decoding id and secret (§2.3.1)', () => {
    assert.deepEqual(readPresentedClient(basic('my%20app', 'a+b%3Ac'), body('')), { clientId: 'my app', secret: 'a b:c', method: 'client_secret_basic' });
  });
  it('reads client_secret_post, and a public client by client_id alone', () => {
    assert.deepEqual(readPresentedClient(undefined, body('client_id=c1&client_secret=x')), { clientId: 'c1', secret: 'x', method: 'client_secret_post' });
    assert.deepEqual(readPresentedClient(undefined, body('client_id=c1')), { clientId: 'c1', secret: undefined, method: 'none' });
    assert.equal(readPresentedClient(undefined, body('grant_type=x')), undefined);
  });
  it('refuses two methods at once, and a body client_id that contradicts Basic', () => {
    assert.throws(() => readPresentedClient(basic('c1', 's'), body('client_secret=s')), { code: 'invalid_request', description: 'the client authenticated with both client_secret_basic and client_secret_post; use exactly one' });
    assert.throws(() => readPresentedClient(basic('c1', 's'), body('client_id=c2')), { code: 'invalid_request', description: 'client_id in the body does not match the authenticated client' });
  });
  it('answers a malformed or foreign Authorization header with invalid_client and a Basic challenge', () => {
    assert.throws(() => readPresentedClient('Basic !!!', body('')), { code: 'invalid_client', basicChallenge: true });
    assert.throws(() => readPresentedClient(basic('c1', '%zz'), body('')), { code: 'invalid_client', description: 'malformed client credentials in the Authorization header' });
    assert.throws(() => readPresentedClient('Bearer abc', body('')), { code: 'invalid_client', basicChallenge: true });
  });
  it('refuses a secret without a client_id', () => {
    assert.throws(() => readPresentedClient(undefined, body('client_secret=s')), { code: 'invalid_request', description: 'client_secret sent without client_id' });
  });
});

describe('authenticateClient', () => {
  const presented = (method: 'client_secret_basic' | 'client_secret_post' | 'none', secret?: string) => ({ clientId: 'c1', secret, method });
  it('accepts the right secret by either method', () => {
    assert.equal(authenticateClient(presented('client_secret_basic', 's3cret'), client()).id, 'c1');
    assert.equal(authenticateClient(presented('client_secret_post', 's3cret'), client()).id, 'c1');
  });
  it('an unknown client and a wrong secret fail alike for the client, with the reason only in the debug detail', () => {
    assert.throws(() => authenticateClient(presented('client_secret_basic', 's3cret'), undefined), { code: 'invalid_client', description: 'client authentication failed', debug: 'unknown client c1', basicChallenge: true });
    assert.throws(() => authenticateClient(presented('client_secret_post', 'wrong'), client()), { code: 'invalid_client', description: 'client authentication failed', debug: 'wrong secret for client c1', basicChallenge: false });
  });
  it('a confidential client must send its secret; a public client must not send one', () => {
    assert.throws(() => authenticateClient(presented('none'), client()), { code: 'invalid_client', description: 'client authentication failed: this client must authenticate with its secret' });
    const spa = client({ isPublic: true, secretHash: null });
    assert.equal(authenticateClient(presented('none'), spa).id, 'c1');
    assert.throws(() => authenticateClient(presented('client_secret_post', 'x'), spa), { code: 'invalid_client', description: 'this client is public and has no secret; send only client_id' });
  });
});
