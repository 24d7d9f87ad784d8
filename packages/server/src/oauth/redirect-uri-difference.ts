// Why a redirect_uri did not match (issue 18): RFC 6749 §3.1.2.3 and RFC 9700 §4.1.3 compare redirect URIs as exact
// strings, so a trailing slash, a port or the letter case is a mismatch. This names the registered URI closest to what
// was received, the first character where they part, and what differs (scheme, host, port, path, trailing slash,
// query). Shown to developers in dev mode only, and always in the server log and `latchkey explain`.

export type DifferenceKind = 'scheme' | 'host' | 'port' | 'trailing slash' | 'path' | 'query' | 'encoding or letter case';

export interface RedirectUriDifference {
  registered: string;
  /** 1-based position of the first character that differs (one past the shorter string's end when one is a prefix). */
  position: number;
  kinds: { kind: DifferenceKind; received: string; registered: string }[];
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

const shown = (value: string) => (value === '' ? '(none)' : value);

/** What differs between a received redirect URI and one registered URI. */
export function describeDifference(received: string, registered: string): RedirectUriDifference {
  const position = commonPrefix(received, registered) + 1;
  const a = parse(received);
  const b = parse(registered);
  const kinds: RedirectUriDifference['kinds'] = [];
  if (a && b) {
    if (a.protocol !== b.protocol) kinds.push({ kind: 'scheme', received: a.protocol, registered: b.protocol });
    if (a.hostname !== b.hostname) kinds.push({ kind: 'host', received: a.hostname, registered: b.hostname });
    // URL drops a scheme's default port, so compare what was written too (https://a.example:443 is not https://a.example).
    const portOf = (uri: string, url: URL) => /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^/?#:]*):(\d*)/i.exec(uri)?.[1] ?? url.port;
    const pa = portOf(received, a);
    const pb = portOf(registered, b);
    if (pa !== pb) kinds.push({ kind: 'port', received: shown(pa), registered: shown(pb) });
    if (a.pathname !== b.pathname) {
      const trailing = a.pathname.replace(/\/$/, '') === b.pathname.replace(/\/$/, '');
      kinds.push({ kind: trailing ? 'trailing slash' : 'path', received: a.pathname, registered: b.pathname });
    }
    if (a.search !== b.search) kinds.push({ kind: 'query', received: shown(a.search), registered: shown(b.search) });
  }
  if (kinds.length === 0 && received !== registered) kinds.push({ kind: 'encoding or letter case', received, registered });
  return { registered, position, kinds };
}

/** The registered URI that shares the longest prefix with `received` (ties: the first registered). */
export function closestRegistered(received: string, registered: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestLength = -1;
  for (const uri of registered) {
    const length = commonPrefix(received, uri);
    if (length > bestLength) {
      best = uri;
      bestLength = length;
    }
  }
  return best;
}

/** Lines for the developer page (dev mode), the log and `latchkey explain`; what was received is shown separately. */
export function explainRedirectUriMismatch(received: string, registered: readonly string[]): string[] {
  const lines = [`registered redirect URIs: ${registered.length > 0 ? registered.join('  ') : '(none)'}`];
  if (registered.length === 0) return lines;
  if (!parse(received)) lines.push('the received redirect_uri is not an absolute URI');
  const closest = closestRegistered(received, registered)!;
  const difference = describeDifference(received, closest);
  lines.push(`closest registered: ${closest}, first difference at character ${difference.position}`
    + ` (received ${JSON.stringify(received.slice(difference.position - 1, difference.position + 9) || '(end)')},`
    + ` registered ${JSON.stringify(closest.slice(difference.position - 1, difference.position + 9) || '(end)')})`);
  for (const { kind, received: r, registered: g } of difference.kinds) lines.push(`${kind} differs: received ${r}, registered ${g}`);
  lines.push('matching is exact string comparison (only a loopback IP literal may change its port, RFC 8252 §7.3)');
  return lines;
}
