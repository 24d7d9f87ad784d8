// HTML escaping for the demo pages: every interpolated value is escaped unless it is an Html fragment (OWASP XSS rule #1).

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A trusted HTML fragment (constant or already escaped). */
export interface Html {
  readonly __html: string;
}

export type HtmlValue = string | number | Html | Html[] | undefined | null | false;

export const raw = (html: string): Html => ({ __html: html });

/** Tagged template: strings and numbers are escaped; Html fragments and arrays of them are inserted as they are. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    if (Array.isArray(value)) out += value.map((v) => v.__html).join('');
    else if (value === undefined || value === null || value === false) out += '';
    else if (typeof value === 'object') out += value.__html;
    else out += escapeHtml(String(value));
    out += strings[i + 1] ?? '';
  });
  return raw(out);
}
