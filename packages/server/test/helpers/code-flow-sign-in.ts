// Signs a user in through the whole code flow over app.inject (login, consent, code exchange with PKCE) and returns
// the browser (with its session cookie) and the token response.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { authorizeUrl, callbackParams, InjectBrowser, pkcePair, runAuthorization, tokenRequest, type ClientCredentials } from './authorization-flow.ts';

export interface CodeFlowSignIn {
  app: FastifyInstance;
  client: ClientCredentials;
  redirectUri: string;
  scope: string;
  username: string;
  password: string;
  browser?: InjectBrowser;
}

export async function signInThroughCodeFlow(options: CodeFlowSignIn): Promise<{ browser: InjectBrowser; idToken: string; tokens: Record<string, string> }> {
  const browser = options.browser ?? new InjectBrowser(options.app);
  const pkce = pkcePair();
  const url = authorizeUrl({
    response_type: 'code', client_id: options.client.id, redirect_uri: options.redirectUri, scope: options.scope, state: 's', nonce: 'n',
    code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const { response } = await runAuthorization(browser, url, { username: options.username, password: options.password });
  const code = callbackParams(response).get('code');
  assert.ok(code, `no code: ${response.headers.location}`);
  const token = await tokenRequest(options.app, options.client, { grant_type: 'authorization_code', code, redirect_uri: options.redirectUri, code_verifier: pkce.verifier });
  assert.equal(token.statusCode, 200, token.body);
  const tokens = token.json() as Record<string, string>;
  return { browser, idToken: tokens.id_token!, tokens };
}
