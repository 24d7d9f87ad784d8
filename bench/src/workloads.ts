// What each load scenario sends, and how every answer under load is checked (cheaply: the full checks ran once before,
// in verify-*.ts). Each prepare function first verifies one real answer of the server, then builds autocannon requests.
//   cc          POST /token client_credentials (RFC 6749 §4.4)
//   code        GET authorize with the SSO session cookie -> 30x with a code; POST /token authorization_code (§4.1)
//   refresh     POST /token refresh_token with the token the previous answer rotated in (§6), one chain per connection,
//               fresh chains for every run
//   introspect  POST introspect with a user's access token, as the API's resource server (RFC 7662 §2.1)
import type { Request } from 'autocannon';
import { basicAuthorization, TOKEN_REQUEST_BODY, type ReadyMessage } from './child-protocol.ts';
import {
  authorizationPath, authorizeWithSession, codeExchangeBody, codeFlow, codeFromLocation, NONCE, refreshBody, signIn, tokenRequest, userFlowOf,
} from './user-flow.ts';
import { verifyTokenEndpoint } from './verify-token-endpoint.ts';
import { introspectionBody, verifyIntrospection, verifyUserTokens } from './verify-user-tokens.ts';

export type WorkloadKind = 'cc' | 'code' | 'refresh' | 'introspect';

export interface Workload {
  requests: Request[];
  /** Running totals: flows whose answers were right, and answers that were not. */
  counts(): { flows: number; unexpected: number };
  /** Before each run (warm-up, measured), not timed: what the run needs fresh, given how many requests are in flight. */
  beforeRun?(inFlight: number): Promise<void>;
}

export interface PreparedWorkload {
  workload: Workload;
  /** What was verified before the load, for the report. */
  verified: string;
}

const FORM = 'application/x-www-form-urlencoded';

function counter() {
  const totals = { flows: 0, unexpected: 0 };
  return { totals, counts: () => ({ ...totals }) };
}

