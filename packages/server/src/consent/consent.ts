// Remembered consent per user and client, with incremental authorization: only scopes not granted before are
// asked for; prompt=consent asks for everything (OpenID Connect Core §3.1.2.1).
import type { ScopeCatalog } from '../apis/scope-catalog.ts';
import { isUnvetted } from '../clients/unvetted-client-policy.ts';
import type { PromptValue } from '../oidc/prompt.ts';
import type { ClientRecord, ConsentRecord } from '../store/records.ts';
import type { AuditStore } from '../store/audit-store.ts';
import type { ConsentStore } from '../store/consent-store.ts';

/** What consent is asked for: the scopes of an authorization request and its prompt values. */
export interface ConsentQuestion {
  scopes: readonly string[];
  prompt: readonly PromptValue[];
}

/** prompt=consent: ask again for every scope, whatever was remembered. */
const asksForEverything = (question: ConsentQuestion) => question.prompt.includes('consent');

/** The requested scopes `consent` does not cover (all of them with prompt=consent). */
function notCoveredBy(consent: ConsentRecord | undefined, question: ConsentQuestion): string[] {
  if (asksForEverything(question)) return [...question.scopes];
  const granted = new Set(consent?.scopes ?? []);
  return question.scopes.filter((s) => !granted.has(s));
}

/** The requested scopes the user still has to approve (all of them with prompt=consent). */
export async function scopesNeedingConsent(store: ConsentStore, userId: string, clientId: string, question: ConsentQuestion): Promise<string[]> {
  return notCoveredBy(asksForEverything(question) ? undefined : await store.getConsent(userId, clientId), question);
}

/**
 * The scopes the consent page must ask for, given the user's consent for this client: those not approved yet, and for
 * a client nobody vetted every requested scope when all were approved before: such a client never gets silent consent
 * (decisions.md 2026-11-29).
 */
export function scopesToAskGiven(consent: ConsentRecord | undefined, client: ClientRecord, question: ConsentQuestion): string[] {
  const missing = notCoveredBy(consent, question);
  return missing.length === 0 && isUnvetted(client) ? [...question.scopes] : missing;
}

/** scopesToAskGiven, reading the consent. */
export async function scopesToAsk(store: ConsentStore, userId: string, client: ClientRecord, question: ConsentQuestion): Promise<string[]> {
  return scopesToAskGiven(asksForEverything(question) ? undefined : await store.getConsent(userId, client.id), client, question);
}

/** Scopes approved earlier, among the requested ones (shown on the consent page for context; none with prompt=consent). */
export async function previouslyGranted(store: ConsentStore, userId: string, clientId: string, question: ConsentQuestion): Promise<string[]> {
  if (asksForEverything(question)) return [];
  const consent = await store.getConsent(userId, clientId);
  const granted = new Set(consent?.scopes ?? []);
  return question.scopes.filter((s) => granted.has(s));
}

/** Adds the approved scopes to what the user granted this client (atomic union in the store). */
export async function rememberConsent(store: ConsentStore & AuditStore, userId: string, clientId: string, scopes: string[], now: number): Promise<void> {
  await store.addConsentScopes(userId, clientId, scopes, now);
  await store.recordAuditEvent({ type: 'consent.granted', userId, clientId, detail: { scopes } }, now);
}

/** What a consent page lists for `scopes`: their descriptions; signing in already tells the app who you are, so
 *  `openid` is listed only when nothing else is asked. */
export function consentLines(catalog: ScopeCatalog, scopes: readonly string[]): string[] {
  return (scopes.length > 1 ? scopes.filter((s) => s !== 'openid') : scopes).map((s) => catalog.get(s)?.description ?? s);
}
