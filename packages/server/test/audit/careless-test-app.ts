// A deliberately careless relying party for the app audit to catch: it sends a state but never checks it, skips
// PKCE, decodes the ID token without verifying signature, aud, iss or nonce, puts the access token in localStorage
// and the ID token in a cookie, and never refreshes. Everything else is ordinary.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';

interface Session {
  accessToken: string;
  sub: string;
}

export async function startCarelessApp(appOrigin: string, issuer: string, client: { id: string; secret: string }): Promise<{ close(): Promise<void> }> {
  const sessions = new Map<string, Session>();
  const redirectUri = `${appOrigin}/callback`;
  const server: Server = createServer((req, res) => void (async () => {
    const url = new URL(req.url ?? '/', appOrigin);
    const sid = /(?:^|; )sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const session = sid ? sessions.get(sid) : undefined;
    if (url.pathname === '/login') {
      const authorize = new URL(`${issuer}/authorize`);
      for (const [k, v] of Object.entries({ response_type: 'code', client_id: client.id, redirect_uri: redirectUri, scope: 'openid', state: randomBytes(8).toString('hex'), nonce: randomBytes(8).toString('hex') })) authorize.searchParams.set(k, v);
      return res.writeHead(302, { location: authorize.toString() }).end();
    }
    if (url.pathname === '/callback') {
      const token = await fetch(`${issuer}/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: url.searchParams.get('code') ?? '', redirect_uri: redirectUri, client_id: client.id, client_secret: client.secret }),
      });
      const tokens = await token.json() as { access_token?: string; id_token?: string };
      if (!tokens.access_token || !tokens.id_token) return res.writeHead(400).end('login failed');
      const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString()) as { sub: string };
      const id = randomBytes(16).toString('hex');
      sessions.set(id, { accessToken: tokens.access_token, sub: claims.sub });
      res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': [`sid=${id}; Path=/; HttpOnly`, `id_token=${tokens.id_token}; Path=/`] });
      return res.end(`<p>Welcome ${claims.sub}</p><script>localStorage.setItem('access_token', ${JSON.stringify(tokens.access_token)})</script>`);
    }
    if (!session) return res.writeHead(302, { location: '/login' }).end();
    if (url.pathname === '/data') {
      const upstream = await fetch(`${issuer}/api/data`, { headers: { authorization: `Bearer ${session.accessToken}` } });
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ upstream: upstream.status }));
    }
    return res.writeHead(200, { 'content-type': 'text/html' }).end(`<h1>Hello ${session.sub}</h1>`);
  })().catch(() => res.writeHead(500).end()));
  await new Promise<void>((resolve) => server.listen(Number(new URL(appOrigin).port), '127.0.0.1', () => resolve()));
  return { close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}
