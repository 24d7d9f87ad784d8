// RFC 7638 §3: the JWK thumbprint, used as the key id so a kid names exactly one key.
import { createHash, type JsonWebKey } from 'node:crypto';

const REQUIRED_MEMBERS: Record<string, string[]> = { RSA: ['e', 'kty', 'n'], EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'] };

export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = REQUIRED_MEMBERS[String(jwk.kty)];
  if (!members) throw new Error(`no thumbprint members for kty ${String(jwk.kty)}`);
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}
