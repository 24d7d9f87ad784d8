// What the domain reports to the operator's metrics (issue 18): a small interface carried in the ServerContext, so the
// domain never sees prom-client. Every argument becomes a label value only from a bounded set (see prometheus-metrics.ts).
import type { ClientRegistration } from '../store/records.ts';

export type LoginOutcome = 'succeeded' | 'failed' | 'throttled';
export type ReusedCredential = 'refresh_token' | 'authorization_code';
/** How a back-channel logout token delivery to a client ended (OpenID Connect Back-Channel Logout 1.0 §2.8). */
export type BackchannelOutcome = 'delivered' | 'rejected' | 'unreachable' | 'timeout';
export const BACKCHANNEL_OUTCOMES: readonly BackchannelOutcome[] = ['delivered', 'rejected', 'unreachable', 'timeout'];

export interface Metrics {
  /** A token response was issued for a registered client. Only operator-registered clients get their own label (default
   *  'operator'); a dynamically registered one is counted as "other", so self-registration cannot grow the series. */
  tokenIssued(grantType: string, clientId: string, registration?: ClientRegistration): void;
  /** A password sign-in ended (either login form). */
  login(outcome: LoginOutcome): void;
  /** A replayed one-time credential was detected (and its grant revoked). */
  reuseDetected(credential: ReusedCredential): void;
  /** One back-channel logout delivery attempt ended (200/204 = delivered, another status = rejected, a connection
   *  error = unreachable, no answer in time = timeout). */
  backchannelDelivery(outcome: BackchannelOutcome): void;
}

/** Metrics that go nowhere (metrics turned off, or a context built without them). */
export const NO_METRICS: Metrics = {
  tokenIssued() {},
  login() {},
  reuseDetected() {},
  backchannelDelivery() {},
};
