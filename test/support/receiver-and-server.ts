/**
 * The two servers most CLI tests run against, started once per file: a loopback receiver standing in
 * for the collector, and the Navidrome-compatible test server.
 */
import type http from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import { loopbackServer } from './loopback';
import { startNavidromeTestServer, type NavidromeTestServer } from './navidrome';

export interface ReceiverAndServer {
  collector: Awaited<ReturnType<typeof loopbackServer>>;
  navidrome: NavidromeTestServer;
}

/** Registers the file's hooks; the returned object holds both servers once `beforeAll` has run. */
export function receiverAndServer(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): ReceiverAndServer {
  const servers = {} as ReceiverAndServer;
  beforeAll(async () => {
    servers.collector = await loopbackServer(answer);
    servers.navidrome = await startNavidromeTestServer();
  });
  afterAll(async () => {
    await servers.collector.close();
    await servers.navidrome.close();
  });
  return servers;
}
