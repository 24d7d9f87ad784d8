// Just enough HTML form reading to sign in the way a browser would: each <form>'s action, method, inputs and
// submit buttons (attributes in any order, either quote style). Pages the probe cannot read are reported, not guessed.

export interface HtmlForm {
  action: string;
  method: string;
  inputs: { name: string; type: string; value: string }[];
  buttons: { name: string; value: string; text: string }[];
}

const decode = (value: string): string =>
  value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of tag.matchAll(/([a-zA-Z_:][-\w:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    out[match[1]!.toLowerCase()] = decode(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return out;
}

/** The forms of a page, with `action` resolved against the page URL. */
export function readForms(html: string, pageUrl: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributes(match[1] ?? '');
    const body = match[2] ?? '';
    const inputs = [...body.matchAll(/<input\b([^>]*)>/gi)].map((m) => attributes(m[1] ?? '')).filter((a) => a.name)
      .map((a) => ({ name: a.name!, type: (a.type ?? 'text').toLowerCase(), value: a.value ?? '' }));
    const buttons = [...body.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)]
      .map((m) => ({ attrs: attributes(m[1] ?? ''), text: (m[2] ?? '').replace(/<[^>]*>/g, '').trim() }))
      .filter((b) => (b.attrs.type ?? 'submit').toLowerCase() === 'submit')
      .map((b) => ({ name: b.attrs.name ?? '', value: b.attrs.value ?? '', text: b.text }));
    let action: string;
    try {
      action = new URL(attrs.action || pageUrl, pageUrl).toString();
    } catch {
      continue;
    }
    forms.push({ action, method: (attrs.method ?? 'get').toUpperCase(), inputs, buttons });
  }
  return forms;
}

const hasPassword = (form: HtmlForm): boolean => form.inputs.some((i) => i.type === 'password');

/** The sign-in form: the one with a password field. */
export const findLoginForm = (forms: HtmlForm[]): HtmlForm | undefined => forms.find(hasPassword);

const APPROVE = /^(allow|approve|accept|authorize|authorise|continue|confirm|consent|yes|grant|ok)\b/i;

/** A consent (or "continue") form: a POST form without a password whose submit button approves. */
export function findApproveForm(forms: HtmlForm[]): { form: HtmlForm; button: HtmlForm['buttons'][number] | undefined } | undefined {
  for (const form of forms) {
    if (hasPassword(form) || form.method !== 'POST') continue;
    const button = form.buttons.find((b) => APPROVE.test(b.value) || APPROVE.test(b.text));
    if (button || (form.buttons.length <= 1 && !/abort|cancel|deny|reject/i.test(form.buttons[0]?.text ?? ''))) return { form, button: button ?? form.buttons[0] };
  }
  return undefined;
}

/** The fields a browser would submit: hidden and prefilled inputs, then `overrides`, then the clicked button. */
export function formFields(form: HtmlForm, overrides: Record<string, string>, button?: HtmlForm['buttons'][number]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const input of form.inputs) {
    if (['submit', 'button', 'image', 'reset', 'file'].includes(input.type)) continue;
    if ((input.type === 'checkbox' || input.type === 'radio') && !input.value) continue;
    fields[input.name] = input.value;
  }
  Object.assign(fields, overrides);
  if (button?.name) fields[button.name] = button.value;
  return fields;
}
