// The dev bootstrap is idempotent, replaces only what the demo itself created, and explains conflicts in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, registerApi, type Store } from '@latchkey/server/internal';
import { bootstrapDemo } from '../demo/bootstrap.ts';
import { DemoError, demoSettings, issuerProblem } from '../demo/demo-settings.ts';

const now = () => Math.floor(Date.now() / 1000);

async function withStore(run: (store: Store, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bootstrap-'));
  const store = openStore(`sqlite:${join(dir, 'latchkey.db')}`);
  await store.migrate();
  try {
    await run(store, dir);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const settingsFor = (dir: string, ports: { api?: number; importer?: number } = {}) => demoSettings({
  issuer: 'http://localhost:4000', serverPort: 4000, databaseUrl: `sqlite:${join(dir, 'latchkey.db')}`,
  env: { LATCHKEY_DEMO_API_PORT: String(ports.api ?? 4001), LATCHKEY_DEMO_IMPORTER_PORT: String(ports.importer ?? 4002) },
});

test('first start creates the API, four clients and the user; the second start changes nothing', async () => {
  await withStore(async (store, dir) => {
    const settings = settingsFor(dir);
    const first = await bootstrapDemo(store, now(), settings);
    assert.deepEqual(first.created, ['API http://localhost:4001', 'client "Contacts Importer"', 'client "Nightly contacts sync"', 'client "Contacts API (token introspection)"', 'client "Contacts CLI"', 'user "demo"']);
    assert.equal(statSync(settings.stateFile).mode & 0o777, 0o600);
    const importer = await store.getClient(first.state.importer.clientId);
    assert.deepEqual(importer?.redirectUris, ['http://localhost:4002/callback']);
    assert.deepEqual(importer?.postLogoutRedirectUris, ['http://localhost:4002/?notice=disconnected'], 'Disconnect comes back after the server signed out');
    assert.equal(importer?.backchannelLogoutUri, 'http://localhost:4002/backchannel-logout', 'signing out at the server ends the importer session');
    assert.deepEqual([...importer!.scopes].sort(), ['contacts:read', 'contacts:write', 'email', 'openid', 'profile']);
    assert.deepEqual((await store.getClient(first.state.sync.clientId))?.grantTypes, ['client_credentials']);
    const deviceCli = await store.getClient(first.state.deviceCli.clientId);
    assert.equal(deviceCli?.isPublic, true);
    assert.deepEqual(deviceCli?.grantTypes, ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token']);
    assert.equal((await store.listApis()).find((api) => api.identifier === 'http://localhost:4001')?.scopes.map((s) => s.description).join('; '), 'read your contacts; add contacts');
    assert.deepEqual((await store.listApis())[0]?.introspectors, [first.state.apiIntrospection.clientId], 'the API\'s own client may introspect its tokens');

    const second = await bootstrapDemo(store, now(), settings);
    assert.deepEqual(second.created, []);
    assert.deepEqual(second.state, first.state);
    assert.equal((await store.listClients()).length, 4);
  });
});

test('another importer or API port replaces the demo\'s own client and API, and nothing else', async () => {
  await withStore(async (store, dir) => {
    const first = await bootstrapDemo(store, now(), settingsFor(dir));
    const moved = await bootstrapDemo(store, now(), settingsFor(dir, { api: 5001, importer: 5002 }));
    assert.deepEqual(moved.created, ['API http://localhost:5001', 'client "Contacts Importer"']);
    assert.notEqual(moved.state.importer.clientId, first.state.importer.clientId);
    assert.equal(await store.getClient(first.state.importer.clientId), undefined);
    assert.deepEqual((await store.getClient(moved.state.importer.clientId))?.redirectUris, ['http://localhost:5002/callback']);
    assert.deepEqual((await store.listApis()).map((api) => api.identifier), ['http://localhost:5001']);
    assert.deepEqual((await store.listApis())[0]?.introspectors, [moved.state.apiIntrospection.clientId], 'the replaced API keeps its introspector');
    assert.equal(moved.state.sync.clientId, first.state.sync.clientId);
    assert.equal(moved.state.importer.encryptionKey, first.state.importer.encryptionKey);
  });
});

test('a lost secrets file gives the same clients new secrets and the user a new password, without duplicates', async () => {
  await withStore(async (store, dir) => {
    const settings = settingsFor(dir);
    const first = await bootstrapDemo(store, now(), settings);
    unlinkSync(settings.stateFile);
    const again = await bootstrapDemo(store, now(), settings);
    assert.equal(again.state.importer.clientId, first.state.importer.clientId);
    assert.notEqual(again.state.importer.clientSecret, first.state.importer.clientSecret);
    assert.notEqual(again.state.user.password, first.state.user.password);
    assert.equal((await store.listClients()).length, 4);
    assert.ok(again.created.includes('new password for user "demo"'), again.created.join(', '));
  });
});

test('an API the demo did not create that owns contacts:read is left alone, with a one-line explanation', async () => {
  await withStore(async (store, dir) => {
    await registerApi(store, { identifier: 'https://contacts.example', scopes: ['contacts:read=read your contacts'] }, now());
    await assert.rejects(bootstrapDemo(store, now(), settingsFor(dir)), (error: unknown) => {
      assert.ok(error instanceof DemoError);
      assert.match(error.message, /^scope contacts:read already belongs to the API https:\/\/contacts\.example, which the demo did not create: remove it \(latchkey api remove https:\/\/contacts\.example\)/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
    assert.deepEqual((await store.listApis()).map((api) => api.identifier), ['https://contacts.example']);
  });
});

test('settings: ports must differ and be valid; the issuer must be http://localhost', () => {
  const base = { issuer: 'http://localhost:4000', serverPort: 4000, databaseUrl: 'sqlite::memory:' };
  assert.throws(() => demoSettings({ ...base, env: { LATCHKEY_DEMO_API_PORT: '4000' } }), /port 4000 is the server's own port: set LATCHKEY_DEMO_API_PORT/);
  assert.throws(() => demoSettings({ ...base, env: { LATCHKEY_DEMO_API_PORT: '4002' } }), /cannot share port 4002/);
  assert.throws(() => demoSettings({ ...base, env: { LATCHKEY_DEMO_IMPORTER_PORT: 'http' } }), /LATCHKEY_DEMO_IMPORTER_PORT must be a port number/);
  assert.equal(issuerProblem('http://localhost:4000'), undefined);
  assert.match(issuerProblem('http://127.0.0.1:4000') ?? '', /--host localhost/);
  assert.match(issuerProblem('https://auth.example') ?? '', /needs the issuer there too/);
});
