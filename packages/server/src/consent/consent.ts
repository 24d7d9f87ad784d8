// Remembered consent per user and client, with incremental authorization: only scopes not granted before are
// asked for; prompt=consent asks for everything (OpenID Connect Core §3.1.2.1).
import type { AuditStore } from '../store/audit-store.ts';
import type { ConsentStore } from '../store/consent-store.ts';

/** The requested scopes the user still has to approve; all of them when `forcePrompt` (prompt=consent). */
export async function scopesNeedingConsent(store: ConsentStore, userId: string, clientId: string, requested: string[], forcePrompt: boolean): Promise<string[]> {
  if (forcePrompt) return [...requested];
  const consent = await store.getConsent(userId, clientId);
  const granted = new Set(consent?.scopes ?? []);
  return requested.filter((s) => !granted.has(s));
}

/** Scopes already approved earlier, among the requested ones (shown on the consent page for context). */
export async function previouslyGranted(store: ConsentStore, userId: string, clientId: string, requested: string[]): Promise<string[]> {
  const consent = await store.getConsent(userId, clientId);
  const granted = new Set(consent?.scopes ?? []);
  return requested.filter((s) => granted.has(s));
}

/** Adds the approved scopes to what the user granted this client (atomic union in the store). */
export async function rememberConsent(store: ConsentStore & AuditStore, userId: string, clientId: string, scopes: string[], now: number): Promise<void> {
  await store.addConsentScopes(userId, clientId, scopes, now);
  await store.recordAuditEvent({ type: 'consent.granted', userId, clientId, detail: { scopes } }, now);
}
