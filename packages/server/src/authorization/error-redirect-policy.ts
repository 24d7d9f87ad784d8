// Which authorization errors may be redirected to the client (RFC 9700 §4.11.2, OAuth 2.1 §7.13.2): redirecting an
// error before anyone signed in makes the server a redirector to whatever URI a client registered. Clients the
// operator registered are trusted with it, as RFC 6749 §4.1.2.1 expects; a client nobody vetted (dynamic
// registration, client ID metadata documents) gets the HTML error page until the user has authenticated, after
// which errors (access_denied, a failure while issuing the code) go back to it as usual.
import type { ClientRecord } from '../store/records.ts';

export function mayRedirectErrorsBeforeSignIn(client: ClientRecord): boolean {
  return client.registration === 'operator';
}