function headerOf(headers: Request['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  return undefined;
}

async function clientCredentials(server: ReadyMessage): Promise<PreparedWorkload> {
  const token = await verifyTokenEndpoint(server);
  const { totals, counts } = counter();
  return {
    verified: `200 no-store, ${token.alg} ${token.typ} access token (${token.claims.join(' ')})`,
    workload: {
      counts,
      requests: [{
        method: 'POST', path: new URL(server.tokenUrl).pathname, body: TOKEN_REQUEST_BODY,
        headers: { authorization: basicAuthorization(server.clientId, server.clientSecret), 'content-type': FORM },
        onResponse: (status, body) => {
          if (status === 200 && body.includes('"access_token"')) totals.flows++;
          else totals.unexpected++;
        },
      }],
    },
  };
}

async function authorizationCode(server: ReadyMessage): Promise<PreparedWorkload> {
  const flow = userFlowOf(server);
  const cookies = await signIn(server);
  const verified = await verifyUserTokens(server, await codeFlow(server, cookies), { nonce: NONCE });
  const { totals, counts } = counter();
  const tokenHeaders = { authorization: basicAuthorization(flow.clientId, flow.clientSecret), 'content-type': FORM };
  type Context = { code?: string };
  return {
    verified: `sign-in once, then authorize from the session -> code; ${verified.checked}`,
    workload: {
      counts,
      requests: [
        {
          method: 'GET', path: authorizationPath(flow), headers: { cookie: cookies },
          onResponse: (status, _body, context, headers) => {
            const code = status >= 300 && status < 400 ? codeFromLocation(flow, headerOf(headers, 'location')) : undefined;
            if (code) (context as Context).code = code;
            else totals.unexpected++;
          },
        },
        {
          method: 'POST', path: new URL(server.tokenUrl).pathname, headers: tokenHeaders,
          // No code (the authorization answer was wrong, already counted): start the flow again.
          setupRequest: (request, context) => {
            const { code } = context as Context;
            return code ? { ...request, body: codeExchangeBody(flow, code) } : (undefined as unknown as Request);
          },
          onResponse: (status, body) => {
            if (status === 200 && body.includes('"id_token"') && body.includes('"refresh_token"')) totals.flows++;
            else totals.unexpected++;
          },
        },
      ],
    },
  };
}

async function refreshRotation(server: ReadyMessage): Promise<PreparedWorkload> {
  const flow = userFlowOf(server);
  const cookies = await signIn(server);
  const first = await verifyUserTokens(server, await codeFlow(server, cookies), { nonce: NONCE });
  const refreshed = await verifyUserTokens(server, await tokenRequest(server, refreshBody(first.refreshToken)));
  if (refreshed.refreshToken === first.refreshToken) throw new Error(`${server.name}: the refresh token was not rotated`);
  // A chain: a code flow from the session, then its refresh token rotated again and again. Every run (warm-up and
  // measured) gets fresh chains, exactly one per request in flight: a run that ends drops the answers in flight and
  // with them their chains, and a chain left unused for long is no fair test either (oidc-provider's in-memory adapter
  // is an LRU of 1000 entries: an idle refresh token is evicted after a few thousand refreshes of the others, and
  // then answered 400 invalid_grant, "refresh token not found").
  const newChain = async () => {
    const answer = await tokenRequest(server, codeExchangeBody(flow, await authorizeWithSession(server, cookies)));
    const token = answer.json?.refresh_token;
    if (answer.status !== 200 || typeof token !== 'string') throw new Error(`${server.name}: code exchange for a refresh chain answered ${answer.status}`);
    return token;
  };
  // The current token of each idle chain. A connection takes one when it sends and puts back the one its answer rotated
  // in, at once (last in, first out): so each connection keeps its own chain, and no token is ever sent twice.
  let chains: string[] = [];
  const { totals, counts } = counter();
  return {
    verified: `${first.checked}; a refresh answers the same with a new refresh token`,
    workload: {
      counts,
      beforeRun: async (inFlight) => {
        const fresh: string[] = [];
        for (let i = 0; i < inFlight; i++) fresh.push(await newChain());
        chains = fresh;
      },
      requests: [{
        method: 'POST', path: new URL(server.tokenUrl).pathname,
        headers: { authorization: basicAuthorization(flow.clientId, flow.clientSecret), 'content-type': FORM },
        // No chain left (broken by wrong answers, already counted) sends a token that fails, counted too.
        setupRequest: (request) => ({ ...request, body: refreshBody(chains.pop() ?? 'no-refresh-token-left') }),
        onResponse: (status, body) => {
          const next = status === 200 ? /"refresh_token"\s*:\s*"([^"]+)"/.exec(body)?.[1] : undefined;
          if (next && body.includes('"id_token"')) {
            chains.push(next);
            totals.flows++;
          } else totals.unexpected++;
        },
      }],
    },
  };
}

async function introspection(server: ReadyMessage, opaqueAccessToken: boolean): Promise<PreparedWorkload> {
  const cookies = await signIn(server);
  const tokens = await verifyUserTokens(server, await codeFlow(server, cookies), { nonce: NONCE, opaqueAccessToken });
  const checked = await verifyIntrospection(server, tokens.accessToken);
  const introspect = server.introspection!;
  const { totals, counts } = counter();
  return {
    verified: `a user's ${opaqueAccessToken ? 'opaque' : 'JWT'} access token from the code flow; introspection ${checked}`,
    workload: {
      counts,
      requests: [{
        method: 'POST', path: new URL(introspect.url).pathname, body: introspectionBody(tokens.accessToken),
        headers: { authorization: basicAuthorization(introspect.clientId, introspect.clientSecret), 'content-type': FORM },
        onResponse: (status, body) => {
          if (status === 200 && /"active"\s*:\s*true/.test(body)) totals.flows++;
          else totals.unexpected++;
        },
      }],
    },
  };
}

export function prepareWorkload(kind: WorkloadKind, server: ReadyMessage, options: { opaqueAccessTokens: boolean }): Promise<PreparedWorkload> {
  switch (kind) {
    case 'cc': return clientCredentials(server);
    case 'code': return authorizationCode(server);
    case 'refresh': return refreshRotation(server);
    case 'introspect': return introspection(server, options.opaqueAccessTokens);
  }
}
