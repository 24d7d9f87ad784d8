// The audit trail around the store: every recorded event gets the request id it happened in, and is also written as
// one JSON line (schema version 1, docs/audit-events.md) to the configured stream for a SIEM.
import { appendFileSync } from 'node:fs';
import type { AuditStore } from '../store/audit-store.ts';
import type { AuditEvent } from '../store/records.ts';
import { AUDIT_SCHEMA_VERSION } from './audit-event-types.ts';
import { currentRequestId } from './request-scope.ts';

/** Where event lines go: a writable with `write(line)`, or nothing. */
export interface AuditSink {
  write(line: string): void;
}

/** `stdout`, a file path (appended to), or '' for none. */
export function auditSinkFor(setting: string, stdout: AuditSink = process.stdout): AuditSink | undefined {
  if (!setting) return undefined;
  if (setting === 'stdout') return stdout;
  return { write: (line) => appendFileSync(setting, line) };
}

/** The JSON line of an event: stable field names, ISO time, schema version. */
export function auditLine(event: AuditEvent, now: number): string {
  return `${JSON.stringify({
    audit: AUDIT_SCHEMA_VERSION, time: new Date(now * 1000).toISOString(), type: event.type, request_id: event.requestId ?? null,
    client_id: event.clientId ?? null, user_id: event.userId ?? null, detail: event.detail ?? {},
  })}\n`;
}

const TRAIL = Symbol('latchkey.auditTrail');

interface TrailState {
  sink: AuditSink | undefined;
  onSinkError: (error: unknown) => void;
}

/**
 * Gives `store` (in place, so whoever holds the store, tests included, sees the same object) a recordAuditEvent that
 * adds the current request id and writes the stream line after the row. Wrapping a store twice only changes its sink.
 */
export function withAuditTrail<S extends AuditStore>(store: S, sink: AuditSink | undefined, onSinkError: (error: unknown) => void): S {
  const holder = store as S & { [TRAIL]?: TrailState };
  const existing = holder[TRAIL];
  if (existing) {
    existing.sink = sink;
    existing.onSinkError = onSinkError;
    return store;
  }
  const state: TrailState = { sink, onSinkError };
  const record = store.recordAuditEvent.bind(store);
  Object.defineProperty(store, TRAIL, { value: state, enumerable: false });
  store.recordAuditEvent = async (event: AuditEvent, now: number) => {
    const full = { ...event, requestId: event.requestId ?? currentRequestId() ?? null };
    await record(full, now);
    if (!state.sink) return;
    try {
      state.sink.write(auditLine(full, now));
    } catch (error) {
      state.onSinkError(error); // a full disk must not fail the sign-in that was already recorded
    }
  };
  return store;
}
