/**
 * Prometheus.MetricsPath (default /metrics), mounted only when Prometheus.Enabled, optionally behind
 * HTTP basic auth (user "navidrome", password Prometheus.Password). promhttp over the default
 * registry: Go/process collectors (go_memstats_sys_bytes, process_resident_memory_bytes,
 * process_start_time_seconds) plus Navidrome's own gauges.
 */
import type { NavidromeSeed } from './seed';
import { goFloat } from './util';
import type { Reply } from './rest';

export function metricsReply(seed: NavidromeSeed, accept: string | undefined): Reply {
  const start = Date.parse(seed.startTime) / 1000;
  const songs = seed.songs.length; // CountAll() as a headless (admin-less) context: missing included
  const openMetrics = (accept ?? '').includes('application/openmetrics-text');
  // OpenMetrics names a counter family without its _total suffix; the sample keeps it.
  const cpu = openMetrics ? 'process_cpu_seconds' : 'process_cpu_seconds_total';
  const lines = [
    '# HELP db_model_totals Total number of DB items per model',
    '# TYPE db_model_totals gauge',
    `db_model_totals{model="album"} ${goFloat(seed.albums.length)}`,
    `db_model_totals{model="artist"} ${goFloat(seed.artists.length)}`,
    `db_model_totals{model="media"} ${goFloat(songs)}`,
    `db_model_totals{model="user"} ${goFloat(seed.users.length)}`,
    '# HELP go_goroutines Number of goroutines that currently exist.',
    '# TYPE go_goroutines gauge',
    'go_goroutines 42',
    '# HELP go_info Information about the Go environment.',
    '# TYPE go_info gauge',
    'go_info{version="go1.25.1"} 1',
    // client_golang's Go collector: Sys as runtime.MemStats says it (prometheus/go_collector.go).
    '# HELP go_memstats_sys_bytes Number of bytes obtained from system. Equals to /memory/classes/total:byte.',
    '# TYPE go_memstats_sys_bytes gauge',
    `go_memstats_sys_bytes ${goFloat(seed.memory.goSysBytes)}`,
    '# HELP navidrome_info Information about Navidrome version',
    '# TYPE navidrome_info gauge',
    `navidrome_info{version="${seed.version}"} 1`,
    `# HELP ${cpu} Total user and system CPU time spent in seconds.`,
    `# TYPE ${cpu} counter`,
    'process_cpu_seconds_total 12.34',
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${goFloat(seed.memory.residentBytes)}`,
    '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.',
    '# TYPE process_start_time_seconds gauge',
    `process_start_time_seconds ${goFloat(Math.round(start * 100) / 100)}`,
  ];
  if (openMetrics) {
    return {
      status: 200,
      headers: { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores' },
      body: `${lines.join('\n')}\n# EOF\n`,
    };
  }
  return {
    status: 200,
    headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores' },
    body: `${lines.join('\n')}\n`,
  };
}

/** chi middleware.BasicAuth("metrics", {"navidrome": password}). */
export function metricsAuthFailure(authorization: string | undefined, password: string): Reply | null {
  if (!password) return null;
  const m = /^Basic\s+(.+)$/i.exec(authorization ?? '');
  if (m) {
    const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i >= 0 && decoded.slice(0, i) === 'navidrome' && decoded.slice(i + 1) === password) return null;
  }
  return { status: 401, headers: { 'www-authenticate': 'Basic realm="metrics"' }, body: '' };
}
