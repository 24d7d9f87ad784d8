// Known open-redirect bypasses for a post-login `returnTo` (RFC 9700 §4.11.2; OWASP unvalidated redirects cheat sheet; PortSwigger URL validation bypass list).

/** `returnTo` values an attacker would try, as the application receives them (already query-decoded). */
export function redirectBypassCorpus(appOrigin: string): string[] {
  const appHost = new URL(appOrigin).host;
  return [
    // The audit's finding: dot segments that normalise to a network-path reference.
    '/..//evil.example', '/../..//evil.example', '/./..//evil.example', '/a/../..//evil.example', '/..//evil.example/..',
    '/%2e%2e//evil.example', '/.%2e//evil.example', '/%2E%2E/%2F/evil.example',
    // Scheme-relative and slash/backslash mixes.
    '//evil.example', '///evil.example', '////evil.example', '/\\evil.example', '\\/evil.example', '\\\\evil.example',
    '/\\/evil.example', '\\//evil.example', '/ /evil.example', '/\\\\evil.example',
    // Percent-encoded slashes and backslashes, single and double.
    '%2F%2Fevil.example', '/%2F/evil.example', '/%2f%2fevil.example', '/%5Cevil.example', '%5C%5Cevil.example', '/%5c/evil.example',
    '%252F%252Fevil.example', '/%252F%252Fevil.example', '%2F..%2F%2Fevil.example',
    // Absolute URLs, every scheme the parser knows a special way.
    'https://evil.example', 'http://evil.example/', 'HTTPS://EVIL.EXAMPLE', 'http:evil.example', 'https:evil.example',
    'http:/evil.example', 'https:/evil.example', 'http:\\\\evil.example', 'https:\\/evil.example', 'ftp://evil.example', 'ws://evil.example',
    'file:///etc/passwd', 'file://evil.example/x',
    // Userinfo tricks.
    `//${appHost}@evil.example`, `http://${appHost}@evil.example/`, `${appOrigin}@evil.example`, `${appOrigin}.evil.example`,
    '/@evil.example', '@evil.example', '//@evil.example', '//user:pass@evil.example',
    // Script and other non-navigating schemes.
    'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', 'java\nscript:alert(1)', ' javascript:alert(1)',
    '\u0001javascript:alert(1)', 'javascript://%0aalert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)',
    'mailto:x@evil.example', 'blob:https://evil.example/uuid', 'about:blank',
    // Tabs, newlines and carriage returns the parser removes, and leading whitespace or control characters it trims.
    '/\t/evil.example', '/\n/evil.example', '/\r/evil.example', '/\r\n/evil.example', '\t//evil.example', '/\t\\evil.example',
    ' //evil.example', '  /\\evil.example', '\u0000//evil.example', '\u001f//evil.example', '\u000b//evil.example', '\f//evil.example',
    '//evil.example\t', '/%09/evil.example', '/%0a/evil.example', '/%0d%0a/evil.example', '/%00/evil.example',
    // Unicode look-alikes: fullwidth and other slashes, ideographic and fullwidth dots, fullwidth letters.
    '\uff0f\uff0fevil.example', '/\uff0fevil.example', '\uff3c\uff3cevil.example', '/\u2215\u2215evil.example', '/\u2044evil.example',
    '//evil\u3002example', '//evil\uff0eexample', '//evil\uff61example', '//\uff45\uff56\uff49\uff4c.example', '\u30fc//evil.example',
    '/\uff0e\uff0e//evil.example', '/%E3%80%82/evil.example', '//evil.example\u200b', '\u200b//evil.example', '\ufeff//evil.example',
    // Very long values.
    `/${'a'.repeat(5000)}`, `//${'a'.repeat(3000)}.example`, `/${'../'.repeat(700)}/evil.example`,
    // Ordinary app paths (must keep working).
    '/', '/dashboard?tab=open#top', '/reports?next=https://evil.example', '/a//b', '/%2F%2Fevil',
  ];
}

/** What some values must come out as (the rest only have to stay on the app's origin). */
export const EXPECTED_TARGETS: ReadonlyArray<[string, string | null]> = [
  ['/..//evil.example', null],
  ['/%2e%2e//evil.example', null],
  ['//evil.example', null],
  ['/\\evil.example', null],
  ['/\t/evil.example', null],
  ['\u0000//evil.example', null],
  ['https://evil.example', null],
  ['javascript:alert(1)', null],
  ['data:text/html,<script>alert(1)</script>', null],
  ['//evil\u3002example', null],
  [`/${'a'.repeat(5000)}`, null],
  ['/', '/'],
  ['/dashboard?tab=open#top', '/dashboard?tab=open#top'],
  ['/reports?next=https://evil.example', '/reports?next=https://evil.example'],
  ['/a/../b', '/b'],
  ['/%2F%2Fevil', '/%2F%2Fevil'],
  ['/a//b', '/a//b'],
];
