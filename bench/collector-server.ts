// A collector for bench/collector-rounds.ts: the real service in-process, settings from the
// environment, "listening on <url>" on stdout, stopped by SIGTERM.
import { DEFAULT_SUMMARY_MAX_AGE_MS } from '../collector/app';
import { startCollector } from '../collector/index';

const collector = await startCollector({
  dataDir: process.env.BENCH_DIR!,
  trustProxy: ['127.0.0.1'],
  summaryMaxAgeMs: DEFAULT_SUMMARY_MAX_AGE_MS,
  countAdmissions: process.env.BENCH_COUNT_ADMISSIONS !== 'off',
  oddValues: process.env.BENCH_ODD_VALUES === 'refuse' ? 'refuse' : 'drop',
});
process.stdout.write(`listening on ${collector.url}\n`);
process.on('SIGTERM', () => {
  void collector.close().then(() => process.exit(0));
});
