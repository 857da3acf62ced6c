/**
 * One UTC day's reports -> one DaySummary. Pure and deterministic: the same reports, in any order,
 * give the same document byte for byte (counts only; sorts break ties by value; means rounded).
 * Which fields exist comes from the payload schema, so a new flag shows up without a change here.
 */
import type { Payload } from '../../electron/core/schema/payload';
import { payloadSchema } from '../../electron/core/schema/payload';
import { dayLabel } from '../retention';
import { K_ANONYMITY, KNOWN_DISTROS, KNOWN_FS_TYPES, KNOWN_PLAYERS, KNOWN_SERVER_TYPES, KNOWN_SUFFIXES, OTHER } from './allowlists';
import type { Breakdown, DaySummary, Feature, IncompleteReason, NumberStats, Usage } from './types';

export const FEATURE_FLAGS: readonly string[] = Object.entries(payloadSchema.fields.config.fields)
  .filter(([, node]) => node.kind === 'bool')
  .map(([key]) => key);
export const LIBRARY_COUNTS: readonly string[] = Object.entries(payloadSchema.fields.library.fields)
  .filter(([, node]) => node.kind === 'int')
  .map(([key]) => key);
export const FS_FOLDERS: readonly string[] = Object.keys(payloadSchema.fields.fs.fields);

/** Bin edges as Navidrome's own summaries use them, so the two dashboards can be compared. */
const TRACK_BINS = [0, 1, 100, 500, 1_000, 5_000, 10_000, 20_000, 50_000, 100_000, 500_000, 1_000_000];
const ALBUM_BINS = [0, 1, 10, 50, 100, 500, 1_000, 2_000, 5_000, 10_000, 50_000, 100_000];
const SMALL_BINS = [0, 1, 2, 5, 10, 20, 50, 100, 500, 1_000];
const CPU_BINS = [1, 2, 4, 8, 16, 32, 64];
const BINS: Record<string, number[]> = { tracks: TRACK_BINS, albums: ALBUM_BINS, artists: ALBUM_BINS };
const TOP = 20;

const always = () => true;

/** "0.58.0 (1a2b3c4d)" -> "0.58.0": builds of one release are one version. */
export function releaseOf(version: string): string {
  return version.split(' ')[0] ?? version;
}

class Tally {
  readonly counts = new Map<string, number>();
  reported = 0;
  add(value: string | undefined): void {
    if (value === undefined) return;
    this.reported++;
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
  }
  breakdown(allowed: (value: string) => boolean): Breakdown {
    return { reported: this.reported, values: publish([...this.counts].map(([value, count]) => ({ value, count })), allowed) };
  }
}

class UsageTally {
  readonly instances = new Map<string, number>();
  readonly totals = new Map<string, number>();
  reported = 0;
  add(map: Record<string, number> | undefined): void {
    if (map === undefined) return;
    this.reported++;
    for (const [value, n] of Object.entries(map)) {
      this.instances.set(value, (this.instances.get(value) ?? 0) + 1);
      this.totals.set(value, (this.totals.get(value) ?? 0) + n);
    }
  }
  usage(allowed: (value: string) => boolean): Usage {
    const rows = [...this.instances].map(([value, count]) => ({ value, count, total: this.totals.get(value) ?? 0 }));
    return { reported: this.reported, values: publishUsage(rows, allowed) };
  }
}

function compare(a: { value: string; count: number }, b: { value: string; count: number }): number {
  return b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

/** Applies the K_ANONYMITY rule and the top-N cut; whatever is not shown is summed into "Other". */
function publish(rows: { value: string; count: number }[], allowed: (value: string) => boolean) {
  const shown: { value: string; count: number }[] = [];
  let other = 0;
  for (const row of rows.sort(compare)) {
    if (row.value !== OTHER && (row.count >= K_ANONYMITY || allowed(row.value)) && shown.length < TOP) shown.push({ value: row.value, count: row.count });
    else other += row.count;
  }
  if (other > 0) shown.push({ value: OTHER, count: other });
  return shown;
}

function publishUsage(rows: { value: string; count: number; total: number }[], allowed: (value: string) => boolean) {
  const shown: { value: string; instances: number; total: number }[] = [];
  const other = { instances: 0, total: 0 };
  for (const row of rows.sort(compare)) {
    if (row.value !== OTHER && (row.count >= K_ANONYMITY || allowed(row.value)) && shown.length < TOP) shown.push({ value: row.value, instances: row.count, total: row.total });
    else {
      // An instance may sit in several hidden values: its instance count in "Other" is an upper bound.
      other.instances += row.count;
      other.total += row.total;
    }
  }
  if (other.instances > 0) shown.push({ value: OTHER, ...other });
  return shown;
}

function binLabel(edges: number[], i: number): string {
  const fmt = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1_000 ? `${n / 1_000}k` : String(n));
  const from = edges[i]!;
  const next = edges[i + 1];
  if (next === undefined) return `${fmt(from)}+`;
  // Bins include their lower edge and stop before the next one: "100–500" holds 100 to 499.
  return next - from === 1 ? fmt(from) : `${fmt(from)}–${fmt(next)}`;
}

