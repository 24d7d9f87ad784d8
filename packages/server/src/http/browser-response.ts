// What the browser-facing endpoints (authorize, login, consent) answer: a 303 redirect or an HTML page,
// plus cookies. The route turns it into an HTTP response; pages are never cached or framed.
import type { FastifyReply } from 'fastify';
import type { FormParams } from './form-params.ts';
import type { RenderedPage } from './views/layout.ts';

export interface BrowserRequest {
  params: FormParams;
  cookies: Map<string, string>;
  /** The client IP (behind a proxy only when trustProxy is set), for login throttling. */
  ip: string;
  requestId: string;
}

export type BrowserResponse =
  | { kind: 'redirect'; location: string; cookies: string[] }
  | { kind: 'page'; status: number; page: RenderedPage; cookies: string[]; headers?: Record<string, string> };

export function sendPage(reply: FastifyReply, status: number, page: RenderedPage): FastifyReply {
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
  return sendPage(reply, response.status, response.page);
}
