/**
 * The Navidrome-compatible test server as a process of its own, for a test that runs it where the
 * agent is not (another network namespace): `node --import tsx main.ts --host ADDRESS
 * [--no-prometheus]` prints one JSON line, `{ url, seed }`, once it listens, and stops on SIGTERM.
 */
import { startNavidromeTestServer } from './index';

const args = process.argv.slice(2);
const host = args[args.indexOf('--host') + 1];
const server = await startNavidromeTestServer({ prometheusEnabled: !args.includes('--no-prometheus') }, { host });
process.stdout.write(`${JSON.stringify({ url: server.url, seed: server.seed })}\n`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
