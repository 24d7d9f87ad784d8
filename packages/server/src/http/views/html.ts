// HTML escaping for server-rendered pages: every interpolated value goes through escapeHtml (OWASP XSS rule #1/#2).

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A trusted HTML fragment (already escaped or constant). */
export interface Html {
  readonly __html: string;
}

export const raw = (html: string): Html => ({ __html: html });

/** Tagged template: interpolated strings are escaped, Html fragments and arrays of them are inserted as is. */
export function html(strings: TemplateStringsArray, ...values: Array<string | number | Html | Html[] | undefined | null | false>): Html {
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
