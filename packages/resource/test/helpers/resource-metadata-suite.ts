// RFC 9728 and RFC 8707 over real HTTP, run unchanged against every adapter: metadata served at the path-inserted
// well-known URI, resource_metadata in every challenge, and a token for another resource replayed here refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier } from '../../src/index.ts';
import { assertRejected, callApi } from './bearer-api-suite.ts';
import { startFakeIssuer, type FakeIssuer } from './fake-issuer.ts';
import type { ApiStarter, RunningApi } from './protected-apis.ts';

const RESOURCE = 'https://mcp.example/mcp';
const METADATA_URL = 'https://mcp.example/.well-known/oauth-protected-resource/mcp';
const TAIL = `resource_metadata="${METADATA_URL}"`;

export function resourceMetadataSuite(name: string, startApi: ApiStarter): void {
  describe(`${name}: RFC 9728 protected resource metadata and RFC 8707 audience`, () => {
    let issuer: FakeIssuer;
    let api: RunningApi;

    before(async () => {
      issuer = await startFakeIssuer();
      const verifier = createVerifier({
        issuer: issuer.issuer, audience: RESOURCE, realm: 'mcp', resourceMetadata: { scopesSupported: ['read:items', 'admin'] },
      });
      api = await startApi(verifier);
    });
    after(async () => {
      await api.close();
      await issuer.close();
    });

    async function assertAudienceRefused(aud: string): Promise<void> {
      const token = await issuer.signToken({ claims: { aud } });
      const challenge = `Bearer realm="mcp", error="invalid_token", error_description="the access token is not intended for this resource", ${TAIL}`;
      await assertRejected(await callApi(api, { token }), 401, challenge, 'invalid_token');
    }

    test('the metadata is served without a token at the path-inserted well-known URI', async () => {
      const response = await callApi(api, { path: '/.well-known/oauth-protected-resource/mcp' });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await response.json(), {
        resource: RESOURCE,
        authorization_servers: [issuer.issuer],
        scopes_supported: ['read:items', 'admin'],
        bearer_methods_supported: ['header'],
      });
    });

    test('the bare well-known path is not this resource\'s metadata (Fastify: not found; Express: protected)', async () => {
      const response = await callApi(api, { path: '/.well-known/oauth-protected-resource' });
      assert.ok(response.status === 404 || response.status === 401, String(response.status));
    });

    test('no credentials: 401 whose challenge points at the metadata', async () => {
      await assertRejected(await callApi(api), 401, `Bearer realm="mcp", ${TAIL}`);
    });

    test('a valid token for this resource passes', async () => {
      const response = await callApi(api, { token: await issuer.signToken({ claims: { aud: RESOURCE } }) });
      assert.equal(response.status, 200);
    });

    test('attack: a token issued for another resource replayed here: 401 invalid_token with resource_metadata', async () => {
      await assertAudienceRefused('https://other-mcp.example/mcp');
    });

    test('attack: aud differing only by a trailing slash is another resource (exact comparison)', async () => {
      await assertAudienceRefused(`${RESOURCE}/`);
    });

    test('a missing scope: 403 insufficient_scope naming the scopes to ask for, and the metadata (MCP step-up)', async () => {
      const token = await issuer.signToken({ claims: { aud: RESOURCE } });
      await assertRejected(
        await callApi(api, { path: '/admin', token }),
        403,
        `Bearer realm="mcp", error="insufficient_scope", scope="admin read:items", ${TAIL}`,
        'insufficient_scope',
      );
    });
  });
}
