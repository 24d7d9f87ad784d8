// The request an audit event happens in, without passing it through every domain call: the HTTP layer runs each
// request inside `runInRequest`, and the audit trail reads `currentRequestId()` when it records (node:async_hooks).
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<{ requestId: string }>();

export function runInRequest<T>(requestId: string, work: () => T): T {
  return scope.run({ requestId }, work);
}

/** The id of the HTTP request being handled, or undefined outside one (CLI, background work). */
export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}
