// The `latchkey` CLI contract: JSON output, one-line errors with non-zero exits, nothing half-written.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
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
      ['user', 'list'], ['user', 'remove'], ['user', 'set-password'], ['keys'], ['keys', 'list'], ['keys', 'rotate'], ['keys', 'revoke'],
      ['audit'], ['audit', 'server'], ['audit', 'app'],
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
    assert.match(user!.passwordHash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    const list = await cli.run(['user', 'list', '--json']);
    assert.ok(!list.stdout.includes('argon2'));
    assert.deepEqual(list.json<{ username: string }[]>().map((u) => u.username), ['alice']);
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
