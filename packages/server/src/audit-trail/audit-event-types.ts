// The audit trail's event types, schema version 1 (docs/audit-events.md lists the same, test/audit-trail checks it).
// Adding a type is one line here plus its row in the doc. Versioning: adding a type or a detail field keeps version 1;
// renaming or removing a type or field, or changing what one means, is version 2.

export const AUDIT_SCHEMA_VERSION = 1;

/** Event types: what happened, and the fields of its `detail` (besides the common fields of every event). */
export const AUDIT_EVENT_TYPES = {
  'login.succeeded': { what: 'a sign-in succeeded (password, password and second factor, or passkey; authorization, account or device login form)', detail: ['ip', 'via', 'method', 'passkey'] },
  'login.failed': { what: 'a password sign-in failed: unknown user or wrong password (user_id set when the user exists)', detail: ['ip', 'via'] },
  'login.throttled': { what: 'a sign-in was refused by login throttling before the password was checked', detail: ['ip', 'via'] },
  'consent.granted': { what: 'a user granted scopes to a client (remembered consent)', detail: ['scopes'] },
  'consent.denied': { what: 'a user refused the consent page', detail: [] },
  'consent.revoked': { what: 'a user disconnected a client on the account page: consent deleted, grants revoked', detail: ['grants'] },
  'grant.revoked': { what: 'a client revoked a refresh token (RFC 7009); its grant ended', detail: ['by', 'grantId'] },
  'code.reused': { what: 'an authorization code was presented again; its grant was revoked (RFC 9700 §4.5)', detail: ['grantId'] },
  'refresh_token.reused': { what: 'a rotated refresh token was presented again; its grant was revoked', detail: ['grantId'] },
  'client.created': { what: 'a client was registered', detail: ['name', 'by', 'actor'] },
  'client.removed': { what: 'a client was removed', detail: ['by', 'actor'] },
  'client.secret_rotated': { what: 'a client secret was replaced', detail: ['by', 'actor'] },
  'user.created': { what: 'a user was added', detail: ['username', 'by', 'actor'] },
  'user.removed': { what: 'a user was removed', detail: ['username', 'by', 'actor'] },
  'user.password_set': { what: 'a user password was set by an operator', detail: ['username', 'by', 'actor'] },
  'api.created': { what: 'an API (resource server) was registered', detail: ['identifier', 'scopes', 'by', 'actor'] },
  'api.removed': { what: 'an API was removed', detail: ['identifier', 'by', 'actor'] },
  'api.introspectors_changed': { what: 'the clients allowed to introspect an API\'s tokens changed', detail: ['identifier', 'added', 'removed', 'by', 'actor'] },
  'key.created': { what: 'a signing key was created active (first start, or no key existed)', detail: ['kid', 'alg', 'activatesAt', 'by'] },
  'key.staged': { what: 'a signing key was published; it signs from activatesAt', detail: ['kid', 'alg', 'activatesAt', 'by'] },
  'key.revoked': { what: 'a signing key was removed at once (compromise); signingKid signs from now on', detail: ['kid', 'alg', 'signingKid', 'by'] },
  'login.password_verified': { what: 'the password of a user with a second factor was right; the second step is asked next', detail: ['ip', 'via'] },
  'session.ended': { what: 'a sign-in session ended (sign-out, RP-initiated logout, account page, admin, new login); back-channel logouts queued', detail: ['sid', 'reason'] },
  'passkey.added': { what: 'a user added a passkey (WebAuthn registration verified)', detail: ['passkey', 'deviceType', 'backedUp'] },
  'passkey.rejected': { what: 'a passkey assertion was refused after its credential was found (e.g. the signature counter went backwards)', detail: ['passkey', 'reason'] },
  'passkey.removed': { what: 'a user removed a passkey', detail: ['passkey'] },
  'totp.added': { what: 'a user confirmed an authenticator app (TOTP) as a second factor', detail: [] },
  'totp.removed': { what: 'an authenticator app was removed, by the user or an admin', detail: ['by'] },
  'factors.reset': { what: "an admin removed a user's passkeys and/or authenticator app (latchkey user reset-factors)", detail: ['by', 'passkeys', 'totp'] },
  'password.changed': { what: 'a user changed (or, having none, set) their password on the account page', detail: ['by', 'first'] },
  'password.removed': { what: 'a user with a passkey removed their password', detail: [] },
  'client.registered': { what: 'a client registered itself (RFC 7591 dynamic registration)', detail: ['ip', 'redirect_uris'] },
  'client.deleted': { what: 'a dynamically registered client deleted itself (RFC 7592)', detail: ['client_id', 'by'] },
  'client.blocked': { what: 'an operator blocked a client; its grants were revoked', detail: ['grants_revoked'] },
  'client.unblocked': { what: 'an operator unblocked a client', detail: [] },
  'client.expired': { what: 'a dynamic registration never used within the unused-client TTL was removed', detail: ['client_id'] },
  'device_code.approved': { what: 'a user approved a device code on the /device page (RFC 8628)', detail: ['scopes'] },
  'device_code.redeemed': { what: 'a device redeemed its approved device code for tokens', detail: ['grantId'] },
  'request.failed': { what: 'diagnostic: a request was answered with an error, and why (short retention)', detail: ['method', 'route', 'status', 'error', 'reason', 'debug', 'details', 'redirected'] },
} as const satisfies Record<string, { what: string; detail: readonly string[] }>;

export type AuditEventType = keyof typeof AUDIT_EVENT_TYPES;

/** Types kept only for the diagnostic retention (LATCHKEY_DIAGNOSTIC_RETENTION), not the audit retention. */
export const DIAGNOSTIC_EVENT_TYPES: readonly AuditEventType[] = ['request.failed'];

export function isKnownAuditType(type: string): type is AuditEventType {
  return Object.hasOwn(AUDIT_EVENT_TYPES, type);
}
