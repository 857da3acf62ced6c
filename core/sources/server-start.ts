import { parseJson, REQUEST_TIMEOUT_MS } from './server-facts';
import type { NativeApi } from './native-api';

/** Navidrome sends `serverStart` the moment a client connects; silence this long means it never will. */
const EVENT_WAIT_MS = 1500;

export type StartTime = { startedAt: number; version?: string; source: 'event-stream' | 'prometheus' };

/** When the server process started: from its event stream, else from Prometheus; null when neither says. */
export async function readServerStart(api: NativeApi): Promise<StartTime | null> {
  return (await serverStartFromEvents(api).catch(() => null)) ?? (await serverStartFromPrometheus(api));
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

/** Prometheus' standard process metric, when the server exposes metrics at the default path without a password. */
async function serverStartFromPrometheus(api: NativeApi): Promise<StartTime | null> {
  const res = await api.http.request({ method: 'GET', url: `${api.base}/metrics`, timeoutMs: REQUEST_TIMEOUT_MS, maxBytes: 4 * 1024 * 1024 }).catch(() => null);
  if (!res || res.status !== 200) return null;
  const match = /^process_start_time_seconds(?:\{[^}]*\})?\s+([0-9.eE+]+)\s*$/m.exec(res.body);
  const seconds = match ? Number(match[1]) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? { startedAt: Math.round(seconds * 1000), source: 'prometheus' } : null;
}
