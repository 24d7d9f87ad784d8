// A bound on the diagnostic `request.failed` events one server writes: an error page costs the caller one cheap GET,
// so without a bound anyone could turn requests into database rows at line rate. Past the budget the event is not
// written (its log line still is); the budget refills every second.

/** Diagnostic events per second per server instance. */
export const DIAGNOSTIC_EVENTS_PER_SECOND = 20;

export class DiagnosticBudget {
  readonly #perSecond: number;
  #second = -1;
  #used = 0;

  constructor(perSecond = DIAGNOSTIC_EVENTS_PER_SECOND) {
    this.#perSecond = perSecond;
  }

  /** True when one more event may be written in the second `nowMs` falls in. */
  take(nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#used = 0;
    }
    if (this.#used >= this.#perSecond) return false;
    this.#used += 1;
    return true;
  }
}

const budgets = new WeakMap<object, DiagnosticBudget>();

/** The budget of one server (keyed by its context object). */
export function diagnosticBudgetOf(server: object): DiagnosticBudget {
  let budget = budgets.get(server);
  if (!budget) budgets.set(server, (budget = new DiagnosticBudget()));
  return budget;
}
