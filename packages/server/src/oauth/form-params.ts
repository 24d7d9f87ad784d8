// application/x-www-form-urlencoded parameters with the RFC 6749 §3.1 rules:
// parameters sent without a value are treated as omitted, and none may be included more than once.
import { InvalidRequest } from './errors.ts';

export class FormParams {
  readonly #values: Map<string, string[]>;

  constructor(values: Map<string, string[]>) {
    this.#values = values;
  }

  static parse(text: string): FormParams {
    const values = new Map<string, string[]>();
    for (const [name, value] of new URLSearchParams(text)) {
      const existing = values.get(name);
      if (existing) existing.push(value);
      else values.set(name, [value]);
    }
    return new FormParams(values);
  }

  static fromQuery(query: Record<string, string | string[] | undefined>): FormParams {
    const values = new Map<string, string[]>();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) values.set(name, Array.isArray(value) ? value : [value]);
    }
    return new FormParams(values);
  }

  /** The single value of `name`, or undefined when absent or empty; repeated → invalid_request. */
  get(name: string): string | undefined {
    const values = this.#values.get(name)?.filter((v) => v !== '');
    if (!values || values.length === 0) return undefined;
    if (values.length > 1) throw new InvalidRequest(`parameter "${name}" is included more than once`);
    return values[0];
  }

  /** Like get, but absent → invalid_request naming the parameter. */
  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new InvalidRequest(`missing required parameter "${name}"`);
    return value;
  }

  has(name: string): boolean {
    return (this.#values.get(name) ?? []).some((v) => v !== '');
  }

  names(): string[] {
    return [...this.#values.keys()];
  }

  /** Throws invalid_request for the first parameter that appears more than once (RFC 6749 §3.2). */
  assertNoRepeats(): void {
    for (const name of this.#values.keys()) this.get(name);
  }
}
