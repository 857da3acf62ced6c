/**
 * The command line is a contract operators script against: flags, the "listening on" line,
 * exit codes (0 stopped cleanly, 1 could not start, 2 bad usage) and one-line reasons.
 */
import { parseArgs } from 'node:util';
import { InvalidProxyList, ProxyTrust } from './http/client-address';
import type { LogLevel } from './platform';
import { RETENTION_DAYS } from './retention';
import type { StoreConfig } from './store/open';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const HELP = `Usage: candor-collector (--data-dir DIR | --database-url postgres://...) [options]
       candor-collector import FILE... (--data-dir DIR | --database-url postgres://...)

Receives anonymous usage reports from Candor and Navidrome (POST /collect), keeps raw reports
${RETENTION_DAYS} days and then deletes them, and serves daily summaries (/, /api/summary).

import stores export files written by an air-gapped Candor (report.candor.json) in the same
store, without a running server: it checks each file's sha256 and validates the report as
POST /collect does. One line per file; exit 0 when every file was imported or already present,
1 when some could not be (each named on stderr with the reason), 2 on bad usage.

Options:
  --port N             port to listen on (default 8080; 0 picks a free port)
  --host ADDR          address to listen on (default 127.0.0.1)
  --data-dir DIR       store in DIR/collector.sqlite (SQLite; DIR is created if missing)
  --database-url URL   store in PostgreSQL instead; CANDOR_COLLECTOR_DATABASE_URL works too
                       and keeps the password out of the process list
  --durability MODE    SQLite only: normal (default; a stored report survives the collector
                       being killed) or full (also survives a power cut: one fsync per batch)
  --trust-proxy LIST   comma-separated addresses or CIDRs of reverse proxies whose
                       X-Forwarded-For is believed (default: none)
  --log-level LEVEL    debug | info | warn | error (default info; debug logs each request)
  --name NAME          names this process in /metrics and the log (replicas told apart;
                       letters, digits and . _ : -, up to 64; default: random)
  -h, --help           show this help
  -v, --version        print the version

Prints "listening on <url>" on stdout once ready. SIGTERM or SIGINT: stop accepting, commit every
queued report, exit 0. Exit 1: the store or the port cannot be used. Exit 2: bad usage.`;

export interface CliConfig {
  host: string;
  port: number;
  store: StoreConfig;
  trustProxy: string[];
  logLevel: LogLevel;
  /** Undefined: a random name (app.ts). */
  name?: string;
}

export interface ImportConfig {
  files: string[];
  store: StoreConfig;
  logLevel: LogLevel;
}

export type CliParse =
  { kind: 'run'; config: CliConfig } | { kind: 'import'; config: ImportConfig } | { kind: 'help' } | { kind: 'version' } | { kind: 'usage'; message: string };

/** Flags that only mean something to a listening server. */
const SERVER_FLAGS = ['port', 'host', 'trust-proxy', 'name'] as const;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliParse {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        'trust-proxy': { type: 'string' },
        durability: { type: 'string' },
        'log-level': { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (error) {
    return { kind: 'usage', message: firstLine((error as Error).message) };
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [command, ...files] = positionals;
  const importing = command === 'import';
  if (command !== undefined && !importing) return { kind: 'usage', message: `unexpected argument '${clip(command)}' (the only command is import)` };
  if (importing) {
    const serverFlag = SERVER_FLAGS.find((flag) => values[flag] !== undefined);
    if (serverFlag) return { kind: 'usage', message: `--${serverFlag} is not used by import` };
    if (files.length === 0) return { kind: 'usage', message: 'import needs at least one FILE' };
  }

  const portText = values.port ?? '8080';
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65_535) return { kind: 'usage', message: `--port must be a number from 0 to 65535, not "${clip(portText)}"` };

  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') return { kind: 'usage', message: '--host must not be empty' };

  const databaseUrl = values['database-url'] ?? (env.CANDOR_COLLECTOR_DATABASE_URL || undefined);
  const dataDir = values['data-dir'];
  if (dataDir !== undefined && databaseUrl !== undefined) return { kind: 'usage', message: 'use either --data-dir or --database-url, not both' };
  if (dataDir === undefined && databaseUrl === undefined) return { kind: 'usage', message: 'one of --data-dir DIR or --database-url URL is required' };
  if (dataDir !== undefined && dataDir.trim() === '') return { kind: 'usage', message: '--data-dir must not be empty' };
  if (databaseUrl !== undefined && !/^postgres(?:ql)?:\/\//.test(databaseUrl)) return { kind: 'usage', message: '--database-url must start with postgres://' };

  const durability = values.durability;
  if (durability !== undefined && durability !== 'normal' && durability !== 'full') return { kind: 'usage', message: '--durability must be normal or full' };
  if (durability !== undefined && dataDir === undefined)
    return { kind: 'usage', message: '--durability applies to --data-dir (PostgreSQL follows its own synchronous_commit)' };

  const trustProxy = (values['trust-proxy'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  try {
    new ProxyTrust(trustProxy);
  } catch (error) {
    if (error instanceof InvalidProxyList) return { kind: 'usage', message: `--trust-proxy: ${clip(error.message)}` };
    throw error;
  }

  const logLevel = (values['log-level'] ?? 'info') as LogLevel;
  if (!LEVELS.includes(logLevel)) return { kind: 'usage', message: `--log-level must be one of ${LEVELS.join(', ')}` };
  const name = values.name;
  if (name !== undefined && !/^[A-Za-z0-9._:-]{1,64}$/.test(name))
    return { kind: 'usage', message: '--name must be 1 to 64 letters, digits, dots, dashes, colons or underscores' };
  const store: StoreConfig = dataDir !== undefined ? { kind: 'sqlite', dataDir, durability: durability ?? 'normal' } : { kind: 'postgres', url: databaseUrl! };
  if (importing) return { kind: 'import', config: { files, store, logLevel } };

  return {
    kind: 'run',
    config: {
      host,
      port,
      store,
      trustProxy,
      logLevel,
      ...(name !== undefined ? { name } : {}),
    },
  };
}

function firstLine(text: string): string {
  return clip(text.split('\n')[0] ?? text);
}

/** Usage messages echo operator input; keep them one short line. */
function clip(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}
