// JWKS hygiene: RFC 7517 §4–5 (kid, alg, use), RFC 7518 §6.2.2 / §6.3.2 / §6.4 (private and symmetric key members
// must never be published) and §3.3 (RSA keys of 2048 bits or more).
import { fail, pass, skipped, type CheckResult, type Exchange } from '../audit-report.ts';
import type { CheckFamily } from './server-audit-context.ts';

const PUBLISHED = { id: 'jwks.published', title: 'jwks_uri serves a JWK Set', rfc: 'RFC 7517 §5; OIDC Discovery §3' };
const NO_PRIVATE = { id: 'jwks.no-private-members', title: 'no private or symmetric key material is published', rfc: 'RFC 7518 §6.2.2, §6.3.2, §6.4' };
const KIDS = { id: 'jwks.kids-unique', title: 'every key has a kid, and kids are unique', rfc: 'RFC 7517 §4.5' };
const ALG_USE = { id: 'jwks.alg-and-use', title: 'every key states its alg and use', rfc: 'RFC 7517 §4.2, §4.4' };
const STRENGTH = { id: 'jwks.key-strength', title: 'RSA keys have 2048 bits or more; curves are standard', rfc: 'RFC 7518 §3.3, §6.2.1.1; RFC 8037 §2' };

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const CURVES: Record<string, string[]> = { EC: ['P-256', 'P-384', 'P-521'], OKP: ['Ed25519', 'Ed448', 'X25519', 'X448'] };

const label = (key: Record<string, unknown>, index: number): string => (typeof key.kid === 'string' ? `kid "${key.kid}"` : `key #${index + 1}`);

export const jwksChecks: CheckFamily = {
  name: 'jwks',
  checks: [PUBLISHED, NO_PRIVATE, KIDS, ALG_USE, STRENGTH],
  async run(ctx) {
    const jwksUri = ctx.endpoint('jwks_uri');
    if (!jwksUri) return [skipped(PUBLISHED, 'the metadata has no jwks_uri')];
    const evidence: Exchange[] = [];
    const response = await ctx.probe.send({ url: jwksUri, headers: { accept: 'application/json' } });
    evidence.push(response.exchange);
    const body = response.json();
    if (response.status !== 200 || !body || !Array.isArray(body.keys)) return [fail(PUBLISHED, `jwks_uri answered ${response.status} without a "keys" array`, evidence)];
    const keys = (body.keys as unknown[]).filter((k): k is Record<string, unknown> => !!k && typeof k === 'object');
    ctx.jwks = { keys };
    const results: CheckResult[] = [pass(PUBLISHED, `${keys.length} key(s)`, evidence)];

    const leaking = keys.flatMap((key, i) => PRIVATE_MEMBERS.filter((m) => key[m] !== undefined).map((m) => `${label(key, i)} has "${m}"`));
    const symmetric = keys.flatMap((key, i) => (key.kty === 'oct' ? [`${label(key, i)} is a symmetric (oct) key`] : []));
    results.push(leaking.length + symmetric.length === 0
      ? pass(NO_PRIVATE, 'only public members')
      : fail(NO_PRIVATE, `${[...leaking, ...symmetric].join('; ')}: anyone can sign tokens the server accepts`, evidence));

    const kids = keys.map((k) => k.kid);
    const withoutKid = kids.filter((k) => typeof k !== 'string' || k === '').length;
    const duplicates = [...new Set(kids.filter((k, i) => typeof k === 'string' && kids.indexOf(k) !== i))];
    results.push(withoutKid === 0 && duplicates.length === 0
      ? pass(KIDS, `kids: ${kids.join(', ')}`)
      : fail(KIDS, [withoutKid ? `${withoutKid} key(s) without kid` : '', duplicates.length ? `duplicate kid(s): ${duplicates.join(', ')}` : ''].filter(Boolean).join('; '), evidence));

    const vague = keys.flatMap((key, i) => [
      ...(typeof key.alg === 'string' ? [] : [`${label(key, i)} has no alg`]),
      ...(typeof key.use === 'string' || Array.isArray(key.key_ops) ? [] : [`${label(key, i)} has no use`]),
    ]);
    results.push(vague.length === 0 ? pass(ALG_USE, 'every key names its alg and use') : fail(ALG_USE, `${vague.join('; ')}: verifiers must guess which algorithm a key is for`, evidence));

    const weak = keys.flatMap((key, i) => {
      if (key.kty === 'RSA' && typeof key.n === 'string') {
        const bits = Buffer.from(key.n, 'base64url').length * 8;
        return bits < 2048 ? [`${label(key, i)} is RSA-${bits}`] : [];
      }
      const curves = CURVES[String(key.kty)];
      if (curves) return curves.includes(String(key.crv)) ? [] : [`${label(key, i)} uses curve ${String(key.crv)}`];
      return key.kty === 'oct' ? [] : [`${label(key, i)} has an unknown kty ${String(key.kty)}`];
    });
    results.push(weak.length === 0 ? pass(STRENGTH, 'key sizes and curves are sound') : fail(STRENGTH, weak.join('; '), evidence));
    return results;
  },
};
