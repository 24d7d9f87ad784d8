// A tiny browser stand-in for tests: fetch with a per-host cookie jar (RFC 6265 §5.3, simplified) and manual redirects.

export interface BrowserLike {
  /** One request, no redirect following. Cookies are sent and stored. */
  request(url: string | URL, init?: RequestInit): Promise<Response>;
  /** Follows redirects (GET) until a non-redirect or a URL for which `stop` returns true. Returns the last response and its URL. */
  follow(url: string | URL, options?: { stop?: (url: URL) => boolean; init?: RequestInit; maxHops?: number }): Promise<{ response: Response; url: URL }>;
  cookies(host: string): Map<string, string>;
  setCookie(host: string, name: string, value: string): void;
}

export function createBrowser(): BrowserLike {
  const jar = new Map<string, Map<string, string>>();
  const jarFor = (host: string) => {
    let cookies = jar.get(host);
    if (!cookies) jar.set(host, (cookies = new Map()));
    return cookies;
  };
  const request = async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    const cookies = jarFor(url.hostname);
    if (cookies.size > 0 && !headers.has('cookie')) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  };
  return {
    request,
    async follow(start, options = {}) {
      let url = new URL(start);
      let response = await request(url, options.init);
      for (let hop = 0; hop < (options.maxHops ?? 15); hop++) {
        const location = response.headers.get('location');
        if (response.status < 300 || response.status >= 400 || !location) break;
        await response.body?.cancel();
        url = new URL(location, url);
        if (options.stop?.(url)) return { response, url };
        response = await request(url);
      }
      return { response, url };
    },
    cookies: (host) => jarFor(host),
    setCookie: (host, name, value) => jarFor(host).set(name, value),
  };
}
