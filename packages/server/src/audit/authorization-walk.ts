// Walks an authorization request (RFC 6749 §4.1.1) the way a browser would: follows the server's own redirects,
// signs in on a login form (OpenID Connect Core §3.1.2.3) and approves a consent form when credentials are given,
// and stops at the first redirect that leaves the server: that is the authorization response (§4.1.2).
import type { Exchange } from './audit-report.ts';
import { findApproveForm, findLoginForm, formFields, readForms } from './html-forms.ts';
import type { CookieJar, ProbeClient } from './probe-client.ts';

export interface Credentials {
  username: string;
  password: string;
}

export type AuthorizationOutcome =
  /** The server sent the browser away: `params` merges the query and the fragment. */
  | { kind: 'redirect'; location: string; params: URLSearchParams; fragment: boolean }
  /** A login page, and no credentials to type into it. */
  | { kind: 'login-page'; url: string }
  /** The credentials were refused (the login page came back). */
  | { kind: 'login-failed'; url: string }
  /** An error page (4xx/5xx) or a page the walk cannot read. */
  | { kind: 'page'; status: number; url: string; readable: boolean };

export interface WalkOptions {
  jar: CookieJar;
  /** Origins that belong to the server (redirects there are followed). */
  serverOrigins: ReadonlySet<string>;
  credentials?: Credentials | undefined;
  evidence: Exchange[];
}

function responseParams(location: string): { params: URLSearchParams; fragment: boolean } {
  const url = new URL(location);
  const params = new URLSearchParams(url.search);
  const fragment = url.hash.length > 1;
  if (fragment) for (const [k, v] of new URLSearchParams(url.hash.slice(1))) params.append(k, v);
  return { params, fragment };
}

const originOf = (url: string): string => {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
};

export async function walkAuthorization(probe: ProbeClient, url: string, options: WalkOptions): Promise<AuthorizationOutcome> {
  let response = await probe.send({ url, jar: options.jar });
  let currentUrl = url;
  let signedIn = false;
  options.evidence.push(response.exchange);
  for (let step = 0; step < 12; step++) {
    if (response.status >= 300 && response.status < 400 && response.location) {
      if (!options.serverOrigins.has(originOf(response.location))) return { kind: 'redirect', location: response.location, ...responseParams(response.location) };
      currentUrl = response.location;
      response = await probe.send({ url: currentUrl, jar: options.jar });
      options.evidence.push(response.exchange);
      continue;
    }
    const isHtml = (response.headers.get('content-type') ?? '').includes('html');
    if (response.status !== 200 || !isHtml) return { kind: 'page', status: response.status, url: currentUrl, readable: false };
    const forms = readForms(response.text, currentUrl);
    const login = findLoginForm(forms);
    if (login) {
      if (!options.credentials) return { kind: 'login-page', url: currentUrl };
      if (signedIn) return { kind: 'login-failed', url: currentUrl };
      signedIn = true;
      const userField = login.inputs.find((i) => ['text', 'email'].includes(i.type) && /user|login|email|name/i.test(i.name))
        ?? login.inputs.find((i) => ['text', 'email'].includes(i.type));
      const passwordField = login.inputs.find((i) => i.type === 'password')!;
      const fields = formFields(login, { ...(userField ? { [userField.name]: options.credentials.username } : {}), [passwordField.name]: options.credentials.password });
      currentUrl = login.action;
      response = await probe.send({ url: login.action, form: fields, jar: options.jar });
      options.evidence.push(response.exchange);
      continue;
    }
    const approve = findApproveForm(forms);
    if (approve && options.credentials) {
      currentUrl = approve.form.action;
      response = await probe.send({ url: approve.form.action, form: formFields(approve.form, {}, approve.button), jar: options.jar });
      options.evidence.push(response.exchange);
      continue;
    }
    return { kind: 'page', status: response.status, url: currentUrl, readable: false };
  }
  return { kind: 'page', status: response.status, url: currentUrl, readable: false };
}

/** The login page's response itself, for header checks: walks until a page with a password form appears. */
export async function findLoginPage(probe: ProbeClient, url: string, options: Omit<WalkOptions, 'credentials'>) {
  let response = await probe.send({ url, jar: options.jar });
  options.evidence.push(response.exchange);
  let currentUrl = url;
  for (let step = 0; step < 6; step++) {
    if (response.status >= 300 && response.status < 400 && response.location && options.serverOrigins.has(originOf(response.location))) {
      currentUrl = response.location;
      response = await probe.send({ url: currentUrl, jar: options.jar });
      options.evidence.push(response.exchange);
      continue;
    }
    break;
  }
  const isLogin = response.status === 200 && findLoginForm(readForms(response.text, currentUrl)) !== undefined;
  return isLogin ? response : undefined;
}
