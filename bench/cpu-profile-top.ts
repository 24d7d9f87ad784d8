// `node bench/cpu-profile-top.ts FILE.cpuprofile [N] [FILTER]`: where a server spent its CPU time.
// Profiles come from `npm run bench -- --cpu-prof DIR` (one per server process). Prints the top N
// functions by self time, then by inclusive time (optionally only those whose name or file matches FILTER).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, count = '25', filter] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/cpu-profile-top.ts FILE.cpuprofile [N] [FILTER-REGEXP]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const top = Number(count);
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

const selfById = new Map<number, number>();
profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfById.values()].reduce((a, b) => a + b, 0);

const label = (node: ProfileNode) => {
  const where = node.callFrame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(packages|bench)\//, '$1/');
  return `${node.callFrame.functionName || '(anonymous)'}  ${where}${where ? `:${node.callFrame.lineNumber + 1}` : ''}`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, time] of selfById) {
  const key = label(nodes.get(id)!);
  self.set(key, (self.get(key) ?? 0) + time);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    const name = label(nodes.get(at)!);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + time);
  }
}
const pattern = filter ? new RegExp(filter) : null;
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, time] of [...map].filter(([n]) => !pattern || pattern.test(n)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * time) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
print('self time', self);
print('inclusive time', inclusive);
