// A collector for the benches (bench/collector-rounds.ts, bench/collector-scale.ts): the real
// service in-process, settings from the environment (BENCH_DIR for SQLite, or BENCH_DATABASE_URL),
// "listening on <url>" on stdout, stopped by SIGTERM. SIGUSR2 prints the longest event-loop stall
// since the previous SIGUSR2 (`stall <ms>`): how long any request could have waited behind the
// server's own work (commits, summary passes, purges, garbage collection); and the commits its
// summaries counted from the reports in hand and read back from the feed (`commits <in hand> <feed>`).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEFAULT_SUMMARY_MAX_AGE_MS } from '../collector/app';
import { startCollector } from '../collector/index';

const collector = await startCollector({
  ...(process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : { dataDir: process.env.BENCH_DIR! }),
  trustProxy: ['127.0.0.1'],
  summaryMaxAgeMs: DEFAULT_SUMMARY_MAX_AGE_MS,
  countAdmissions: process.env.BENCH_COUNT_ADMISSIONS !== 'off',
  oddValues: process.env.BENCH_ODD_VALUES === 'refuse' ? 'refuse' : 'drop',
});
const stalls = monitorEventLoopDelay({ resolution: 1 });
stalls.enable();
process.stdout.write(`listening on ${collector.url}\n`);
process.on('SIGUSR2', () => {
  process.stdout.write(`stall ${(stalls.max / 1e6).toFixed(1)}\n`);
  process.stdout.write(`commits ${collector.collector.metrics.summaryCommits.inHand} ${collector.collector.metrics.summaryCommits.feed}\n`);
  stalls.reset();
});
process.on('SIGTERM', () => {
  void collector.close().then(() => process.exit(0));
});
