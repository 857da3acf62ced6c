import { readServerMetrics } from './prometheus';
import { parseJson } from './server-facts';
import type { NativeApi } from './native-api';

/** Navidrome sends `serverStart` the moment a client connects; silence this long means it never will. */
const EVENT_WAIT_MS = 1500;

export type StartTime = { startedAt: number; version?: string; source: 'event-stream' | 'prometheus' };

/** What the server says about its own process: when it started, and the memory its Go runtime holds. */
export interface ServerRuntime {
  start: StartTime | null;
  /** `go_memstats_sys_bytes`, when its Prometheus metrics can be read. */
  goSysBytes?: number;
}

/**
 * The event stream and the Prometheus metrics, asked at once: the start time from the event stream,
 * else from Prometheus; the memory from Prometheus alone (Navidrome says it nowhere else). Never throws.
 */
export async function readServerRuntime(api: NativeApi): Promise<ServerRuntime> {
  const [events, metrics] = await Promise.all([serverStartFromEvents(api).catch(() => null), readServerMetrics(api)]);
  const start = events ?? (metrics?.startedAt !== undefined ? { startedAt: metrics.startedAt, source: 'prometheus' as const } : null);
  return { start, ...(metrics?.goSysBytes !== undefined ? { goSysBytes: metrics.goSysBytes } : {}) };
}

/** Navidrome announces its start time to every new event-stream client (server/events/sse.go). */
async function serverStartFromEvents(api: NativeApi): Promise<StartTime | null> {
  const res = await api.get('/api/events', {}, { readUntil: /event:\s*serverStart[\s\S]*?\n\n/, timeoutMs: EVENT_WAIT_MS });
  if (res.status !== 200) return null;
  const match = /event:\s*serverStart\s*\n(?:[^\n]*\n)*?data:\s*(\{[^\n]*\})/.exec(res.body);
  const data = match ? parseJson(match[1]!) : null;
  const startedAt = typeof data?.startTime === 'string' ? Date.parse(data.startTime) : NaN;
  if (!Number.isFinite(startedAt)) return null;
  return { startedAt, source: 'event-stream', ...(typeof data?.version === 'string' ? { version: data.version } : {}) };
}
