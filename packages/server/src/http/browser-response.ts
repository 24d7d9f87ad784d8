// The browser-facing endpoints' exchange (endpoints/browser-exchange.ts) on Fastify: the BrowserRequest they take, and
// sending what they answer, a 303 redirect or a page model rendered by its view, plus cookies. Pages are never cached;
// each carries its own Content-Security-Policy.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseCookies } from '../browser/cookies.ts';
import type { BrowserRequest, BrowserResponse } from '../endpoints/browser-exchange.ts';
import { FormParams } from '../oauth/form-params.ts';
import type { PageModel } from '../endpoints/page-models.ts';
import { accountPage } from './views/account-page.ts';
import { consentPage } from './views/consent-page.ts';
import { deviceCodePage } from './views/device-code-page.ts';
import { deviceDonePage } from './views/device-done-page.ts';
import { errorPage } from './views/error-page.ts';
import { formPostPage } from './views/form-post-page.ts';
import { DEFAULT_BRANDING, layoutPage, type Branding, type RenderedPage } from './views/layout.ts';
import { loginPage } from './views/login-page.ts';
import { logoutConfirmPage, signedOutPage } from './views/logout-pages.ts';
import { secondFactorPage } from './views/second-factor-page.ts';

/** What a browser-facing endpoint reads of a request: `params` (the form body, or none), cookies, address, User-Agent, id. */
export function browserRequest(request: FastifyRequest, params?: FormParams): BrowserRequest {
  const form = params ?? (request.body instanceof FormParams ? request.body : FormParams.parse(''));
  return { params: form, cookies: parseCookies(request.headers.cookie), ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id };
}

function renderPageModel(model: PageModel): RenderedPage {
  switch (model.view) {
    case 'login': return loginPage(model);
    case 'second-factor': return secondFactorPage(model);
    case 'consent': return consentPage(model);
    case 'account': return accountPage(model);
    case 'error': return errorPage(model);
    case 'form-post': return formPostPage(model);
    case 'device-code': return deviceCodePage(model);
    case 'device-done': return deviceDonePage(model);
    case 'logout-confirm': return logoutConfirmPage(model);
    case 'signed-out': return signedOutPage(model);
  }
}

/** The operator's branding from the server's configuration (the defaults before the server is decorated). */
function brandingOf(reply: FastifyReply): Branding {
  const config = (reply.server as { latchkeyServer?: { config: Branding } }).latchkeyServer?.config;
  return config ? { productName: config.productName, logoUrl: config.logoUrl, brandColor: config.brandColor } : DEFAULT_BRANDING;
}

export function sendPage(reply: FastifyReply, status: number, content: RenderedPage): FastifyReply {
  const page = layoutPage(content, brandingOf(reply));
  return reply.code(status).header('cache-control', 'no-store').header('pragma', 'no-cache')
    .header('content-security-policy', page.csp).type('text/html; charset=utf-8').send(page.html);
}

/** RFC 9110 §15.4.4: 303 See Other, so a POST is never repeated at the target (RFC 9700 §4.12). */
export function sendBrowserResponse(reply: FastifyReply, response: BrowserResponse): FastifyReply {
  if (response.cookies.length > 0) reply.header('set-cookie', response.cookies);
  if (response.kind === 'redirect') {
    return reply.code(303).header('cache-control', 'no-store').header('location', response.location).send();
  }
  for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
  return sendPage(reply, response.status, renderPageModel(response.page));
}
