// Reading the Cookie request header (RFC 6265 §4.2.1): the first occurrence of a name wins.

function pairs(header: string | undefined): Array<[string, string]> {
  if (!header) return [];
  return header.split(';').map((part) => {
    const eq = part.indexOf('=');
    return eq < 0 ? [part.trim(), ''] as [string, string] : [part.slice(0, eq).trim(), part.slice(eq + 1).trim()] as [string, string];
  }).filter(([name]) => name !== '');
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  return pairs(header).find(([n]) => n === name)?.[1];
}
