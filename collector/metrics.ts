/**
 * Counters for `GET /metrics` (Prometheus text format). Labels are fixed vocabularies
 * (rejection reasons, limiter scopes, the payload schema's field paths with map keys as `*`):
 * nothing a client sends ever becomes a label.
 */

export const REJECTION_REASONS = [
  'not-found',
  'method',
  'content-type',
  'too-large',
  'malformed-json',
  'schema',
  'timeout',
  'aborted',
  'bad-request',
  'header-too-large',
  'rate-limited',
  'forbidden',
  'queue-full',
  'store-error',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** The connections the server holds and those it closed on arrival (http/connections.ts). */
export interface ConnectionCounts {
  /** Open now. */
  open: number;
  /** Closed on arrival: their network already held its share. */
  refusedPerNetwork: number;
  /** Dropped by Node on arrival: the server held its `maxConnections`. */
  refusedServerFull: number;
}

const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class Metrics {
  /** Which process these counters are of: replicas behind one proxy answer /metrics in turn. */
  process = '';
  accepted = 0;
  replaced = 0;
  deletedRows = 0;
  purgedRows = 0;
  rateLimited = { address: 0, instance: 0 };
  readonly connections: ConnectionCounts = { open: 0, refusedPerNetwork: 0, refusedServerFull: 0 };
  readonly rejected = new Map<RejectionReason, number>(REJECTION_REASONS.map((r) => [r, 0]));
  private readonly flushBuckets = new Array<number>(LATENCY_BUCKETS_S.length).fill(0);
  private flushCount = 0;
  private flushSum = 0;
  batchRows = 0;
  lastPurgeAt: number | null = null;
  /** Passes this process saved, and passes dropped because another process saved one first. */
  summaryPasses = { saved: 0, superseded: 0 };
  /**
   * Commits the summaries counted from the reports in hand (this process's own that only added
   * rows), and read back from the feed. Not on /metrics, which anyone may read: a commit read back
   * instead of counted in hand would tell that a report's id already had a row (known-ids.test.ts).
   */
  summaryCommits = { inHand: 0, feed: 0 };
  /** Purges this process ran, and purges it left to the process holding the lease. */
  purgeRuns = { done: 0, skipped: 0 };
  /** Day salts this process made in the store, and ones it read there (made by another, or before a restart). */
  daySalts = { made: 0, read: 0 };
  /** Stored reports that lost an odd value, by the field's path: a new value a sender started to send shows here. */
  private readonly dropped = new Map<string, number>();

  reject(reason: RejectionReason): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  countDropped(paths: readonly string[]): void {
    for (const path of paths) this.dropped.set(path, (this.dropped.get(path) ?? 0) + 1);
  }

  observeFlush(seconds: number, rows: number): void {
    this.flushCount++;
    this.flushSum += seconds;
    this.batchRows += rows;
    for (let i = 0; i < LATENCY_BUCKETS_S.length; i++) if (seconds <= LATENCY_BUCKETS_S[i]!) this.flushBuckets[i]!++;
  }

  render(gauges: { queueDepth: number; oldestRawAgeSeconds: number | null; retentionDays: number; pendingDays: number }): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, lines: string[]) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    metric('collector_process_info', 'gauge', 'The process these metrics are of (host:pid:random unless named).', [
      `collector_process_info{process="${escapeLabel(this.process)}"} 1`,
    ]);
    metric('collector_reports_accepted_total', 'counter', 'Reports stored (answered 2xx after commit).', [`collector_reports_accepted_total ${this.accepted}`]);
    metric('collector_reports_replaced_total', 'counter', 'Accepted reports that replaced an earlier report of the same instance and UTC day.', [
      `collector_reports_replaced_total ${this.replaced}`,
    ]);
    metric(
      'collector_fields_dropped_total',
      'counter',
      "Stored reports that lost a value outside its field's shape, by field path (map keys as *).",
      [...this.dropped].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, count]) => `collector_fields_dropped_total{path="${path}"} ${count}`),
    );
    metric(
      'collector_requests_rejected_total',
      'counter',
      'Requests answered with an error, by reason.',
      [...this.rejected].map(([reason, count]) => `collector_requests_rejected_total{reason="${reason}"} ${count}`),
    );
    metric('collector_rate_limited_total', 'counter', 'Requests refused with 429, by limiter.', [
      `collector_rate_limited_total{scope="address"} ${this.rateLimited.address}`,
      `collector_rate_limited_total{scope="instance"} ${this.rateLimited.instance}`,
    ]);
    metric('collector_open_connections', 'gauge', 'Client connections open now.', [`collector_open_connections ${this.connections.open}`]);
    metric('collector_connections_refused_total', 'counter', 'Connections closed on arrival, by limit: their network held its share, or the server was full.', [
      `collector_connections_refused_total{limit="network"} ${this.connections.refusedPerNetwork}`,
      `collector_connections_refused_total{limit="server"} ${this.connections.refusedServerFull}`,
    ]);
    metric('collector_write_queue_depth', 'gauge', 'Reports and deletions waiting for the writer.', [`collector_write_queue_depth ${gauges.queueDepth}`]);
    // observeFlush counts into every bucket at or above the value, so these are already cumulative.
    const bucketLines = LATENCY_BUCKETS_S.map((le, i) => `collector_flush_duration_seconds_bucket{le="${le}"} ${this.flushBuckets[i]}`);
    metric('collector_flush_duration_seconds', 'histogram', 'Time to commit one batch.', [
      ...bucketLines,
      `collector_flush_duration_seconds_bucket{le="+Inf"} ${this.flushCount}`,
      `collector_flush_duration_seconds_sum ${this.flushSum.toFixed(6)}`,
      `collector_flush_duration_seconds_count ${this.flushCount}`,
    ]);
    metric('collector_flushed_rows_total', 'counter', 'Rows written by the writer (after collapsing duplicates within a batch).', [
      `collector_flushed_rows_total ${this.batchRows}`,
    ]);
    metric('collector_purged_rows_total', 'counter', 'Raw reports deleted by the retention purge.', [`collector_purged_rows_total ${this.purgedRows}`]);
    metric('collector_deleted_rows_total', 'counter', 'Raw reports deleted on request (DELETE /collect/{id}).', [
      `collector_deleted_rows_total ${this.deletedRows}`,
    ]);
    metric('collector_oldest_raw_report_age_seconds', 'gauge', 'Age of the oldest raw report still stored (0 when none).', [
      `collector_oldest_raw_report_age_seconds ${gauges.oldestRawAgeSeconds === null ? 0 : gauges.oldestRawAgeSeconds.toFixed(3)}`,
    ]);
    metric('collector_retention_days', 'gauge', 'Raw reports are deleted when they reach this age.', [`collector_retention_days ${gauges.retentionDays}`]);
    metric('collector_summary_passes_total', 'counter', 'Summary passes of this process: saved, or dropped because another process saved one first.', [
      `collector_summary_passes_total{result="saved"} ${this.summaryPasses.saved}`,
      `collector_summary_passes_total{result="superseded"} ${this.summaryPasses.superseded}`,
    ]);
    metric('collector_purge_runs_total', 'counter', 'Retention purges of this process: run, or left to the process holding the purge lease.', [
      `collector_purge_runs_total{result="done"} ${this.purgeRuns.done}`,
      `collector_purge_runs_total{result="skipped"} ${this.purgeRuns.skipped}`,
    ]);
    metric('collector_day_salts_total', 'counter', "Today's source salt: made in the store by this process, or read there.", [
      `collector_day_salts_total{action="made"} ${this.daySalts.made}`,
      `collector_day_salts_total{action="read"} ${this.daySalts.read}`,
    ]);
    metric('collector_summary_pending_days', 'gauge', 'Days whose summary does not yet include every stored change.', [
      `collector_summary_pending_days ${gauges.pendingDays}`,
    ]);
    return out.join('\n') + '\n';
  }
}

/** Prometheus label values escape backslash, quote and newline. */
function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}
