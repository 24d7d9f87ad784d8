// `npm run bench`: Latchkey's token endpoint side by side with node-oidc-provider and a signing-only
// ceiling. See bench/README.md for what is measured and how to read it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseBenchArgs, USAGE, UsageError } from './src/bench-options.ts';
import { formatReport } from './src/format-report.ts';
import { runBench } from './src/run-bench.ts';

async function main(): Promise<number> {
  const options = parseBenchArgs(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const result = await runBench(options, options.json ? (line) => console.error(line) : (line) => console.log(line));
  if (options.output) {
    mkdirSync(dirname(options.output), { recursive: true });
    writeFileSync(options.output, `${JSON.stringify(result, null, 2)}\n`);
  }
  if (options.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`\n${formatReport(result)}`);
    if (options.output) console.log(`\nresult written to ${options.output}`);
  }
  // Non-2xx responses or connection errors make the numbers meaningless: fail the run.
  return result.problems.length > 0 ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof UsageError ? error.message : error);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
