// `npm run demo:device` end to end: the device CLI example (examples/device-cli) against the real server and Contacts
// API, with the approval in headless Chromium on the server's pages: the CLI prints the URI and the code, polls, and
// calls the API as the user who approved. A denial ends the CLI with a clear line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DemoError } from '../demo/demo-settings.ts';
import { runDeviceLogin } from '../device-cli/run-device-login.ts';
import { inDemoBrowser } from './support/demo-browser.ts';

test('the device CLI signs in with a browser approval and calls the Contacts API; a denial is one clear error', { timeout: 90_000 }, async (t) => {
  await inDemoBrowser(t, 'the device walk-through', { deviceCodeInterval: 1 }, async (demo, page) => {
    const { username, password } = demo.state.user;
    const approveInBrowser = async (url: string, expectedCode: string, button: 'Allow' | 'Deny') => {
      await page.goto(url);
      if (await page.getByLabel('Password').count() > 0) {
        await page.getByLabel('Username').fill(username);
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Sign in' }).click();
      }
      await page.getByLabel('Code').waitFor();
      assert.equal(await page.getByLabel('Code').inputValue(), expectedCode, 'verification_uri_complete pre-fills the code; nothing is approved yet');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: button }).waitFor();
      assert.match(await page.locator('main').innerText(), new RegExp(`Contacts CLI[\\s\\S]*${expectedCode}`));
      await page.getByRole('button', { name: button }).click();
      await page.getByRole('heading', { name: button === 'Allow' ? 'Device connected' : 'Access denied' }).waitFor();
    };

    await t.test('approved in the browser: the CLI gets a token of the demo user and lists their contacts', async () => {
      const lines: string[] = [];
      let approval: Promise<void> | undefined;
      const result = await runDeviceLogin(demo.state, (line) => lines.push(line), {
        onCode: (code) => { approval = approveInBrowser(code.verificationUriComplete, code.userCode, 'Allow'); },
      });
      await approval;
      assert.match(result.userCode, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      assert.equal(result.tokenScope, 'openid profile contacts:read');
      assert.equal(result.contacts.owner.subject, demo.state.user.id);
      const output = lines.join('\n');
      assert.ok(output.includes(`open ${demo.issuer}/device in a browser and enter the code  ${result.userCode}`), output);
      assert.doesNotMatch(output, /eyJ[\w-]{8,}\./, 'no token is printed');
      assert.ok(demo.lines.some((line) => /Contacts CLI/.test(line) && /GET \/contacts/.test(line)), demo.lines.join('\n'));
    });

    await t.test('denied in the browser: the CLI stops with access_denied explained', async () => {
      let approval: Promise<void> | undefined;
      await assert.rejects(runDeviceLogin(demo.state, () => {}, {
        onCode: (code) => { approval = approveInBrowser(code.verificationUriComplete, code.userCode, 'Deny'); },
      }), (error: unknown) => error instanceof DemoError && /you denied the sign-in/.test(error.message));
      await approval;
    });
  });
});
