// Signing keys in memory: which key signs for each alg at this moment, the JWKS, and the lifecycle operations (stage
// a rotation, the automatic schedule, emergency revocation) over the store (issue 18; states in key-lifecycle.ts).
// Private keys are sealed at rest with AES-256-GCM (crypto/encryption.ts), bound to their kid.
import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { SecretBox } from '../crypto/encryption.ts';
import type { AuditStore } from '../store/audit-store.ts';
import type { CacheVersionStore } from '../store/cache-version-store.ts';
import type { SigningKeyRevocation, SigningKeyStore } from '../store/signing-key-store.ts';
import { SIGNING_ALGS, type SigningAlg, type SigningKeyRecord } from '../store/records.ts';
import { StoreConflict } from '../store/store.ts';
import { createJwsSigner, type JwsSigner } from '../tokens/jws.ts';
import { generateSigningKey } from './generate-key.ts';
import { keyState, rotationDue, type KeyLifecyclePolicy, type KeyState } from './key-lifecycle.ts';

/** How many published keys of an algorithm are in a state. */
export interface KeyStateCount {
  alg: SigningAlg;
  state: Exclude<KeyState, 'removed'>;
  count: number;
}

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: SigningAlg;
  use: 'sig';
}

/** Algorithms every installation has a key for from its first start (so a client may choose any of them for ID tokens). */
export const INITIAL_ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];

/** Who changed the keys, for the audit trail. */
export type KeyActor = 'first-start' | 'schedule' | 'cli' | 'api';

/** What a rotation request did. */
export interface StagedRotation {
  /** False when a successor was already waiting or another instance staged one first; `key` is then that successor. */
  staged: boolean;
  key: SigningKeyRecord;
}

export class KeyRing {
  readonly #store: SigningKeyStore & CacheVersionStore & AuditStore;
  readonly #box: SecretBox;
  readonly #policy: KeyLifecyclePolicy;
  readonly #now: () => number;
  #records: SigningKeyRecord[] = [];
  #jwksCache: { records: SigningKeyRecord[]; kids: string; jwks: { keys: PublicJwk[] } } | undefined;
  #signers = new Map<string, JwsSigner>();

  constructor(store: SigningKeyStore & CacheVersionStore & AuditStore, secret: string, policy: KeyLifecyclePolicy, now: () => number) {
    this.#store = store;
    this.#box = new SecretBox(secret, 'signing-keys');
    this.#policy = policy;
    this.#now = now;
  }

  get policy(): KeyLifecyclePolicy {
    return this.#policy;
  }

