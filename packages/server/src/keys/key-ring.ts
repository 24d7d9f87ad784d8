// Signing-key lifecycle: generate on first start, rotate, keep retired keys published until their tokens expire.
// Private keys are sealed at rest with AES-256-GCM (crypto/encryption.ts), bound to their kid.
import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { SecretBox } from '../crypto/encryption.ts';
import type { CacheVersionStore } from '../store/cache-version-store.ts';
import type { SigningKeyStore } from '../store/signing-key-store.ts';
import type { SigningAlg, SigningKeyRecord } from '../store/records.ts';
import { createJwsSigner, type JwsSigner } from '../tokens/jws.ts';
import { generateSigningKey } from './generate-key.ts';

/** How many published keys of an algorithm are in a state: active (signs) or retired (only verifies). */
export interface KeyStateCount {
  alg: SigningAlg;
  state: 'active' | 'retired';
  count: number;
}

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: SigningAlg;
  use: 'sig';
}

/** Algorithms every installation has a key for from its first start (so a client may choose any of them for ID tokens). */
export const INITIAL_ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];

export class KeyRing {
  readonly #store: SigningKeyStore & CacheVersionStore;
  readonly #box: SecretBox;
  /** How long a retired key stays published: the longest a token it signed can live, plus a margin. */
  readonly #retiredKeyLifetime: number;
  #signers = new Map<SigningAlg, JwsSigner>();
  #jwks: { keys: PublicJwk[] } = { keys: [] };
  #states: KeyStateCount[] = [];

  constructor(store: SigningKeyStore & CacheVersionStore, secret: string, maxTokenLifetimeSeconds: number) {
    this.#store = store;
    this.#box = new SecretBox(secret, 'signing-keys');
    this.#retiredKeyLifetime = maxTokenLifetimeSeconds + 300;
  }

  /** Creates a key for every initial algorithm that has none; returns the kids created. */
  async ensureInitialKeys(now: number): Promise<string[]> {
    const created: string[] = [];
    for (const alg of INITIAL_ALGS) {
      if (!(await this.#store.findActiveSigningKey(alg))) created.push((await this.rotate(alg, now)).kid);
    }
    return created;
  }

  /** Publishes a new key for `alg`; the previous one keeps verifying until its tokens have expired. */
  async rotate(alg: SigningAlg, now: number): Promise<SigningKeyRecord> {
    const generated = generateSigningKey(alg);
    const record: SigningKeyRecord = {
      kid: generated.kid, alg, publicJwk: JSON.stringify(generated.publicJwk),
      privateJwkSealed: this.#box.seal(JSON.stringify(generated.privateJwk), generated.kid),
      createdAt: now, retiredAt: null, expiresAt: null,
    };
    await this.#store.createSigningKey(record, now + this.#retiredKeyLifetime);
    await this.#store.bumpCacheVersion('keys');
    return record;
  }

  /** Reloads keys from the store (at start and whenever another instance rotated). */
  async load(now: number): Promise<void> {
    const records = await this.#store.listSigningKeys(now);
    const signers = new Map<SigningAlg, JwsSigner>();
    for (const record of records) {
      if (record.retiredAt !== null || signers.has(record.alg)) continue;
      const privateJwk = JSON.parse(this.#box.open(record.privateJwkSealed, record.kid)) as JsonWebKey;
      signers.set(record.alg, createJwsSigner(record.kid, record.alg, createPrivateKey({ key: privateJwk, format: 'jwk' })));
    }
    this.#signers = signers;
    const counts = new Map<string, KeyStateCount>();
    for (const record of records) {
      const state = record.retiredAt === null && signers.get(record.alg)?.kid === record.kid ? 'active' : 'retired';
      const entry = counts.get(`${record.alg} ${state}`) ?? { alg: record.alg, state, count: 0 };
      entry.count += 1;
      counts.set(`${record.alg} ${state}`, entry);
    }
    this.#states = [...counts.values()];
    this.#jwks = { keys: records.map((r) => ({ ...(JSON.parse(r.publicJwk) as JsonWebKey), kid: r.kid, alg: r.alg, use: 'sig' as const })) };
  }

  /** The active signer for `alg`; throws when the installation has no key for it. */
  signer(alg: SigningAlg): JwsSigner {
    const signer = this.#signers.get(alg);
    if (!signer) throw new Error(`no active ${alg} signing key: run "latchkey keys rotate --alg ${alg}"`);
    return signer;
  }

  hasSigner(alg: SigningAlg): boolean {
    return this.#signers.has(alg);
  }

  /** RFC 7517 §5: the public JWK Set (no private members). */
  jwks(): { keys: PublicJwk[] } {
    return this.#jwks;
  }

  /** Published keys counted by algorithm and state (for the metrics). */
  states(): KeyStateCount[] {
    return this.#states;
  }

  /** Algorithms with an active key, for discovery. */
  algorithms(): SigningAlg[] {
    return [...this.#signers.keys()];
  }
}
