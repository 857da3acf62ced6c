// `npm run bench`: every benchmark, each with baselines measured in the same run, plus the machine.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchHostFacts } from './host-facts';
import { formatBenchTable, type BenchResult } from './measure';
import { benchPreview } from './preview';
import { benchStartupReport } from './start-up';
import { benchState, benchStateWrites } from './state';

/** A suite returns rows for the common table, or prints its own report and returns anything else. */
type Suite = { title: string; run: () => Promise<unknown> };

const optional = (file: string, exportName: string, title: string): Suite[] =>
  existsSync(path.join(import.meta.dirname, file))
    ? [
        {
          title,
          run: async () => {
            const mod = (await import(`./${file}`)) as Record<string, () => Promise<unknown>>;
            return mod[exportName]!();
          },
        },
      ]
    : [];

const suites: Suite[] = [
  { title: 'Host facts (Candor vs Node built-ins vs systeminformation)', run: benchHostFacts },
  { title: 'Preview: first collection against a local Navidrome-compatible server, and the warm refresh', run: benchPreview },
  { title: 'Shared state: the re-check on every use and the re-read under the lock before a send', run: benchState },
  { title: 'Shared state: one change written (lock, re-check, atomic durable write)', run: benchStateWrites },
  { title: 'CLI start-up: the bins against `node -e 0` in the same run (paired runs, median)', run: benchStartupReport },
  ...optional('collector.ts', 'benchCollector', 'Collector ingest'),
  ...optional('collector-admission.ts', 'benchAdmission', 'Collector admission count: its cost against the same pipeline without it'),
  ...optional(
    'collector-normalization.ts',
    'benchNormalization',
    'Collector normalization (an odd value costs its field): its cost against the strict reading',
  ),
  // Not named "collector": `npm run bench -- collector` stays a minute long. Its size: bench/collector-scale.ts.
  ...optional('collector-scale.ts', 'benchCollectorScale', 'Fleet scale: a month of a whole fleet, on SQLite and PostgreSQL'),
  ...optional('ui.ts', 'benchUi', 'Admin UI in Chromium'),
];

const only = process.argv.slice(2);
console.log(
  `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()}/${os.arch()}, Node ${process.version}`,
);
for (const suite of suites) {
  if (only.length && !only.some((o) => suite.title.toLowerCase().includes(o.toLowerCase()))) continue;
  console.log(`\n## ${suite.title}\n`);
  const result = await suite.run();
  if (Array.isArray(result)) console.log(formatBenchTable(result as BenchResult[]));
}
console.log('\nmax stall = longest event-loop delay sampled every 1 ms; about 1-5 ms is the idle floor on this VM.');
