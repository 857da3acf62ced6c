import type { NativeApi } from './native-api';
import { REQUEST_TIMEOUT_MS } from './server-facts';

/**
 * What Navidrome's Prometheus endpoint says about the server process (docs/navidrome-api.md §5):
 * mounted only when `Prometheus.Enabled`, at `/metrics` by default, without Navidrome's sign-in.
 * Its default registry holds Go's collector, whose `go_memstats_sys_bytes` is `runtime.MemStats.Sys`,
 * the very figure Navidrome's own insights send as `mem.sys` (core/metrics/insights.go), and the
 * process collector's `process_start_time_seconds`.
 */
export interface ServerMetrics {
  /** Epoch ms the server process started. */
  startedAt?: number;
  /** Bytes of memory the Go runtime obtained from the OS (`runtime.MemStats.Sys`). */
  goSysBytes?: number;
}

/** Enough for Navidrome's metrics (tens of KB) with room to spare. */
const MAX_METRICS_BYTES = 4 * 1024 * 1024;

/** The metrics at the default path; null when there are none to read (disabled, behind a password, not Prometheus). Never throws. */
export async function readServerMetrics(api: NativeApi): Promise<ServerMetrics | null> {
  const res = await api.http
    .request({ method: 'GET', url: `${api.base}/metrics`, timeoutMs: REQUEST_TIMEOUT_MS, maxBytes: MAX_METRICS_BYTES })
    .catch(() => null);
  if (!res || res.status !== 200) return null;
  const metrics = parseServerMetrics(res.body);
  return metrics.startedAt !== undefined || metrics.goSysBytes !== undefined ? metrics : null;
}

/** The two samples Candor uses, from Prometheus' text format (or OpenMetrics); a sample that is not a sane number is ignored. */
export function parseServerMetrics(text: string): ServerMetrics {
  const out: ServerMetrics = {};
  const start = sample(text, 'process_start_time_seconds');
  if (start !== undefined && start > 0) out.startedAt = Math.round(start * 1000);
  const sys = sample(text, 'go_memstats_sys_bytes');
  if (sys !== undefined && sys >= 0 && Number.isSafeInteger(Math.round(sys))) out.goSysBytes = Math.round(sys);
  return out;
}

/** The value of an unlabelled (or labelled) gauge sample, optionally followed by a timestamp. */
function sample(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})?[ \\t]+([0-9.eE+-]+)(?:[ \\t]+-?[0-9]+)?[ \\t]*\\r?$`, 'm').exec(text);
  const value = match ? Number(match[1]) : NaN;
  return Number.isFinite(value) ? value : undefined;
}
