// Test helpers for the device authorization grant (RFC 8628) over app.inject: request a device code, poll the token
// endpoint, and walk the verification pages (sign-in, code, consent) as the user would.
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { csrfFrom, formActionFrom, InjectBrowser, location } from './authorization-flow.ts';
import { FORM_HEADERS } from './test-server.ts';
import type { DeviceAuthorizationResponse as DeviceAuthorization } from '../../src/endpoints/device-authorization.ts';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface DeviceClient {
  id: string;
  secret?: string | undefined;
}

function clientFields(client: DeviceClient, fields: Record<string, string>): { headers: Record<string, string>; payload: string } {
  const headers: Record<string, string> = { ...FORM_HEADERS };
  const body = { ...fields };
  if (client.secret !== undefined) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
  else body.client_id = client.id;
  return { headers, payload: new URLSearchParams(body).toString() };
}

export function deviceAuthorizationRequest(app: FastifyInstance, client: DeviceClient, fields: Record<string, string>, remoteAddress = '127.0.0.1'): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/device/authorize', remoteAddress, ...clientFields(client, fields) });
}

export async function startDeviceAuthorization(app: FastifyInstance, client: DeviceClient, scope: string): Promise<DeviceAuthorization> {
  const response = await deviceAuthorizationRequest(app, client, { scope });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

export function pollToken(app: FastifyInstance, client: DeviceClient, deviceCode: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/token', ...clientFields(client, { grant_type: DEVICE_GRANT, device_code: deviceCode }) });
}

/** Signs in on the device page (if the browser is not signed in yet) and returns the page that follows. */
export async function openDevicePage(browser: InjectBrowser, url: string, user: { username: string; password: string }): Promise<LightMyRequestResponse> {
  let page = await browser.get(url);
  if (formActionFrom(page.body).includes('/device/login')) {
    const login = await browser.post(formActionFrom(page.body), { csrf: csrfFrom(page.body), username: user.username, password: user.password });
    page = await browser.get(location(login));
  }
  return page;
}

/** Types `userCode` on the code page and returns the answer (the consent page, or the code page with an error). */
export async function enterUserCode(browser: InjectBrowser, codePage: LightMyRequestResponse, userCode: string): Promise<LightMyRequestResponse> {
  return browser.post(formActionFrom(codePage.body), { csrf: csrfFrom(codePage.body), user_code: userCode });
}

/** The user code the consent form carries. */
export function hiddenUserCode(html: string): string {
  const match = /name="user_code" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no user_code in the form');
  return match[1];
}

/** The whole walk: sign in, enter the code, and click Allow or Deny on the consent page; returns the last page. */
export async function decideOnDevicePage(browser: InjectBrowser, userCode: string, user: { username: string; password: string },
  decision: 'allow' | 'deny' = 'allow'): Promise<LightMyRequestResponse> {
  const codePage = await openDevicePage(browser, '/device', user);
  const consent = await enterUserCode(browser, codePage, userCode);
  assert.equal(consent.statusCode, 200, consent.body);
  assert.ok(formActionFrom(consent.body).endsWith('/device/decision'), consent.body);
  return browser.post(formActionFrom(consent.body), { csrf: csrfFrom(consent.body), user_code: hiddenUserCode(consent.body), decision });
}
