// The README's example app runs as written: login through the provider, the page, the proxy, logout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEncryptionKey } from '../src/index.ts';
import { createBrowser } from './support/cookie-jar-fetch.ts';
import { authorizeAtProvider, landingTarget, startRecordingUpstream } from './support/test-harness.ts';
import { listenOnLoopback, startTestProvider } from './support/test-provider.ts';

test('the README example is a working login-protected app', { timeout: 30_000 }, async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const source = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  assert.ok(source.split('\n').length <= 40, 'under 40 lines');
  // Reserve a port for the app, then free it for the child process.
  const reserved = await listenOnLoopback();
  const appUrl = reserved.origin;
  await reserved.close();
  const provider = await startTestProvider({ redirectUri: `${appUrl}/auth/callback`, postLogoutRedirectUri: `${appUrl}/` });
  const upstream = await startRecordingUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-readme-'));
  const file = join(dir, 'app.ts');
  writeFileSync(file, source
    .replace("'@latchkey/client'", JSON.stringify(new URL('../src/index.ts', import.meta.url).href))
    .replace("'@latchkey/client/fastify'", JSON.stringify(new URL('../src/fastify.ts', import.meta.url).href))
    .replace("'fastify'", JSON.stringify(import.meta.resolve('fastify'))));
  const child = spawn(process.execPath, [file], {
    env: {
      ...process.env, APP_URL: appUrl, OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret, LATCHKEY_KEY: generateEncryptionKey(), ORDERS_API_URL: `${upstream.origin}/v1`,
      SESSION_DB: join(dir, 'sessions.db'),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const browser = createBrowser();
    let first: Response | undefined;
    for (let i = 0; i < 100 && !first; i++) {
      first = await browser.request(`${appUrl}/`, { headers: { accept: 'text/html' } }).catch(() => undefined);
      if (!first) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(first?.status, 302);
    const login = await browser.request(new URL(first!.headers.get('location')!, appUrl));
    const callback = await browser.request(await authorizeAtProvider(browser, new URL(login.headers.get('location')!), appUrl, 'dana'));
    assert.equal(await landingTarget(callback), `${appUrl}/`);
    const page = await browser.request(`${appUrl}/`, { headers: { accept: 'text/html' } });
    assert.match(await page.text(), /<h1>Hello User dana<\/h1>/);
    const order = await browser.request(`${appUrl}/api/orders/orders`, { method: 'POST', headers: { origin: appUrl, 'x-latchkey-csrf': '1' } });
    assert.equal(order.status, 200);
    assert.equal(upstream.calls.at(-1)?.url, '/v1/orders');
    assert.match(upstream.calls.at(-1)?.authorization ?? '', /^Bearer /);
    const logout = await browser.request(`${appUrl}/logout`, { method: 'POST', headers: { origin: appUrl } });
    assert.equal(logout.status, 303);
    assert.equal(provider.counts.revocations, 1);
  } finally {
    child.kill();
    await upstream.close();
    await provider.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
