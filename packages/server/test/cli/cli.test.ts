// The `latchkey` CLI contract: JSON output, one-line errors with non-zero exits, nothing half-written.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConfig } from '../../src/cli/start-command.ts';
import { openStore } from '../../src/store/open-store.ts';
import { CliHarness } from '../helpers/cli-harness.ts';

describe('latchkey CLI', () => {
  const cli = new CliHarness();
  const SECRET_ENV = { LATCHKEY_SECRET: 'cli-test-secret-0123456789-0123456789-abcdef' };
  before(async () => {
    const api = await cli.run(['api', 'add', '--identifier', 'https://contacts.example', '--name', 'Contacts', '--scope', 'contacts:read=read your contacts', '--scope', 'contacts:write=change your contacts', '--json']);
    assert.equal(api.code, 0, api.stderr);
  });
  after(() => cli.remove());

  const assertOneLineError = (run: { code: number; stderr: string; stdout: string }, pattern: RegExp, code = 1) => {
    assert.equal(run.code, code, run.stderr);
    assert.match(run.stderr, pattern);
    assert.match(run.stderr, /^latchkey: /);
    assert.equal(run.stdout, '');
  };

  test('client add prints client_id and a secret once; only its hash is stored', async () => {
    const run = await cli.run(['client', 'add', '--name', 'Sync job', '--scope', 'contacts:read', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const out = run.json<Record<string, unknown>>();
    assert.equal(out.type, 'confidential');
    assert.deepEqual(out.grant_types, ['client_credentials']);
    assert.match(String(out.client_secret), /^[A-Za-z0-9_-]{43}$/);
    const show = await cli.run(['client', 'show', String(out.client_id), '--json']);
    assert.equal(show.json<Record<string, unknown>>().client_secret, undefined, 'the secret is never shown again');
    const dbBytes = readFileSync(join(cli.dir, 'latchkey.db')).toString('latin1') + readWal(cli.dir);
    assert.ok(!dbBytes.includes(String(out.client_secret)), 'the raw secret must not be in the database');
  });

  test('a web client gets authorization_code + refresh_token by default; a public client has no secret', async () => {
    const web = (await cli.run(['client', 'add', '--name', 'Web', '--redirect-uri', 'https://app.example/cb', '--scope', 'openid contacts:read', '--json'])).json<Record<string, unknown>>();
    assert.deepEqual(web.grant_types, ['authorization_code', 'refresh_token']);
    const spa = await cli.run(['client', 'add', '--name', 'SPA', '--public', '--redirect-uri', 'http://localhost:5173/cb', '--json']);
    assert.equal(spa.code, 0, spa.stderr);
    assert.equal(spa.json<Record<string, unknown>>().client_secret, undefined);
    assert.equal(spa.json<Record<string, unknown>>().type, 'public');
  });

  test('a device client (RFC 8628) needs no redirect URI, may be public and have refresh tokens; refresh_token alone is refused', async () => {
    const device = await cli.run(['client', 'add', '--name', 'Contacts CLI', '--public', '--grant-type', 'urn:ietf:params:oauth:grant-type:device_code',
      '--grant-type', 'refresh_token', '--scope', 'openid contacts:read', '--json']);
    assert.equal(device.code, 0, device.stderr);
    assert.deepEqual(device.json<Record<string, unknown>>().grant_types, ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token']);
    assert.deepEqual(device.json<Record<string, unknown>>().redirect_uris, []);
    assertOneLineError(await cli.run(['client', 'add', '--name', 'x', '--public', '--grant-type', 'refresh_token']),
      /refresh_token is only useful together with authorization_code or urn:ietf:params:oauth:grant-type:device_code/);
    assert.match((await cli.run(['client', '--help'])).stdout, /urn:ietf:params:oauth:grant-type:device_code/);
  });

  test('client list --dynamic, show, block and unblock an unvetted client', async () => {
    const store = openStore(cli.databaseUrl);
    try {
      await store.createClient({
        id: 'https://agent.example/client.json', name: 'Agent Desk', secretHash: null, isPublic: true, redirectUris: ['http://127.0.0.1/cb'],
        grantTypes: ['authorization_code'], scopes: [], requirePkce: true, idTokenAlg: 'RS256', registration: 'dynamic', idTokenClaims: true, requireMfa: false,
        postLogoutRedirectUris: [], backchannelLogoutUri: null, backchannelLogoutSessionRequired: false,
        requirePar: false, requireDpop: false, jwks: null, jwksUri: null, profile: null,
        createdAt: 1_900_000_000, updatedAt: 1_900_000_000, clientUri: 'https://agent.example',
      });
    } finally {
      await store.close();
    }
    const dynamic = (await cli.run(['client', 'list', '--dynamic', '--json'])).json<Array<Record<string, unknown>>>();
    assert.deepEqual(dynamic.map((c) => c.client_id), ['https://agent.example/client.json'], 'only unvetted clients');
    assert.equal(dynamic[0]?.kind, 'client ID metadata document');
    assert.match((await cli.run(['client', 'list'])).stdout, /Agent Desk {2}\[unvetted\]/);
    const blocked = await cli.run(['client', 'block', 'https://agent.example/client.json', '--json']);
    assert.equal(blocked.code, 0, blocked.stderr);
    assert.deepEqual(blocked.json(), { blocked: 'https://agent.example/client.json', grants_revoked: 0 });
    assert.match(String((await cli.run(['client', 'show', 'https://agent.example/client.json', '--json'])).json<Record<string, unknown>>().blocked), /^\d{4}-/);
    assert.match((await cli.run(['client', 'list', '--dynamic'])).stdout, /\[unvetted\] {2}\[blocked\]/);
    assert.equal((await cli.run(['client', 'unblock', 'https://agent.example/client.json'])).code, 0);
    assert.equal((await cli.run(['client', 'show', 'https://agent.example/client.json', '--json'])).json<Record<string, unknown>>().blocked, false);
    assertOneLineError(await cli.run(['client', 'block', 'no-such-client']), /no client with id no-such-client/);
  });

  test('registration rules refuse bad redirect URIs, grants and scopes with one line and write nothing', async () => {
    const before = (await cli.run(['client', 'list', '--json'])).json<unknown[]>().length;
    assertOneLineError(await cli.run(['client', 'add', '--name', 'x', '--redirect-uri', 'http://app.example/cb']), /must use https/);
    assertOneLineError(await cli.run(['client', 'add', '--name', 'x', '--redirect-uri', 'https://app.example/cb#top']), /fragment/);
    assertOneLineError(await cli.run(['client', 'add', '--name', 'x', '--redirect-uri', 'cb']), /absolute/);
    assertOneLineError(await cli.run(['client', 'add', '--name', 'x', '--grant-type', 'password']), /not supported by design/);
    assertOneLineError(await cli.run(['client', 'add', '--name', 'x', '--grant-type', 'implicit']), /not supported by design/);
    assertOneLineError(await cli.run(['client', 'add', '--name', 'x', '--scope', 'contacts:delete']), /unknown scope "contacts:delete"/);
    assertOneLineError(await cli.run(['client', 'add', '--name', 'x', '--public', '--grant-type', 'client_credentials']), /public client cannot use client_credentials/);
    assertOneLineError(await cli.run(['client', 'add', '--name', 'x', '--grant-type', 'authorization_code']), /needs at least one --redirect-uri/);
    assert.equal((await cli.run(['client', 'list', '--json'])).json<unknown[]>().length, before);
  });

  test('usage mistakes exit 2', async () => {
    assertOneLineError(await cli.run(['client', 'add']), /--name is required/, 2);
    assertOneLineError(await cli.run(['client', 'add', '--name', 'x', '--bogus']), /Unknown option '--bogus'/, 2);
    assertOneLineError(await cli.run(['client', 'frobnicate']), /unknown subcommand/, 2);
    assertOneLineError(await cli.run(['nope']), /unknown command "nope"/, 2);
  });

  test('every command and subcommand answers --help and -h with its usage, exit 0, and touches nothing', async () => {
    const commands = [
      ['start'], ['migrate'], ['client'], ['client', 'add'], ['client', 'list'], ['client', 'show'], ['client', 'remove'],
      ['client', 'rotate-secret'], ['api'], ['api', 'add'], ['api', 'list'], ['api', 'remove'], ['user'], ['user', 'add'],
      ['user', 'list'], ['user', 'remove'], ['user', 'set-password'], ['user', 'factors'], ['user', 'reset-factors'], ['keys'], ['keys', 'list'], ['keys', 'rotate'], ['keys', 'revoke'],
      ['audit'], ['audit', 'server'], ['audit', 'app'], ['client', 'update'], ['user', 'sessions'], ['user', 'signout'], ['logout-deliveries'],
    ];
    for (const command of commands) {
      for (const flag of ['--help', '-h']) {
        const run = await cli.run([...command, flag], { env: { LATCHKEY_DATABASE_URL: `sqlite:${join(cli.dir, 'never-created.db')}` } });
        assert.equal(run.code, 0, `${command.join(' ')} ${flag}: ${run.stderr}`);
        assert.match(run.stdout, new RegExp(`^usage: latchkey ${command[0]} `), `${command.join(' ')} ${flag}`);
        assert.equal(run.stderr, '');
      }
    }
    assert.ok(!existsSync(join(cli.dir, 'never-created.db')), 'asking for help opens no database');
    const top = await cli.run(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /^latchkey: OAuth 2.1/);
  });

  test('start --dev accepts an http issuer on a non-loopback host, as docs/deployment.md says', () => {
    const options = startConfig(['--dev', '--issuer', 'http://auth.internal:5102'], { LATCHKEY_DATABASE_URL: `sqlite:${join(cli.dir, 'dev', 'latchkey.db')}` });
    assert.equal(options?.config.issuer, 'http://auth.internal:5102');
    assert.equal(options?.config.dev, true);
    assert.throws(() => startConfig(['--issuer', 'http://auth.internal:5102'], { LATCHKEY_SECRET: SECRET_ENV.LATCHKEY_SECRET }), /issuer must use https/);
  });

  test('client rotate-secret and remove', async () => {
    const created = (await cli.run(['client', 'add', '--name', 'Rotating', '--scope', 'contacts:read', '--json'])).json<{ client_id: string; client_secret: string }>();
    const rotated = (await cli.run(['client', 'rotate-secret', created.client_id, '--json'])).json<{ client_secret: string }>();
    assert.notEqual(rotated.client_secret, created.client_secret);
    assert.equal((await cli.run(['client', 'remove', created.client_id])).code, 0);
    assertOneLineError(await cli.run(['client', 'show', created.client_id]), /no client with id/);
    assertOneLineError(await cli.run(['client', 'remove', created.client_id]), /no client with id/);
  });

  test('client lifetimes: add and update set them (seconds, "default" = the server\'s), show lists them; out-of-range values are refused', async () => {
    const added = await cli.run(['client', 'add', '--name', 'Mobile', '--redirect-uri', 'https://m.example/cb', '--scope', 'openid contacts:read',
      '--access-token-ttl', '300', '--refresh-grace', '5', '--json']);
    assert.equal(added.code, 0, added.stderr);
    const out = added.json<Record<string, unknown>>();
    assert.deepEqual([out.access_token_ttl, out.id_token_ttl, out.refresh_grace], [300, 'default', 5]);
    const id = String(out.client_id);
    const updated = await cli.run(['client', 'update', id, '--refresh-grace', '0', '--refresh-idle-ttl', '3600', '--refresh-absolute-ttl', '86400', '--access-token-ttl', 'default', '--json']);
    assert.equal(updated.code, 0, updated.stderr);
    const shown = (await cli.run(['client', 'show', id, '--json'])).json<Record<string, unknown>>();
    assert.deepEqual([shown.access_token_ttl, shown.refresh_grace, shown.refresh_idle_ttl, shown.refresh_absolute_ttl], ['default', 0, 3600, 86400]);
    assert.match((await cli.run(['client', 'show', id])).stdout, /refresh_grace\s+0/);
    assertOneLineError(await cli.run(['client', 'update', id, '--refresh-grace', '301']), /refreshGrace must be a whole number of seconds from 0 to 300/);
    assertOneLineError(await cli.run(['client', 'update', id, '--access-token-ttl', '10']), /accessTokenTtl must be .* from 30 to 86400/);
    assertOneLineError(await cli.run(['client', 'update', id, '--refresh-grace', 'soon']), /--refresh-grace must be a number of seconds or "default"/, 2);
    assertOneLineError(await cli.run(['client', 'add', '--name', 'X', '--redirect-uri', 'https://x.example/cb', '--refresh-idle-ttl', '7200', '--refresh-absolute-ttl', '3600']), /refreshIdleTtl cannot exceed refreshAbsoluteTtl/);
    assertOneLineError(await cli.run(['client', 'update', 'nobody', '--refresh-grace', '1']), /no client with id nobody/);
    assertOneLineError(await cli.run(['client', 'update', id]), /nothing to update/, 2);
  });

  test('api exchange clients: none by default; --exchange-client adds a confidential client registered for token exchange, --remove-exchange-client removes it', async () => {
    const grant = 'urn:ietf:params:oauth:grant-type:token-exchange';
    const service = (await cli.run(['client', 'add', '--name', 'Contacts service', '--grant-type', grant, '--scope', 'contacts:read', '--json'])).json<{ client_id: string; grant_types: string[] }>();
    assert.deepEqual(service.grant_types, [grant]);
    const plain = (await cli.run(['client', 'add', '--name', 'Plain job', '--scope', 'contacts:read', '--json'])).json<{ client_id: string }>().client_id;
    const apis = (await cli.run(['api', 'list', '--json'])).json<{ identifier: string; exchange_clients: string[] }[]>();
    assert.deepEqual(apis.find((a) => a.identifier === 'https://contacts.example')?.exchange_clients, []);
    const updated = await cli.run(['api', 'update', 'https://contacts.example', '--exchange-client', service.client_id, '--json']);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual(updated.json<{ exchange_clients: string[] }>().exchange_clients, [service.client_id]);
    assert.match((await cli.run(['api', 'list'])).stdout, new RegExp(`exchange clients: ${service.client_id}`));
    assertOneLineError(await cli.run(['api', 'update', 'https://contacts.example', '--exchange-client', plain]), /is not registered for token exchange/);
    assertOneLineError(await cli.run(['client', 'add', '--name', 'SPA', '--public', '--grant-type', grant]), /a public client cannot exchange tokens/);
    const removed = await cli.run(['api', 'update', 'https://contacts.example', '--remove-exchange-client', service.client_id, '--json']);
    assert.deepEqual(removed.json<{ exchange_clients: string[] }>().exchange_clients, []);
    assertOneLineError(await cli.run(['api', 'update', 'https://contacts.example', '--remove-exchange-client', service.client_id]), /is not a token exchanger/);
  });

  test('api add: duplicate identifiers or scope names are refused and nothing is half-written', async () => {
    assertOneLineError(await cli.run(['api', 'add', '--identifier', 'https://contacts.example', '--scope', 'other=x']), /already exists/);
    // A new API whose scope clashes with an existing one must leave no API row behind.
    assertOneLineError(await cli.run(['api', 'add', '--identifier', 'https://clash.example', '--scope', 'fresh=ok', '--scope', 'contacts:read=dup']), /already exists/);
    const apis = (await cli.run(['api', 'list', '--json'])).json<{ identifier: string }[]>();
    assert.deepEqual(apis.map((a) => a.identifier), ['https://contacts.example']);
    assertOneLineError(await cli.run(['api', 'add', '--identifier', 'https://x.example', '--scope', 'openid=mine']), /reserved for OpenID Connect/);
    assertOneLineError(await cli.run(['api', 'add', '--identifier', 'https://x.example', '--scope', 'nodesc']), /needs a description/);
    assertOneLineError(await cli.run(['api', 'add', '--identifier', 'not-a-uri', '--scope', 'a=b']), /absolute URI/);
  });

  test('api introspectors: add with --introspector, update adds and removes, list shows them; public or unknown clients are refused', async () => {
    const rs = (await cli.run(['client', 'add', '--name', 'Files API', '--json'])).json<{ client_id: string }>().client_id;
    const other = (await cli.run(['client', 'add', '--name', 'Files API 2', '--json'])).json<{ client_id: string }>().client_id;
    const spa = (await cli.run(['client', 'add', '--name', 'SPA', '--public', '--redirect-uri', 'https://spa.example/cb', '--json'])).json<{ client_id: string }>().client_id;
    const added = await cli.run(['api', 'add', '--identifier', 'https://files.example', '--scope', 'files:read=read your files', '--introspector', rs, '--json']);
    assert.equal(added.code, 0, added.stderr);
    assert.deepEqual(added.json<{ introspectors: string[] }>().introspectors, [rs]);
    const updated = await cli.run(['api', 'update', 'https://files.example', '--introspector', other, '--remove-introspector', rs, '--json']);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual(updated.json<{ introspectors: string[] }>().introspectors, [other]);
    const listed = (await cli.run(['api', 'list'])).stdout;
    assert.match(listed, new RegExp(`introspectors: ${other}`));
    assertOneLineError(await cli.run(['api', 'update', 'https://files.example', '--introspector', spa]), /public: an introspector must authenticate with a secret/);
    assertOneLineError(await cli.run(['api', 'update', 'https://files.example', '--introspector', 'nobody']), /no client with id nobody/);
    assertOneLineError(await cli.run(['api', 'update', 'https://nowhere.example', '--introspector', rs]), /no API with identifier/);
    assertOneLineError(await cli.run(['api', 'update', 'https://files.example', '--remove-introspector', rs]), /is not an introspector/);
    assertOneLineError(await cli.run(['api', 'update', 'https://files.example']), /nothing to update/, 2);
    assertOneLineError(await cli.run(['api', 'add', '--identifier', 'https://y.example', '--scope', 'y:read=y', '--introspector', spa]), /public/);
    assert.equal((await cli.run(['api', 'list', '--json'])).json<{ identifier: string }[]>().some((a) => a.identifier === 'https://y.example'), false, 'nothing half-written');
  });

  test('user add reads the password from stdin, stores argon2id, never prints the hash', async () => {
    const run = await cli.run(['user', 'add', '--username', 'alice', '--email', 'alice@example.com', '--name', 'Alice', '--password-stdin', '--json'], { stdin: 'correct horse battery\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!run.stdout.includes('argon2'));
    const store = openStore(cli.databaseUrl);
    const user = await store.findUserByUsername('alice');
    await store.close();
    assert.match(user!.passwordHash ?? "", /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    const list = await cli.run(['user', 'list', '--json']);
    assert.ok(!list.stdout.includes('argon2'));
    assert.deepEqual(list.json<{ username: string }[]>().map((u) => u.username), ['alice']);
  });

  test('client update sets logout URIs; user sessions lists sessions; user signout ends them and queues back-channel logouts; logout-deliveries lists them', async () => {
    const client = (await cli.run(['client', 'add', '--name', 'Logout RP', '--redirect-uri', 'https://rp.example/cb', '--scope', 'openid',
      '--post-logout-redirect-uri', 'https://rp.example/bye', '--json'])).json<Record<string, unknown>>();
    assert.deepEqual(client.post_logout_redirect_uris, ['https://rp.example/bye']);
    assertOneLineError(await cli.run(['client', 'update', String(client.client_id), '--backchannel-logout-uri', 'http://rp.example/bc']), /must use https/);
    assertOneLineError(await cli.run(['client', 'update', 'nope', '--backchannel-logout-uri', 'https://rp.example/bc']), /no client with id nope/);
    const updated = (await cli.run(['client', 'update', String(client.client_id), '--backchannel-logout-uri', 'https://rp.example/bc', '--backchannel-logout-session-required', '--json'])).json<Record<string, unknown>>();
    assert.equal(updated.backchannel_logout_uri, 'https://rp.example/bc');
    assert.equal(updated.backchannel_logout_session_required, true);
    assert.deepEqual(updated.post_logout_redirect_uris, ['https://rp.example/bye'], 'unchanged when not given');

    const run = await cli.run(['user', 'add', '--username', 'sessionful', '--password-stdin'], { stdin: 'correct horse battery\n' });
    assert.equal(run.code, 0, run.stderr);
    const store = openStore(cli.databaseUrl);
    const user = (await store.findUserByUsername('sessionful'))!;
    const now = Math.floor(Date.now() / 1000);
    for (const sid of ['sid-one', 'sid-two']) {
      await store.createSession({ idHash: `h-${sid}`, sid, userId: user.id, authTime: now, amr: ['pwd'], userAgent: 'Firefox', createdAt: now, lastActiveAt: now, expiresAt: now + 600 });
      await store.addSessionClient({ sid, clientId: String(client.client_id), userId: user.id, createdAt: now });
    }
    await store.close();
    const sessions = (await cli.run(['user', 'sessions', 'sessionful', '--json'])).json<Array<Record<string, unknown>>>();
    assert.deepEqual(sessions.map((s) => [s.sid, s.user_agent, s.clients]).sort(), [['sid-one', 'Firefox', [client.client_id]], ['sid-two', 'Firefox', [client.client_id]]]);
    assertOneLineError(await cli.run(['user', 'signout', 'sessionful', '--sid', 'sid-none']), /has no session sid-none/);
    const one = (await cli.run(['user', 'signout', 'sessionful', '--sid', 'sid-one', '--json'])).json<Record<string, unknown>>();
    assert.deepEqual([one.sessions_ended, one.logout_deliveries_queued], [1, 1]);
    const rest = (await cli.run(['user', 'signout', 'sessionful', '--json'])).json<Record<string, unknown>>();
    assert.deepEqual([rest.sessions_ended, rest.logout_deliveries_queued], [1, 1]);
    assert.match((await cli.run(['user', 'sessions', 'sessionful'])).stdout, /has no active session/);
    const pending = (await cli.run(['logout-deliveries', '--status', 'pending', '--json'])).json<Array<Record<string, unknown>>>();
    assert.deepEqual(pending.map((d) => [d.sid, d.uri, d.attempts]).sort(), [['sid-one', 'https://rp.example/bc', 0], ['sid-two', 'https://rp.example/bc', 0]]);
    assert.deepEqual((await cli.run(['logout-deliveries', '--status', 'failed', '--json'])).json(), []);
    assertOneLineError(await cli.run(['logout-deliveries', '--status', 'lost']), /--status must be one of/, 2);
    assert.equal((await cli.run(['user', 'remove', 'sessionful'])).code, 0);
  });

  test('user add refuses missing --password-stdin, short passwords, duplicates and bad emails', async () => {
    assertOneLineError(await cli.run(['user', 'add', '--username', 'bob']), /--password-stdin is required/, 2);
    assertOneLineError(await cli.run(['user', 'add', '--username', 'bob', '--password-stdin'], { stdin: 'short' }), /at least 8 characters/);
    assertOneLineError(await cli.run(['user', 'add', '--username', 'alice', '--password-stdin'], { stdin: 'another password' }), /already exists/);
    assertOneLineError(await cli.run(['user', 'add', '--username', 'bob', '--email', 'nope', '--password-stdin'], { stdin: 'long enough pw' }), /not an email/);
    assert.equal((await cli.run(['user', 'list', '--json'])).json<unknown[]>().length, 1);
  });

  test('user add takes --email-verified, --phone, --phone-verified and --address; client add takes --userinfo-only-claims', async () => {
    const run = await cli.run(['user', 'add', '--username', 'erin', '--email', 'erin@example.com', '--email-verified', '--phone', '+1 555 0100',
      '--phone-verified', '--address', '2 Low Road\\nLeeds', '--password-stdin', '--json'], { stdin: 'correct horse battery\n' });
    assert.equal(run.code, 0, run.stderr);
    const shown = run.json<Record<string, unknown>>();
    assert.deepEqual([shown.email_verified, shown.phone_number, shown.phone_number_verified, shown.address], [true, '+1 555 0100', true, '2 Low Road\nLeeds']);
    assertOneLineError(await cli.run(['user', 'add', '--username', 'frank', '--phone', 'call me', '--password-stdin'], { stdin: 'long enough pw' }), /not a phone number/);
    assert.equal((await cli.run(['user', 'remove', 'erin'])).code, 0);
    const client = await cli.run(['client', 'add', '--name', 'Small tokens', '--redirect-uri', 'https://small.example/cb', '--userinfo-only-claims', '--json']);
    assert.equal(client.code, 0, client.stderr);
    assert.equal(client.json<Record<string, unknown>>().id_token_claims, 'userinfo-only');
    const plain = await cli.run(['client', 'add', '--name', 'Plain', '--redirect-uri', 'https://plain.example/cb', '--json']);
    assert.equal(plain.json<Record<string, unknown>>().id_token_claims, 'scoped');
    for (const c of [client, plain]) assert.equal((await cli.run(['client', 'remove', c.json<{ client_id: string }>().client_id])).code, 0);
  });

  test('client add --auth private_key_jwt --jwks FILE | --jwks-uri URL, --require-par, --require-dpop: no secret is printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-jwks-'));
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1' }] }));
    const inline = await cli.run(['client', 'add', '--name', 'Bank', '--redirect-uri', 'https://bank.example/cb', '--auth', 'private_key_jwt', '--jwks', file, '--require-par', '--require-dpop', '--json']);
    assert.equal(inline.code, 0, inline.stderr);
    const shown = inline.json<Record<string, unknown>>();
    assert.deepEqual([shown.token_endpoint_auth_method, shown.jwks, shown.client_secret, shown.require_pushed_authorization_requests, shown.dpop_bound_access_tokens],
      ['private_key_jwt', '1 key(s)', undefined, true, true]);
    const byUri = await cli.run(['client', 'add', '--name', 'Bank 2', '--redirect-uri', 'https://bank.example/cb', '--auth', 'private_key_jwt', '--jwks-uri', 'https://bank.example/jwks', '--json']);
    assert.equal(byUri.json<Record<string, unknown>>().jwks_uri, 'https://bank.example/jwks');
    assertOneLineError(await cli.run(['client', 'add', '--name', 'X', '--redirect-uri', 'https://x.example/cb', '--auth', 'private_key_jwt', '--jwks', join(dir, 'missing.json')]), /cannot read the JWKS file/);
    assertOneLineError(await cli.run(['client', 'rotate-secret', shown.client_id as string]), /private_key_jwt and has no secret/);
    for (const c of [inline, byUri]) assert.equal((await cli.run(['client', 'remove', c.json<{ client_id: string }>().client_id])).code, 0);
  });

  test('user factors shows how a user signs in; reset-factors removes passkeys and the authenticator app, audited', async () => {
    const store = openStore(cli.databaseUrl);
    try {
      const user = (await store.findUserByUsername('alice'))!;
      await store.createPasskey({ id: 'cred-1', userId: user.id, name: 'Phone', publicKey: 'pk', counter: 0, transports: [], deviceType: 'multiDevice', backedUp: true, createdAt: 1_900_000_000, lastUsedAt: null });
      await store.createTotpFactor({ userId: user.id, secretSealed: 'v1.sealed', confirmedAt: 1_900_000_000, lastStep: 1, createdAt: 1_900_000_000 });
      await store.replaceRecoveryCodes(user.id, ['h1', 'h2'], 1_900_000_000);
      const factors = await cli.run(['user', 'factors', 'alice', '--json']);
      assert.equal(factors.code, 0, factors.stderr);
      assert.deepEqual(factors.json(), {
        username: 'alice', password: true, passkeys: [{ name: 'Phone', created_at: '2030-03-17T17:46:40.000Z', last_used_at: null, synced: true }], totp: true, recovery_codes_left: 2,
      });
      assert.match((await cli.run(['user', 'factors', 'alice'])).stdout, /passkeys\s+Phone \(added .*never used\)/);
      const totpOnly = await cli.run(['user', 'reset-factors', 'alice', '--totp', '--json']);
      assert.deepEqual(totpOnly.json(), { username: 'alice', passkeys_removed: 0, totp_removed: true });
      assert.equal(await store.getTotpFactor(user.id), undefined);
      assert.equal(await store.countRecoveryCodes(user.id), 0);
      assert.equal((await store.listPasskeys(user.id)).length, 1);
      const all = await cli.run(['user', 'reset-factors', 'alice', '--json']);
      assert.deepEqual(all.json(), { username: 'alice', passkeys_removed: 1, totp_removed: false });
      const events = await store.db.selectFrom('audit_events').select(['type', 'detail']).where('user_id', '=', user.id).where('type', 'in', ['factors.reset', 'totp.removed']).execute();
      assert.deepEqual(events.map((e) => e.type).sort(), ['factors.reset', 'factors.reset', 'totp.removed']);
      assertOneLineError(await cli.run(['user', 'factors', 'nobody']), /no user named nobody/);
      const strict = await cli.run(['client', 'add', '--name', 'Payroll', '--redirect-uri', 'https://payroll.example/cb', '--require-mfa', '--json']);
      assert.equal(strict.json<Record<string, unknown>>().require_mfa, true);
      assert.equal((await cli.run(['client', 'remove', strict.json<{ client_id: string }>().client_id])).code, 0);
    } finally {
      await store.close();
    }
  });

  test('user set-password and remove', async () => {
    assert.equal((await cli.run(['user', 'set-password', 'alice', '--password-stdin'], { stdin: 'a brand new password' })).code, 0);
    assertOneLineError(await cli.run(['user', 'set-password', 'nobody', '--password-stdin'], { stdin: 'a brand new password' }), /no user named nobody/);
    assert.equal((await cli.run(['user', 'remove', 'alice'])).code, 0);
    assertOneLineError(await cli.run(['user', 'remove', 'alice']), /no user named alice/);
  });

  test('keys rotate needs the secret, creates a key per algorithm then stages successors; keys list shows states; keys revoke', async () => {
    assertOneLineError(await cli.run(['keys', 'rotate']), /LATCHKEY_SECRET is required/);
    for (const alg of ['ES256', 'ES256', 'EdDSA']) {
      const run = await cli.run(['keys', 'rotate', '--alg', alg, '--json'], { env: SECRET_ENV });
      assert.equal(run.code, 0, run.stderr);
    }
    type Listed = { kid: string; alg: string; state: string; signs_from: string; signs_until: string | null; published_until: string | null };
    const keys = (await cli.run(['keys', 'list', '--json'])).json<Listed[]>();
    // The second ES256 rotation stages a successor: published now, signing after the default lead time of an hour.
    assert.deepEqual(keys.map((k) => `${k.alg}:${k.state}`).sort(), ['ES256:active', 'ES256:published', 'EdDSA:active']);
    const waiting = keys.find((k) => k.state === 'published')!;
    const active = keys.find((k) => k.alg === 'ES256' && k.state === 'active')!;
    assert.equal(Date.parse(waiting.signs_from) - Date.parse(active.signs_from) >= 3600_000 - 5000, true);
    assert.equal(active.signs_until, waiting.signs_from, 'the active key hands over when its successor activates');
    assert.ok(active.published_until, 'and stays published after that');
    const human = await cli.run(['keys', 'list']);
    assert.match(human.stdout, new RegExp(`${waiting.kid}  ES256  published  published \\S+  signs from ${waiting.signs_from}`));

    const revoked = await cli.run(['keys', 'revoke', active.kid, '--json'], { env: SECRET_ENV });
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.deepEqual(revoked.json(), { revoked: active.kid, alg: 'ES256', signing_kid: waiting.kid });
    const after = (await cli.run(['keys', 'list', '--json'])).json<Listed[]>();
    assert.deepEqual(after.filter((k) => k.alg === 'ES256').map((k) => `${k.kid}:${k.state}`), [`${waiting.kid}:active`], 'the waiting key signs at once');
    assertOneLineError(await cli.run(['keys', 'revoke', 'no-such-kid'], { env: SECRET_ENV }), /no signing key with kid no-such-kid/);
    assertOneLineError(await cli.run(['keys', 'revoke'], { env: SECRET_ENV }), /needs the kid|wrong number/, 2);
    assertOneLineError(await cli.run(['keys', 'rotate', '--alg', 'HS256'], { env: SECRET_ENV }), /--alg must be one of/, 2);
  });

  test('an unsupported database URL is one line', async () => {
    assertOneLineError(await cli.run(['client', 'list', '--database', 'mysql://x']), /unsupported database URL/);
    const migrate = await cli.run(['migrate', '--json']);
    assert.deepEqual(migrate.json(), { applied: [] });
  });
});

function readWal(dir: string): string {
  try {
    return readFileSync(join(dir, 'latchkey.db-wal')).toString('latin1');
  } catch {
    return '';
  }
}
