// A minimal user agent over fetch for end-to-end flows against a listening server: keeps cookies per name,
// follows the server's redirects by hand, fills the login and consent forms, and stops at the client's callback.
import { csrfFrom, formActionFrom } from './authorization-flow.ts';

export class FetchBrowser {
  readonly cookies = new Map<string, string>();
  readonly pages: string[] = [];

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'), headers, redirect: 'manual',
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    return response;
  }

  /**
   * Opens an authorization URL and goes through login/consent until the server redirects to `callbackPrefix`;
   * returns that callback URL (the client's job starts there).
   */
  async authorize(url: string, callbackPrefix: string, credentials: { username: string; password: string; decision?: 'allow' | 'deny' }): Promise<string> {
    let response = await this.request(url);
    for (let step = 0; step < 8; step++) {
      const location = response.headers.get('location');
      if (location?.startsWith(callbackPrefix)) return location;
      if (location) {
        response = await this.request(new URL(location, url).toString());
        continue;
      }
      const html = await response.text();
      if (response.status !== 200) throw new Error(`unexpected ${response.status}: ${html.slice(0, 300)}`);
      const action = formActionFrom(html);
      if (action.endsWith('/login')) {
        this.pages.push('login');
        response = await this.request(action, { form: { csrf: csrfFrom(html), username: credentials.username, password: credentials.password } });
      } else {
        this.pages.push('consent');
        response = await this.request(action, { form: { csrf: csrfFrom(html), decision: credentials.decision ?? 'allow' } });
      }
    }
    throw new Error('the authorization did not reach the callback');
  }
}
