/**
 * Serves the built renderer over the fake agent, for trying the UI by hand:
 *   npx tsx test/e2e/support/serve-fake.ts [--history N] [--locked] [--fresh] [--port N]
 * Prints the address (with its secret). Ctrl+C stops it.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { startServe } from '../../../headless/serve/server';
import { createFakeApi } from '../../support/fake-api';
import { buildRenderer } from './build';

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      history: { type: 'string', default: '120' },
      locked: { type: 'boolean' },
      fresh: { type: 'boolean' },
      port: { type: 'string', default: '0' },
      ticking: { type: 'boolean' },
    },
  });
  const api = createFakeApi({
    storedChoice: values.fresh || values.locked ? null : 'share',
    history: Number(values.history),
    ...(values.locked ? { env: { DO_NOT_TRACK: '1' } } : {}),
  });
  const server = await startServe({ api, staticDir: buildRenderer(), port: Number(values.port) });
  if (values.ticking) setInterval(() => api.tick(), 5000).unref();
  process.stdout.write(`Candor (fake agent): ${server.url}\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  await server.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main(process.argv.slice(2));