function numberStats(values: number[], edges: number[]): NumberStats {
  const bins = edges.map((from, i) => ({ label: binLabel(edges, i), from, count: 0 }));
  for (const v of values) {
    let i = edges.length - 1;
    while (i > 0 && v < edges[i]!) i--;
    bins[i]!.count++;
  }
  const stats: NumberStats = { reported: values.length, bins };
  if (values.length >= K_ANONYMITY) {
    const sorted = Float64Array.from(values).sort();
    const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
    stats.percentiles = { p25: rank(25), p50: rank(50), p75: rank(75), p90: rank(90), p99: rank(99) };
    let sum = 0;
    for (const v of sorted) sum += v;
    stats.mean = Math.round((sum / sorted.length) * 100) / 100;
  }
  return stats;
}

export interface DayContext {
  day: number;
  final: boolean;
  incomplete: IncompleteReason[];
  collectorDownMinutes?: number;
}

export class DayAggregator {
  private instances = 0;
  private readonly agents = new Tally();
  private readonly serverTypes = new Tally();
  private readonly versions = new Tally();
  private readonly os = new Tally();
  private readonly arch = new Tally();
  private readonly osArch = new Tally();
  private readonly distros = new Tally();
  private readonly containerized = new Tally();
  private readonly cpus: number[] = [];
  private readonly fs = new Map(FS_FOLDERS.map((f) => [f, new Tally()]));
  private readonly library = new Map(LIBRARY_COUNTS.map((k) => [k, [] as number[]]));
  private readonly players = new UsageTally();
  private readonly suffixes = new UsageTally();
  private readonly features = new Map(FEATURE_FLAGS.map((f) => [f, { enabled: 0, reported: 0 }]));

  add(report: Payload): void {
    this.instances++;
    const candor = report.candor !== undefined;
    this.agents.add(candor ? 'candor' : 'navidrome');
    this.serverTypes.add(candor ? report.candor?.serverType : 'navidrome');
    if (report.version !== undefined) this.versions.add(releaseOf(report.version));
    const os = report.os;
    if (os) {
      this.os.add(os.type);
      this.arch.add(os.arch);
      if (os.type !== undefined && os.arch !== undefined) this.osArch.add(`${os.type}/${os.arch}`);
      if (os.type === 'linux' && os.containerized === false) this.distros.add(os.distro);
      if (os.containerized !== undefined) this.containerized.add(os.containerized ? 'yes' : 'no');
      if (os.numCPU !== undefined) this.cpus.push(os.numCPU);
    }
    const fs = report.fs as Record<string, { type?: string } | undefined> | undefined;
    for (const [folder, tally] of this.fs) tally.add(fs?.[folder]?.type);
    const library = report.library as Record<string, unknown> | undefined;
    for (const [key, values] of this.library) {
      const v = library?.[key];
      if (typeof v === 'number') values.push(v);
    }
    this.players.add(report.library?.activePlayers);
    this.suffixes.add(report.library?.fileSuffixes);
    const config = report.config as Record<string, unknown> | undefined;
    if (config) {
      for (const [flag, f] of this.features) {
        const v = config[flag];
        // Navidrome drops false flags from its JSON (omitempty): its config object answers every
        // flag. Candor leaves out only what it could not read: absent means "not reported".
        if (v === true) f.enabled++;
        if (v !== undefined || !candor) f.reported++;
      }
    }
  }

  result(context: DayContext): DaySummary {
    const fs: Record<string, Breakdown> = {};
    for (const [folder, tally] of this.fs) fs[folder] = tally.breakdown((v) => KNOWN_FS_TYPES.has(v));
    const library: Record<string, NumberStats> = {};
    for (const [key, values] of this.library) library[key] = numberStats(values, BINS[key] ?? SMALL_BINS);
    const features: Feature[] = [...this.features].map(([flag, f]) => ({ flag, enabled: f.enabled, reported: f.reported }));
    return {
      day: dayLabel(context.day),
      final: context.final,
      complete: context.incomplete.length === 0,
      incomplete: context.incomplete,
      ...(context.collectorDownMinutes !== undefined ? { collectorDownMinutes: context.collectorDownMinutes } : {}),
      instances: this.instances,
      agents: this.agents.breakdown(always),
      serverTypes: this.serverTypes.breakdown((v) => KNOWN_SERVER_TYPES.has(v)),
      versions: this.versions.breakdown(() => false),
      os: this.os.breakdown(always),
      arch: this.arch.breakdown(always),
      osArch: this.osArch.breakdown(always),
      distros: this.distros.breakdown((v) => KNOWN_DISTROS.has(v)),
      containerized: this.containerized.breakdown(always),
      cpus: numberStats(this.cpus, CPU_BINS),
      fs,
      library,
      players: this.players.usage((v) => KNOWN_PLAYERS.has(v)),
      fileSuffixes: this.suffixes.usage((v) => KNOWN_SUFFIXES.has(v)),
      features,
    };
  }
}

export function summarizeDay(reports: Iterable<Payload>, context: DayContext): DaySummary {
  const aggregator = new DayAggregator();
  for (const r of reports) aggregator.add(r);
  return aggregator.result(context);
}
