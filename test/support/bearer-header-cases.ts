// One table of Authorization headers and what RFC 6750 makes of them, run against the resource kit's extraction
// (packages/resource) and the server's (packages/server, UserInfo): the two packages must not answer differently.

/** `none`: no credentials (RFC 6750 §3.1: no error code); `invalid_request`: a malformed bearer credential. */
export type BearerHeaderOutcome = { token: string } | 'none' | 'invalid_request';

export const BEARER_HEADER_CASES: ReadonlyArray<readonly [header: string, outcome: BearerHeaderOutcome]> = [
  ['Bearer abc.def-ghi_~+/==', { token: 'abc.def-ghi_~+/==' }],
  ['bEaReR   abc', { token: 'abc' }],
  ['Bearer abc  ', { token: 'abc' }],
  ['', 'none'],
  // RFC 6750 §3.1: "attempted using an unsupported authentication method" counts as lacking authentication.
  ['Basic dXNlcjpwYXNz', 'none'],
  ['DPoP abc', 'none'],
  ['Bearer', 'invalid_request'],
  ['Bearer   ', 'invalid_request'],
  ['Bearer a b', 'invalid_request'],
  ['Bearer a=b', 'invalid_request'],
  ['Bearer a,b', 'invalid_request'],
  ['Bearer a"b', 'invalid_request'],
];
