/**
 * One UTC day's reports -> one DaySummary. Pure and deterministic: the same reports with the same
 * sources, in any order, give the same document byte for byte (counts only; sorts break ties by
 * value). Which fields exist comes from the payload schema, so a new flag shows up without a
 * change here. What may be published is decided per cell by distinct sources (threshold.ts).
 */
import { GO_ARCH, GO_OS, payloadSchema, type Payload } from '../../shared/schema/payload';
import { dayLabel } from '../retention';
import { CPU_BINS, HOST_MEMORY_BINS, LIBRARY_BINS, PROCESS_MEMORY_BINS, SMALL_COUNT_BINS, UPTIME_BINS } from './bins';
import { publishedPlayers } from './players';
import { Categories, Flag, MultiValues, Numbers } from './tallies';
import { UNTAGGED_SOURCE } from './threshold';
import { SUMMARY_FORMAT, type Binned, type Breakdown, type DaySummary, type IncompleteReason } from './types';

export const FEATURE_FLAGS: readonly string[] = Object.entries(payloadSchema.fields.config.fields)
  .filter(([, node]) => node.kind === 'bool')
  .map(([key]) => key);
export const LIBRARY_COUNTS: readonly string[] = Object.entries(payloadSchema.fields.library.fields)
  .filter(([, node]) => node.kind === 'int')
  .map(([key]) => key);
export const FS_FOLDERS: readonly string[] = Object.keys(payloadSchema.fields.fs.fields);

/** "0.58.0 (1a2b3c4d)" -> "0.58.0": builds of one release are one version. */
export function releaseOf(version: string): string {
  return version.split(' ')[0] ?? version;
}

/**
 * Which figure a report's `mem.sys` is. Navidrome's own is Go's `runtime.MemStats.Sys`, and so is
 * Candor's when read from the server's Prometheus metrics; Candor's `server-process` is the resident
 * size of the process, another figure, summarized apart. A Candor report that does not say which
 * (or says `host`: no server figure) is counted in neither.
 */
export function memoryFigure(report: Payload): 'go-sys' | 'resident' | null {
  if (report.mem?.sys === undefined) return null;
  if (report.candor === undefined) return 'go-sys';
  const said = report.candor.sources?.memory;
  return said === 'prometheus' ? 'go-sys' : said === 'server-process' ? 'resident' : null;
}

export interface DayContext {
  day: number;
  final: boolean;
  incomplete: IncompleteReason[];
  collectorDownMinutes?: number;
}

/** A report and the tag of the network it came from (null: stored before tags existed). */
export interface SourcedReport {
  report: Payload;
  source: string | null;
}

export class DayAggregator {
  private instances = 0;
  private readonly agents = new Categories(2);
  private readonly serverTypes = new Categories();
  private readonly versions = new Categories();
  private readonly os = new Categories(GO_OS.length);
  private readonly arch = new Categories(GO_ARCH.length);
  private readonly osArch = new Categories(GO_OS.length * GO_ARCH.length);
  private readonly distros = new Categories();
  private readonly containerized = new Categories(2);
  private readonly cpus = new Numbers(CPU_BINS);
  private readonly memory = new Numbers(PROCESS_MEMORY_BINS);
  private readonly residentMemory = new Numbers(PROCESS_MEMORY_BINS);
  private readonly hostMemory = new Numbers(HOST_MEMORY_BINS);
  private readonly uptime = new Numbers(UPTIME_BINS);
  private readonly fs = new Map(FS_FOLDERS.map((f) => [f, new Categories()]));
  private readonly library = new Map(LIBRARY_COUNTS.map((k) => [k, new Numbers(LIBRARY_BINS[k] ?? SMALL_COUNT_BINS)]));
  private readonly players = new MultiValues();
  private readonly suffixes = new MultiValues();
  private readonly features = new Map(FEATURE_FLAGS.map((f) => [f, new Flag(f)]));

  add(report: Payload, sourceTag: string | null): void {
    const source = sourceTag ?? UNTAGGED_SOURCE;
    this.instances++;
    const candor = report.candor !== undefined;
    this.agents.add(candor ? 'candor' : 'navidrome', source);
    this.serverTypes.add(candor ? report.candor?.serverType : 'navidrome', source);
    if (report.version !== undefined) this.versions.add(releaseOf(report.version), source);
    this.uptime.add(report.uptime, source);
    const figure = memoryFigure(report);
    if (figure === 'go-sys') this.memory.add(report.mem?.sys, source);
    else if (figure === 'resident') this.residentMemory.add(report.mem?.sys, source);
    this.hostMemory.add(report.candor?.hostMemory?.total, source);
    const os = report.os;
    if (os) {
      this.os.add(os.type, source);
      this.arch.add(os.arch, source);
      if (os.type !== undefined && os.arch !== undefined) this.osArch.add(`${os.type}/${os.arch}`, source);
      if (os.type === 'linux' && os.containerized === false) this.distros.add(os.distro, source);
      if (os.containerized !== undefined) this.containerized.add(os.containerized ? 'yes' : 'no', source);
      this.cpus.add(os.numCPU, source);
    }
    const fs = report.fs as Record<string, { type?: string } | undefined> | undefined;
    for (const [folder, tally] of this.fs) tally.add(fs?.[folder]?.type, source);
    const library = report.library as Record<string, unknown> | undefined;
    for (const [key, tally] of this.library) {
      const v = library?.[key];
      if (typeof v === 'number') tally.add(v, source);
    }
    this.players.add(publishedPlayers(report.library?.activePlayers), source);
    this.suffixes.add(report.library?.fileSuffixes, source);
    const config = report.config as Record<string, unknown> | undefined;
    if (config) {
      for (const [flag, tally] of this.features) {
        const v = config[flag];
        // Navidrome drops false flags from its JSON (omitempty): its config object answers every
        // flag. Candor leaves out only what it could not read or was told not to share: absent
        // means "not reported", never "off".
        if (v === true || v === false) tally.add(v, source);
        else if (v === undefined && !candor) tally.add(false, source);
      }
    }
  }

  result(context: DayContext): DaySummary {
    const fs: Record<string, Breakdown> = {};
    for (const [folder, tally] of this.fs) fs[folder] = tally.result();
    const library: Record<string, Binned> = {};
    for (const [key, tally] of this.library) library[key] = tally.result();
    return {
      format: SUMMARY_FORMAT,
      day: dayLabel(context.day),
      final: context.final,
      complete: context.incomplete.length === 0,
      incomplete: context.incomplete,
      ...(context.collectorDownMinutes !== undefined ? { collectorDownMinutes: context.collectorDownMinutes } : {}),
      instances: this.instances,
      agents: this.agents.result(),
      serverTypes: this.serverTypes.result(),
      versions: this.versions.result(),
      os: this.os.result(),
      arch: this.arch.result(),
      osArch: this.osArch.result(),
      distros: this.distros.result(),
      containerized: this.containerized.result(),
      cpus: this.cpus.result(),
      memory: this.memory.result(),
      residentMemory: this.residentMemory.result(),
      hostMemory: this.hostMemory.result(),
      uptime: this.uptime.result(),
      fs,
      library,
      players: this.players.result(),
      fileSuffixes: this.suffixes.result(),
      features: [...this.features.values()].map((f) => f.result()),
    };
  }
}

export function summarizeDay(reports: Iterable<SourcedReport>, context: DayContext): DaySummary {
  const aggregator = new DayAggregator();
  for (const { report, source } of reports) aggregator.add(report, source);
  return aggregator.result(context);
}
