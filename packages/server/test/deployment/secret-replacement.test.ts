// docs/deployment.md "The secret": a server refuses to start with a LATCHKEY_SECRET other than the one its
// keys were sealed with, and the documented recovery (rotate every active algorithm under the new secret)
// works: the server starts, signs with the new keys, and tokens signed before are still verifiable.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { FastifyInstance } from 'fastify';
import { registerApi } from '../../src/apis/register-api.ts';
import { runCli } from '../../src/cli/main.ts';
import { registerClient } from '../../src/clients/register-client.ts';
import { resolveConfig } from '../../src/config/config.ts';
import { createServer } from '../../src/http/app.ts';
import { openStore } from '../../src/store/open-store.ts';

const ISSUER = 'https://auth.example.com';
const OLD_SECRET = 'old-secret-0123456789-0123456789-0123456789';
const NEW_SECRET = 'new-secret-9876543210-9876543210-9876543210';

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => '', env });
  return { code, stdout, stderr };
}

describe('replacing a lost LATCHKEY_SECRET (docs/deployment.md)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-secret-'));
  const databaseUrl = `sqlite:${join(dir, 'latchkey.db')}`;
  const start = (secret: string) => createServer(resolveConfig({ issuer: ISSUER, secret, databaseUrl, logLevel: 'silent' }));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses the wrong secret, and recovers with the documented key rotations', async () => {
    const seed = openStore(databaseUrl);
    await seed.migrate();
    await registerApi(seed, { identifier: 'https://contacts.example', scopes: ['contacts:read=Read your contacts'] }, Math.floor(Date.now() / 1000));
    const { client, clientSecret } = await registerClient(seed, { name: 'svc', grantTypes: ['client_credentials'], scope: 'contacts:read' }, Math.floor(Date.now() / 1000));
    await seed.close();
    const tokenFrom = async (app: FastifyInstance) => {
      const response = await app.inject({
        method: 'POST', url: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.id, client_secret: clientSecret ?? '' }).toString(),
      });
      assert.equal(response.statusCode, 200, response.body);
      return (response.json() as { access_token: string }).access_token;
    };

    // First life: keys sealed under the old secret; a token is issued.
    const first = await start(OLD_SECRET);
    const oldToken = await tokenFrom(first);
    const oldKids = ((await first.inject({ method: 'GET', url: '/jwks' })).json() as JSONWebKeySet).keys.map((k) => k.kid);
    await first.close();

    // The secret is lost: a different one cannot open the keys, and says so.
    await assert.rejects(start(NEW_SECRET), /LATCHKEY_SECRET differs/);

    // The documented recovery: list the active algorithms, rotate them all at once (no lead time) under the new secret.
    const env = { LATCHKEY_DATABASE_URL: databaseUrl, LATCHKEY_SECRET: NEW_SECRET };
    const listed = await cli(['keys', 'list', '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const active = (JSON.parse(listed.stdout) as { alg: string; state: string }[]).filter((k) => k.state === 'active').map((k) => k.alg);
    assert.deepEqual([...active].sort(), ['ES256', 'EdDSA', 'RS256']);
    const rotated = await cli(['keys', 'rotate', '--immediately'], env);
    assert.equal(rotated.code, 0, rotated.stderr);

    const second = await start(NEW_SECRET);
    try {
      const jwks = (await second.inject({ method: 'GET', url: '/jwks' })).json() as JSONWebKeySet;
      for (const kid of oldKids) assert.ok(jwks.keys.some((k) => k.kid === kid), `old key ${kid} is still published`);
      const verify = (token: string) => jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER, audience: 'https://contacts.example' });
      await verify(oldToken); // issued before the secret was replaced: nobody is logged out
      const newToken = await tokenFrom(second);
      const { protectedHeader } = await verify(newToken);
      assert.ok(!oldKids.includes(protectedHeader.kid ?? ''), 'new tokens are signed with a new key');
    } finally {
      await second.close();
    }
  });
});
