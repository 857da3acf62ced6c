/**
 * Process entry for `candor-collector` (bin/candor-collector.js): parse flags, open the store,
 * listen, print the URL, and on SIGTERM/SIGINT drain and exit 0; or, for `import`, store the
 * given export files and exit.
 */
import type { Collector } from './app';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, HELP, parseCli, type ImportConfig } from './cli';
import { DEFAULT_LIMITS } from './limits';
import { collectorLogger, realClock } from './platform';
import { RETENTION_DAYS } from './retention';
import { StoreUnavailable } from './store/errors';
import { CANDOR_VERSION } from '../lib/version';

// The server, the importer and the store drivers (better-sqlite3, pg) load once the flags are known
// to be good: `--help` and bad usage answer without them (the bundle keeps them in chunks).
const loadStores = () => import('./store/open');

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Registers the shutdown signal handler (the real process: SIGTERM and SIGINT). */
  onSignal(handler: () => void): void;
}

export async function runCollectorCli(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCli(argv, io.env);
  if (parsed.kind === 'help') {
    io.out(HELP);
    return EXIT_OK;
  }
  if (parsed.kind === 'version') {
    io.out(CANDOR_VERSION);
    return EXIT_OK;
  }
  if (parsed.kind === 'usage') {
    io.err(`candor-collector: ${parsed.message} (see --help)`);
    return EXIT_USAGE;
  }
  if (parsed.kind === 'import') return runImport(parsed.config, io);
  const { config } = parsed;
  const logger = collectorLogger(config.logLevel, io.err, realClock);

  let collector: Collector;
  try {
    const [{ openStore }, { createCollector }] = await Promise.all([loadStores(), import('./app')]);
    const store = await openStore(config.store);
    try {
      collector = await createCollector({
        store,
        host: config.host,
        port: config.port,
        trustProxy: config.trustProxy,
        logger,
        ...(config.name !== undefined ? { processName: config.name } : {}),
      });
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
  } catch (error) {
    io.err(`candor-collector: ${startFailure(error, config.host, config.port)}`);
    return EXIT_FAILED;
  }

  logger.log('info', 'collector started', {
    process: collector.metrics.process,
    store: collector.store.kind,
    location: collector.store.location,
    retentionDays: RETENTION_DAYS,
  });
  io.out(`listening on ${collector.url}`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    io.onSignal(() => {
      if (stopping) {
        // A second signal means "now": whatever is still queued was never acknowledged.
        io.err('candor-collector: stopped before the queue was committed (second signal)');
        resolve(EXIT_FAILED);
        return;
      }
      stopping = true;
      logger.log('info', 'stopping: draining the write queue');
      collector.close().then(
        () => {
          logger.log('info', 'stopped');
          resolve(EXIT_OK);
        },
        () => {
          io.err('candor-collector: could not commit the queue before stopping');
          resolve(EXIT_FAILED);
        },
      );
    });
  });
}

async function runImport(config: ImportConfig, io: CliIo): Promise<number> {
  const [{ openStore }, { importFiles }] = await Promise.all([loadStores(), import('./import')]);
  let store;
  try {
    store = await openStore(config.store);
  } catch (error) {
    io.err(`candor-collector: ${error instanceof StoreUnavailable ? error.message : 'the store could not be opened'}`);
    return EXIT_FAILED;
  }
  try {
    const { failed } = await importFiles(config.files, store, DEFAULT_LIMITS, realClock, io);
    return failed > 0 ? EXIT_FAILED : EXIT_OK;
  } finally {
    await store.close().catch(() => {});
  }
}

function startFailure(error: unknown, host: string, port: number): string {
  if (error instanceof StoreUnavailable) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `port ${port} on ${host} is already in use`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot listen on ${host}: no such local address`;
  if (code === 'EACCES') return `not allowed to listen on ${host}:${port}`;
  return `could not start (${code ?? (error as Error).name ?? 'error'})`;
}
