// The importer's backend calling the Contacts API with the session's access token (RFC 6750 §2.1 Authorization
// header). The token comes from the client kit and goes only to the API; each call is written into the flow trace.
import type { FlowTraces, TraceField } from './flow-trace.ts';

export interface Contact {
  id: string;
  name: string;
  email: string;
}

export type ApiOutcome<T> =
  | { ok: true; value: T }
  /** revoked: 401 invalid_token (revoked or expired); forbidden: 403 insufficient_scope; invalid: 400 with a reason. */
  | { ok: false; reason: 'revoked' | 'forbidden' | 'invalid' | 'unavailable'; status: number; message: string };

export interface ApiCall {
  apiUrl: string;
  accessToken: string;
  traces: FlowTraces;
  traceId: string | undefined;
}

function challengeError(response: Response): string | undefined {
  return /error="([a-z_]+)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1];
}

async function call<T>(api: ApiCall, method: 'GET' | 'POST', path: string, body: unknown, describe: (value: T) => TraceField[]): Promise<ApiOutcome<T>> {
  const url = `${api.apiUrl}${path}`;
  const sent: TraceField[] = [{ name: 'Authorization', value: 'Bearer access token (redacted)', redacted: true }];
  if (body !== undefined) sent.push(...Object.entries(body as Record<string, string>).map(([name, value]) => ({ name, value })));
  const record = (received: TraceField[], note?: string) => api.traces.add(api.traceId, {
    kind: 'api-call', channel: 'back', request: `${method} ${url}`,
    title: "The importer's backend called the Contacts API with the access token", sent, received, ...(note ? { note } : {}),
  });
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${api.accessToken}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    record([{ name: 'result', value: 'no answer' }]);
    return { ok: false, reason: 'unavailable', status: 502, message: `The Contacts API at ${api.apiUrl} did not answer.` };
  }
  const payload = await response.json().catch(() => undefined) as Record<string, unknown> | undefined;
  if (response.ok) {
    const value = payload as T;
    record([{ name: 'status', value: String(response.status) }, ...describe(value)]);
    return { ok: true, value };
  }
  const error = challengeError(response) ?? (typeof payload?.error === 'string' ? payload.error : undefined);
  const received = [{ name: 'status', value: String(response.status) }, ...(error ? [{ name: 'error', value: error }] : [])];
  if (response.status === 401) {
    record(received, 'The API asked the server about the token (introspection): it is no longer active, because the access was revoked (or it expired).');
    return { ok: false, reason: 'revoked', status: 401, message: 'The Contacts API no longer accepts the importer\'s token.' };
  }
  if (response.status === 403) {
    record(received, 'The token does not carry the scope this call needs.');
    return { ok: false, reason: 'forbidden', status: 403, message: 'The Contacts API answered 403 insufficient_scope: the importer\'s token lacks the permission this call needs.' };
  }
  record(received);
  const description = typeof payload?.error_description === 'string' ? payload.error_description : `the Contacts API answered ${response.status}`;
  return { ok: false, reason: response.status === 400 ? 'invalid' : 'unavailable', status: response.status, message: description };
}

export function listContacts(api: ApiCall): Promise<ApiOutcome<{ contacts: Contact[] }>> {
  return call(api, 'GET', '/contacts', undefined, (value) => [{ name: 'contacts', value: `${value.contacts.length} received` }]);
}

export function addContact(api: ApiCall, contact: { name: string; email: string }): Promise<ApiOutcome<{ contact: Contact }>> {
  return call(api, 'POST', '/contacts', contact, (value) => [{ name: 'created', value: value.contact.name }]);
}