  /** Creates an active key for every initial algorithm that has none; returns the kids created. */
  async ensureInitialKeys(now: number): Promise<string[]> {
    const created: string[] = [];
    for (const alg of INITIAL_ALGS) {
      if (await this.#store.findCurrentSigningKey(alg)) continue;
      const key = this.#generate(alg, now, now);
      try {
        await this.#store.createSigningKey(key);
      } catch (error) {
        if (error instanceof StoreConflict) continue; // another instance created it first
        throw error;
      }
      created.push(key.kid);
      await this.#audit('key.created', key, 'first-start', now);
    }
    if (created.length > 0) await this.#store.bumpCacheVersion('keys');
    return created;
  }

  /**
   * Stages a successor for `alg`: published now, signing after the lead time (at once with `immediately`, for a
   * replaced LATCHKEY_SECRET: verifiers then meet an unknown kid and refetch the JWKS). With no key yet it is active at
   * once. Of several processes calling this at once, one stages; the others get `staged: false` and that key.
   */
  async rotate(alg: SigningAlg, now: number, options: { immediately?: boolean; by?: KeyActor } = {}): Promise<StagedRotation> {
    const current = await this.#store.findCurrentSigningKey(alg);
    if (!current) {
      const key = this.#generate(alg, now, now);
      try {
        await this.#store.createSigningKey(key);
      } catch (error) {
        if (error instanceof StoreConflict) return { staged: false, key: (await this.#store.findCurrentSigningKey(alg))! };
        throw error;
      }
      await this.#changed('key.created', key, options.by ?? 'api', now);
      return { staged: true, key };
    }
    if (current.activatesAt > now && !options.immediately) return { staged: false, key: current };
    const activatesAt = options.immediately ? now : now + this.#policy.leadSeconds;
    const next = this.#generate(alg, now, activatesAt);
    // A waiting key replaced at once never signed: it leaves the JWKS with its replacement's activation.
    const retiredUntil = current.activatesAt > now ? activatesAt : activatesAt + this.#policy.retiredKeySeconds;
    if (!(await this.#store.rotateSigningKey(current.kid, next, retiredUntil))) {
      return { staged: false, key: (await this.#store.findCurrentSigningKey(alg)) ?? current };
    }
    await this.#changed('key.staged', next, options.by ?? 'api', now);
    return { staged: true, key: next };
  }

  /** The automatic schedule: stages a successor for every alg whose key is due (see rotationDue). */
  async rotateDueKeys(now: number): Promise<SigningKeyRecord[]> {
    const staged: SigningKeyRecord[] = [];
    for (const alg of SIGNING_ALGS) {
      const current = await this.#store.findCurrentSigningKey(alg);
      if (!current || !rotationDue(current, this.#policy, now)) continue;
      const result = await this.rotate(alg, now, { by: 'schedule' });
      if (result.staged) staged.push(result.key);
    }
    return staged;
  }

  /**
   * Emergency removal of a compromised key: it leaves the JWKS at once (tokens it signed stop verifying once verifiers
   * refresh their cached JWKS) and its alg keeps a signing key, activated at once without lead time.
   */
  async revoke(kid: string, now: number, by: KeyActor = 'api'): Promise<SigningKeyRevocation | undefined> {
    const known = (await this.#store.listSigningKeys(0)).find((k) => k.kid === kid);
    const replacement = this.#generate(known?.alg ?? 'ES256', now, now);
    const result = await this.#store.revokeSigningKey(kid, now, replacement);
    if (!result) return undefined;
    await this.#store.bumpCacheVersion('keys');
    await this.#store.recordAuditEvent({ type: 'key.revoked', detail: { kid, alg: result.alg, signingKid: result.signingKid, by } }, now);
    return result;
  }

  /** Reloads keys from the store (at start and whenever another process changed them). */
  async load(now: number): Promise<void> {
    const records = await this.#store.listSigningKeys(now);
    const signers = new Map<string, JwsSigner>();
    for (const record of records) {
      // Only keys that sign now or later are opened: a retired key may be sealed under a replaced LATCHKEY_SECRET.
      if (record.retiredAt !== null && record.retiredAt <= now) continue;
      const privateJwk = JSON.parse(this.#box.open(record.privateJwkSealed, record.kid)) as JsonWebKey;
      signers.set(record.kid, createJwsSigner(record.kid, record.alg, createPrivateKey({ key: privateJwk, format: 'jwk' })));
    }
    this.#records = records;
    this.#signers = signers;
  }

  /** Every key the store still publishes (as of the last load), newest first. */
  records(): readonly SigningKeyRecord[] {
    return this.#records;
  }

  /**
   * The active key of `alg`. When none is active yet, the one that activates first: a clock a little behind the
   * instance that created a key (or a test clock set back) must not leave an installation without a signer. A staged
   * successor never signs early by this rule: its predecessor is still active until the successor's activation.
   */
  #activeRecord(alg: SigningAlg, now: number): SigningKeyRecord | undefined {
    let best: SigningKeyRecord | undefined;
    let earliest: SigningKeyRecord | undefined;
    for (const record of this.#records) {
      if (record.alg !== alg || !this.#signers.has(record.kid)) continue;
      const state = keyState(record, now);
      if (state === 'active' && (!best || record.activatesAt > best.activatesAt)) best = record;
      if (state === 'published' && (!earliest || record.activatesAt < earliest.activatesAt)) earliest = record;
    }
    return best ?? earliest;
  }

  /** The key signing for `alg` at this moment; throws when the installation has none. */
  signer(alg: SigningAlg): JwsSigner {
    const record = this.#activeRecord(alg, this.#now());
    if (!record) throw new Error(`no active ${alg} signing key: run "latchkey keys rotate --alg ${alg}"`);
    return this.#signers.get(record.kid)!;
  }

  hasSigner(alg: SigningAlg): boolean {
    return this.#activeRecord(alg, this.#now()) !== undefined;
  }

  /** RFC 7517 §5: the public JWK Set (no private members): published, active and retired keys. */
  jwks(): { keys: PublicJwk[] } {
    const now = this.#now();
    const published = this.#records.filter((r) => keyState(r, now) !== 'removed');
    // The same object while the published keys stay the same: verifiers cache their imported key set by its identity
    // (tokens/verify-access-token.ts), so introspection does not import every key again on each request.
    const kids = published.map((r) => r.kid).join(' ');
    if (this.#jwksCache?.records === this.#records && this.#jwksCache.kids === kids) return this.#jwksCache.jwks;
    const jwks = { keys: published.map((r) => ({ ...(JSON.parse(r.publicJwk) as JsonWebKey), kid: r.kid, alg: r.alg, use: 'sig' as const })) };
    this.#jwksCache = { records: this.#records, kids, jwks };
    return jwks;
  }

  /** Published keys counted by algorithm and state (for the metrics). */
  states(): KeyStateCount[] {
    const now = this.#now();
    const counts = new Map<string, KeyStateCount>();
    for (const record of this.#records) {
      const state = keyState(record, now);
      if (state === 'removed') continue;
      const entry = counts.get(`${record.alg} ${state}`) ?? { alg: record.alg, state, count: 0 };
      entry.count += 1;
      counts.set(`${record.alg} ${state}`, entry);
    }
    return [...counts.values()];
  }

  /** Algorithms with an active key, for discovery. */
  algorithms(): SigningAlg[] {
    const now = this.#now();
    return SIGNING_ALGS.filter((alg) => this.#activeRecord(alg, now));
  }

  #generate(alg: SigningAlg, now: number, activatesAt: number): SigningKeyRecord {
    const generated = generateSigningKey(alg);
    return {
      kid: generated.kid, alg, publicJwk: JSON.stringify(generated.publicJwk),
      privateJwkSealed: this.#box.seal(JSON.stringify(generated.privateJwk), generated.kid),
      createdAt: now, activatesAt, retiredAt: null, expiresAt: null,
    };
  }

  async #changed(type: string, key: SigningKeyRecord, by: KeyActor, now: number): Promise<void> {
    await this.#store.bumpCacheVersion('keys');
    await this.#audit(type, key, by, now);
  }

  async #audit(type: string, key: SigningKeyRecord, by: KeyActor, now: number): Promise<void> {
    await this.#store.recordAuditEvent({ type, detail: { kid: key.kid, alg: key.alg, activatesAt: key.activatesAt, by } }, now);
  }
}
