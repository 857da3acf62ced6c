/** The public summary document: aggregates only, per UTC day. Served by /api/summary and drawn by the dashboard. */

export interface Count {
  value: string;
  count: number;
}

/**
 * How many reports carried a field, and the split of their answers. Values reported from fewer
 * than K_ANONYMITY networks are summed into "Other".
 */
export interface Breakdown {
  reported: number;
  values: Count[];
}

export interface Bin {
  label: string;
  /** Inclusive lower edge; the bin ends where the next begins. */
  from: number;
  /** Null: withheld, fewer than K_ANONYMITY networks (or withheld so no other bin can be worked out). */
  count: number | null;
}

/** A number, published as bins only: no exact value, percentile or mean ever leaves the collector. */
export interface Binned {
  /** Reports that carried the number. */
  reported: number;
  bins: Bin[];
  /** Reports in withheld bins: `reported` minus the published counts. */
  withheld: number;
}

export interface UsageCount {
  value: string;
  /** Reports that listed this value. */
  instances: number;
}

/** A map field (players, file formats): each report may list several values. */
export interface Usage {
  reported: number;
  values: UsageCount[];
}

export interface Feature {
  flag: string;
  /** Null when the servers with it on, or those with it off, came from fewer than K_ANONYMITY networks. */
  enabled: number | null;
  /** Reports that carried the flag (the denominator of `enabled`). */
  reported: number;
}

export type IncompleteReason =
  /** The day is not over yet. */
  | 'in-progress'
  /** The collector was not running for part of the day (see collectorDownMinutes). */
  | 'collector-down'
  /** More than 20% fewer instances than the day before: probably lost reports, not lost servers. */
  | 'drop';

/**
 * Summaries of an earlier format are upgraded on start (upgrade.ts): format 1 had exact values
 * (before bins and source thresholds), format 2 raw client names (before the player table), formats
 * 2 and 3 one memory histogram for Go's Sys and resident sizes alike.
 */
export const SUMMARY_FORMAT = 4;

export interface DaySummary {
  format: typeof SUMMARY_FORMAT;
  day: string;
  final: boolean;
  complete: boolean;
  incomplete: IncompleteReason[];
  collectorDownMinutes?: number;
  instances: number;
  agents: Breakdown;
  serverTypes: Breakdown;
  versions: Breakdown;
  os: Breakdown;
  arch: Breakdown;
  osArch: Breakdown;
  /** Linux distributions of servers not running in a container (a container's distro says little about the host). */
  distros: Breakdown;
  containerized: Breakdown;
  cpus: Binned;
  /**
   * Go's `runtime.MemStats.Sys` of the server (`mem.sys` from Navidrome, or from Candor reading the
   * server's Prometheus metrics). Absent from days summarized before format 2; days of formats 2 and
   * 3 whose reports are gone lose it (it mixed the resident figure in).
   */
  memory?: Binned;
  /** Resident memory of the server process (Candor's `mem.sys` with `candor.sources.memory` = `server-process`). Since format 4. */
  residentMemory?: Binned;
  /** Memory of the machine (`candor.hostMemory.total`). Absent from days summarized before format 2. */
  hostMemory?: Binned;
  /** Absent from days summarized before format 2. */
  uptime?: Binned;
  fs: Record<string, Breakdown>;
  library: Record<string, Binned>;
  players: Usage;
  fileSuffixes: Usage;
  features: Feature[];
}
