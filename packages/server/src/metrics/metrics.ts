// What the domain reports to the operator's metrics (issue 18): a small interface carried in the ServerContext, so the
// domain never sees prom-client. Every argument becomes a label value only from a bounded set (see prometheus-metrics.ts).

export type LoginOutcome = 'succeeded' | 'failed' | 'throttled';
export type ReusedCredential = 'refresh_token' | 'authorization_code';
export type LogoutDeliveryOutcome = 'delivered' | 'retry' | 'failed';

export interface Metrics {
  /** A token response was issued for a registered client. */
  tokenIssued(grantType: string, clientId: string): void;
  /** A password sign-in ended (either login form). */
  login(outcome: LoginOutcome): void;
  /** A replayed one-time credential was detected (and its grant revoked). */
  reuseDetected(credential: ReusedCredential): void;
  /** A back-channel logout delivery attempt ended (delivered, failed and retried later, or given up). */
  logoutDelivery(outcome: LogoutDeliveryOutcome): void;
}

/** Metrics that go nowhere (metrics turned off, or a context built without them). */
export const NO_METRICS: Metrics = {
  tokenIssued() {},
  login() {},
  reuseDetected() {},
  logoutDelivery() {},
};
