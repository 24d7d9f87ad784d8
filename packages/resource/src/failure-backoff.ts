// Backoff after a failed metadata (RFC 8414 §3) or JWKS (RFC 7517 §5) fetch, so incoming tokens cannot make us hammer a down issuer.

/** After a failure, refuses new attempts for `backoffMs`, re-throwing the failure instead. */
export interface FailureBackoff {
  /** Throws the remembered failure while the backoff window is open. */
  assertOpen(): void;
  recordFailure(error: unknown): void;
  recordSuccess(): void;
}

export function createFailureBackoff(backoffMs: number, now: () => number = Date.now): FailureBackoff {
  let failedAt = Number.NEGATIVE_INFINITY;
  let lastFailure: unknown;
  return {
    assertOpen() {
      if (now() - failedAt < backoffMs) throw lastFailure;
    },
    recordFailure(error) {
      failedAt = now();
      lastFailure = error;
    },
    recordSuccess() {
      failedAt = Number.NEGATIVE_INFINITY;
      lastFailure = undefined;
    },
  };
}
