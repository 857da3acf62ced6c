/** The public summary document: aggregates only, per UTC day. Served by /api/summary and drawn by the dashboard. */

export interface Count {
  value: string;
  count: number;
}

/** How many instances reported something, and the split of their answers ("N of M reported"). */
export interface Breakdown {
  reported: number;
  values: Count[];
}

export interface Bin {
  label: string;
  /** Inclusive lower edge; the bin ends where the next begins. */
  from: number;
  count: number;
}

export interface NumberStats {
  reported: number;
  bins: Bin[];
  /** Present only when at least K_ANONYMITY instances reported the number. */
  percentiles?: { p25: number; p50: number; p75: number; p90: number; p99: number };
  mean?: number;
}

export interface UsageCount {
  value: string;
  /** Instances that reported this value. */
  instances: number;
  /** Sum over those instances (players, or tracks). */
  total: number;
}

export interface Usage {
  reported: number;
  values: UsageCount[];
}

export interface Feature {
  flag: string;
  enabled: number;
  reported: number;
}

export type IncompleteReason =
  /** The day is not over yet. */
  | 'in-progress'
  /** The collector was not running for part of the day (see collectorDownMinutes). */
  | 'collector-down'
  /** More than 20% fewer instances than the day before: probably lost reports, not lost servers. */
  | 'drop';

export interface DaySummary {
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
  cpus: NumberStats;
  fs: Record<string, Breakdown>;
  library: Record<string, NumberStats>;
  players: Usage;
  fileSuffixes: Usage;
  features: Feature[];
}
