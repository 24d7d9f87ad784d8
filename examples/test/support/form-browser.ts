// A browser over fetch for the authorization server's own pages: keeps cookies, follows redirects one at a time,
// and fills the login and consent forms (their action and CSRF token read from the page). Enough to drive the
// server-rendered flow in tests without a real browser.
export interface FormBrowserVisit {
  /** The login and consent pages seen, as HTML. */
  pages: string[];
  /** The last URL reached (the client's redirect URI with the authorization response). */
  finalUrl: string;
}

const attribute = (html: string, pattern: RegExp): string => {
  const value = pattern.exec(html)?.[1];
  if (value === undefined) throw new Error(`not found in the page: ${pattern}\n${html.slice(0, 800)}`);
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
};

export class FormBrowser {
  readonly #cookies = new Map<string, string>();

  async #request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.#cookies].map(([n, v]) => `${n}=${v}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.#cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    return response;
  }

  /** Opens `url` and answers every page: the login form with the credentials, the consent form with Allow. */
  async authorize(url: string, credentials: { username: string; password: string }): Promise<FormBrowserVisit> {
    const pages: string[] = [];
    let response = await this.#request(url);
    let current = url;
    for (let step = 0; step < 10; step++) {
      if (response.status === 303 || response.status === 302) {
        current = new URL(response.headers.get('location')!, current).href;
        response = await this.#request(current);
        continue;
      }
      const html = await response.text();
      if (response.status !== 200 || !html.includes('<form method="post"')) return { pages, finalUrl: current };
      pages.push(html);
      const action = attribute(html, /<form method="post" action="([^"]+)"/);
      const csrf = attribute(html, /name="csrf" value="([^"]+)"/);
      const fields: Record<string, string> = action.endsWith('/login') ? { csrf, ...credentials } : { csrf, decision: 'allow' };
      response = await this.#request(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
      current = action;
    }
    throw new Error('the authorization did not finish');
  }
}
