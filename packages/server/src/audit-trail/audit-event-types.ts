// The audit trail's event types, schema version 1 (docs/audit-events.md lists the same, test/audit-trail checks it).
// Adding a type is one line here plus its row in the doc. Versioning: adding a type or a detail field keeps version 1;
// renaming or removing a type or field, or changing what one means, is version 2.

export const AUDIT_SCHEMA_VERSION = 1;

/** Event types: what happened, and the fields of its `detail` (besides the common fields of every event). */
export const AUDIT_EVENT_TYPES = {
  'login.succeeded': { what: 'a password sign-in succeeded (authorization or account login form)', detail: ['ip', 'via'] },
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
  'request.failed': { what: 'diagnostic: a request was answered with an error, and why (short retention)', detail: ['method', 'route', 'status', 'error', 'reason', 'debug', 'details', 'redirected'] },
} as const satisfies Record<string, { what: string; detail: readonly string[] }>;

export type AuditEventType = keyof typeof AUDIT_EVENT_TYPES;

/** Types kept only for the diagnostic retention (LATCHKEY_DIAGNOSTIC_RETENTION), not the audit retention. */
export const DIAGNOSTIC_EVENT_TYPES: readonly AuditEventType[] = ['request.failed'];

export function isKnownAuditType(type: string): type is AuditEventType {
  return Object.hasOwn(AUDIT_EVENT_TYPES, type);
}
