// A strict parser of the Prometheus text exposition format (version 0.0.4): every sample belongs to a family announced
// by # HELP and # TYPE, names and labels are well formed, values are numbers. It throws on anything else, so a test
// that parses a scrape also proves the scrape is valid.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** Family name -> its TYPE. */
  types: Map<string, string>;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SUFFIXES: Record<string, string[]> = { counter: [''], gauge: [''], histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'], untyped: [''] };

export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const samples: Sample[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('the exposition must end with a newline');
  for (const [index, line] of lines.slice(0, -1).entries()) {
    const fail = (why: string): never => { throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`); };
    if (line === '') continue;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!match) fail('a comment that is neither HELP nor TYPE');
      const [, kind, name, rest] = match!;
      if (!NAME.test(name!)) fail('bad metric name');
      if (kind === 'HELP') helped.add(name!);
      else {
        if (!(rest! in SUFFIXES)) fail('unknown type');
        if (types.has(name!)) fail('TYPE repeated');
        types.set(name!, rest!);
      }
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match) fail('not a sample');
    const [, name, , labelText, valueText] = match!;
    const family = [...types.keys()].find((f) => SUFFIXES[types.get(f)!]!.some((s) => name === f + s));
    if (!family) fail('a sample with no TYPE');
    if (!helped.has(family!)) fail('a family with no HELP');
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') fail('bad value');
    samples.push({ name: name!, labels: parseLabels(labelText ?? '', fail), value });
  }
  return { types, samples };
}

function parseLabels(text: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const match = /^([^=]+)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/.exec(rest);
    if (!match) fail('bad label set');
    const [whole, name, raw] = match!;
    if (!LABEL.test(name!)) fail('bad label name');
    if (name! in labels) fail('label repeated');
    labels[name!] = raw!.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(whole.length);
  }
  return labels;
}

/** The sum of the samples named `name` whose labels include `labels`; 0 when there is none. */
export function sampleValue(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const matching = exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return matching.reduce((sum, s) => sum + s.value, 0);
}
