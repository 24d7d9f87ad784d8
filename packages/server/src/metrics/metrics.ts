// What the domain reports to the operator's metrics (issue 18): a small interface carried in the ServerContext, so the
// domain never sees prom-client. Every argument becomes a label value only from a bounded set (see prometheus-metrics.ts).
import type { ClientRegistration } from '../store/records.ts';

export type LoginOutcome = 'succeeded' | 'failed' | 'throttled';
export type ReusedCredential = 'refresh_token' | 'authorization_code';
/** How a back-channel logout delivery attempt ended (OpenID Connect Back-Channel Logout 1.0 §2.5): delivered, failed and
 *  to be retried later, or given up after the last attempt. */
export type LogoutDeliveryOutcome = 'delivered' | 'retry' | 'failed';
export const LOGOUT_DELIVERY_OUTCOMES: readonly LogoutDeliveryOutcome[] = ['delivered', 'retry', 'failed'];

export interface Metrics {
  /** A token response was issued for a registered client. Only operator-registered clients get their own label (default
   *  'operator'); a dynamically registered one is counted as "other", so self-registration cannot grow the series. */
  tokenIssued(grantType: string, clientId: string, registration?: ClientRegistration): void;
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
