// The demo's story with a passkey (issue #16): the demo user adds a passkey on the server's account page, signs out,
// and connects the Contacts Importer with the passkey alone (passkey autofill on the login page: chromium's virtual
// authenticator answers the conditional request as a user picking the passkey would). Screenshots under test-output/demo/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inDemoBrowser, shot } from './support/demo-browser.ts';

test('the demo story with a passkey: add it on the account page, then connect the importer without a password', { timeout: 90_000 }, async (t) => {
  await inDemoBrowser(t, 'the passkey walk-through', {}, async (demo, page, context) => {
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    const { username, password } = demo.state.user;

    await page.goto(`${demo.issuer}/account`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Name for a new passkey').fill('Demo laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Your passkey was added.').waitFor();
    await shot(page, '10-passkey-added');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    await page.goto(`${demo.importerUrl}/`);
    await page.getByRole('link', { name: 'Connect your contacts' }).click();
    // The server's login page: its conditional passkey request signs the user in without a password.
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    assert.equal(new URL(page.url()).origin, demo.issuer);
    await shot(page, '11-consent-after-passkey');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${demo.importerUrl}/`);
    await page.getByRole('heading', { name: 'Your contacts' }).waitFor();
    assert.match(await page.locator('table').innerText(), /Ada Lovelace/);
    await shot(page, '12-contacts-after-passkey');
  });
});
