// A WebAuthn authenticator in software, for HTTP-level tests from the attacker's side (WebAuthn Level 3 §6.1, §6.5):
// an ES256 key made with node:crypto, attestation "none", and assertions it signs for any challenge, origin, RP ID,
// user handle and counter the test chooses, so a test can forge exactly one thing and see the server refuse it.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/** The few CBOR (RFC 8949) shapes WebAuthn needs: unsigned/negative integers, byte and text strings, maps. */
function cbor(value: unknown): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    throw new Error('too long for this encoder');
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof Map) return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  throw new Error(`cannot encode ${typeof value}`);
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

/** §6.1 flags. */
const UP = 0x01;
const UV = 0x04;
const BE = 0x08;
const BS = 0x10;
const AT = 0x40;

export interface AssertionOptions {
  challenge: string;
  origin: string;
  rpId: string;
  /** The signature counter to report (default: one more than the last one this authenticator reported). */
  counter?: number;
  /** The user handle to send (default: the one registered); null sends none. */
  userHandle?: string | null;
  /** Claim user verification (default true). */
  userVerified?: boolean;
  type?: string;
}

export class SoftwareAuthenticator {
  readonly credentialId = randomBytes(16).toString('base64url');
  readonly #privateKey: KeyObject;
  readonly #publicJwk: { x: string; y: string };
  /** The user handle stored with the credential at registration (base64url). */
  userHandle = '';
  counter = 0;
  /** Backup eligible and backed up (a synced passkey). */
  synced = false;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.#publicJwk = { x: jwk.x!, y: jwk.y! };
  }

  #flags(userVerified: boolean): number {
    return UP | (userVerified ? UV : 0) | (this.synced ? BE | BS : 0);
  }

  /** §6.5.4 attestation "none" for `navigator.credentials.create(options)`, as PublicKeyCredential JSON. */
  register(options: { challenge: string; user: { id: string }; rp: { id: string } }, origin: string, overrides: { rpId?: string; userVerified?: boolean } = {}): Record<string, unknown> {
    this.userHandle = options.user.id;
    const cose = cbor(new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(this.#publicJwk.x, 'base64url')], [-3, Buffer.from(this.#publicJwk.y, 'base64url')]]));
    const id = Buffer.from(this.credentialId, 'base64url');
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(id.length);
    const authData = Buffer.concat([sha256(overrides.rpId ?? options.rp.id), Buffer.from([this.#flags(overrides.userVerified ?? true) | AT]), counter, Buffer.alloc(16), length, id, cose]);
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false }));
    return {
      id: this.credentialId, rawId: this.credentialId, type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: clientData.toString('base64url'), transports: ['internal'],
        attestationObject: cbor(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]])).toString('base64url'),
      },
    };
  }

  /** §6.3.3 an assertion, as PublicKeyCredential JSON. */
  assert(options: AssertionOptions): Record<string, unknown> {
    this.counter = options.counter ?? this.counter + 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    const authData = Buffer.concat([sha256(options.rpId), Buffer.from([this.#flags(options.userVerified ?? true)]), counter]);
    const clientData = Buffer.from(JSON.stringify({ type: options.type ?? 'webauthn.get', challenge: options.challenge, origin: options.origin, crossOrigin: false }));
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.#privateKey);
    const userHandle = options.userHandle === undefined ? this.userHandle : options.userHandle;
    return {
      id: this.credentialId, rawId: this.credentialId, type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: clientData.toString('base64url'), authenticatorData: authData.toString('base64url'), signature: signature.toString('base64url'),
        ...(userHandle === null ? {} : { userHandle }),
      },
    };
  }
}

/** Reads the WebAuthn options a page carries in its form's data-options attribute. */
export function passkeyOptionsFrom(html: string): { challenge: string; user: { id: string }; rp: { id: string }; rpId?: string; allowCredentials?: { id: string }[] } {
  const match = /data-options="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no passkey options in page');
  return JSON.parse(match[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
}

/** The action of the page's passkey form (sign-in or registration). */
export function passkeyActionFrom(html: string): string {
  const match = /<form method="post" action="([^"]+)"[^>]*data-passkey=/.exec(html);
  if (!match?.[1]) throw new Error('no passkey form in page');
  return match[1];
}
