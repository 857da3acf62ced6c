/**
 * Every bound the service enforces, with its default. The CLI uses the defaults; tests and the
 * in-process `startCollector` may tighten them (a 300 ms body deadline instead of 15 s, say).
 */
export interface Limits {
  /** Navidrome's own receiver allows 100 KiB; a maximal valid report is well under 64 KiB. */
  maxBodyBytes: number;
  /** Larger request heads get 431 from Node's parser. */
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  /** Total time allowed for the body once the head has arrived (a slow body gets 408). */
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /**
   * Open connections per source network (IPv4 /24, IPv6 /64; trusted proxies exempt), well below
   * `maxConnections`: sockets held open from a few networks cannot shut everyone else out.
   */
  maxConnectionsPerNetwork: number;
  /** Deepest JSON nesting accepted anywhere in a body, known fields or not. */
  maxJsonDepth: number;
  /** Reports and deletions waiting for the writer; beyond this, 503. */
  queueCapacity: number;
  /** Most rows in one transaction. */
  maxBatch: number;
  /**
   * Least time from one commit's start to the next's. A writer idle for longer commits at once;
   * under load a commit holds what came meanwhile. At 2,000 reports/s commits of one or two reports
   * each wrote about five pages of SQLite's log a report (the row's page, the unique index's, the
   * feed and the two ordered indexes), so the log met its backstop checkpoint, a 35-57 ms wait for
   * every request, every 1.6 s: most of the p99 (docs/collector.md, Measured). It costs a request
   * at most this much more while the collector is busy.
   */
  minCommitIntervalMs: number;
  /** Per client address (IPv6 by /64): bucket size and refill rate. Loose on purpose: a NAT may hide many servers. */
  ipBurst: number;
  ipRefillPerSecond: number;
  /** Bucket table size; when full, the longest-idle buckets (which are full anyway) are dropped first. */
  ipMaxTracked: number;
  /** Stored writes per instance per UTC day; later reports that day get 429 until midnight UTC. */
  instanceWritesPerDay: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 100 * 1024,
  maxHeaderBytes: 8 * 1024,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 10_000,
  maxConnectionsPerNetwork: 100,
  maxJsonDepth: 16,
  queueCapacity: 20_000,
  maxBatch: 1_000,
  minCommitIntervalMs: 3,
  ipBurst: 120,
  ipRefillPerSecond: 1,
  ipMaxTracked: 200_000,
  instanceWritesPerDay: 10,
};

/** Retry-After sent with 503 when the queue is full or the store is failing. */
export const BUSY_RETRY_AFTER_S = 60;
