// Headers on every answer the kit renders itself (redirects, the sign-in landing page, error pages): no caching
// (RFC 9111 §5.2.2.5) and no Referer, so a URL holding a code or state never leaks onward (RFC 9700 §4.2.4).

export const KIT_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/** For pages the kit renders: no script, style, frame or form anywhere (the landing page needs none). */
export const KIT_PAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function kitHeaders(extra: Record<string, string> = {}): Headers {
  return new Headers({ ...KIT_RESPONSE_HEADERS, ...extra });
}
