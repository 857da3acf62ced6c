/** `GET /api/events`: the agent's events as server-sent events, the current status first. */
import type http from 'node:http';
import type { AgentEvent, CandorApi } from '../../shared/api-contract';
import { apiError } from './responses';

/** Concurrent event streams; more are refused (a page holds one). */
export const MAX_EVENT_STREAMS = 32;
const HEARTBEAT_MS = 15_000;

export function eventStreams(api: CandorApi) {
  const streams = new Set<http.ServerResponse>();

  const open = (res: http.ServerResponse): void => {
    if (streams.size >= MAX_EVENT_STREAMS) {
      apiError(res, 503, 'unavailable', 'Too many open event streams.', { 'Retry-After': '5' });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    streams.add(res);
    let id = 0;
    const write = (event: AgentEvent) => {
      if (res.writableEnded) return;
      res.write(`id: ${++id}\ndata: ${JSON.stringify(event)}\n\n`);
    };
    res.write('retry: 2000\n\n');
    const unsubscribe = api.subscribe(write);
    // The current state first, so a page that reconnects is up to date at once.
    api.getStatus().then(
      (status) => write({ type: 'status', status }),
      () => undefined,
    );
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    heartbeat.unref();
    // The response closes when the client goes away (or on close()): that is the one reliable signal.
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  };

  const closeAll = (): void => {
    for (const stream of streams) stream.end();
    streams.clear();
  };

  return { open, closeAll };
}
