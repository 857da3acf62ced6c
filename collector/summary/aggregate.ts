/**
 * One UTC day's reports -> one DaySummary. Pure and deterministic: the same reports with the same
 * sources, in any order, give the same document byte for byte (counts only; sorts break ties by
 * value), whether they were counted all at once or one by one with replacements and deletions
 * between. Which fields exist comes from the payload schema, so a new flag shows up without a
 * change here. What may be published is decided per cell by distinct sources (threshold.ts).
 */
import { GO_ARCH, GO_OS, payloadSchema, type Payload } from '../../shared/schema/payload';
import { dayLabel } from '../retention';
import { CPU_BINS, HOST_MEMORY_BINS, LIBRARY_BINS, PROCESS_MEMORY_BINS, SMALL_COUNT_BINS, UPTIME_BINS } from './bins';
import { bucketOf } from './cell';
import { publishedPlayers } from './players';
import { Categories, Flag, MultiValues, Numbers, type Field, type From, type StoredField } from './tallies';
import { UndecidedCell, UNTAGGED_SOURCE } from './threshold';
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

/** What a stored tally says about itself: the summary format it counts for (a new format counts again). */
const TALLY_FORMAT = SUMMARY_FORMAT;

/**
 * A day's tally: every cell of every field, kept as reports are added, replaced (the old one taken
 * back, the new one added) and deleted, so the day's summary is published from it without reading
 * the day again (summarizer.ts). Stored with the day (the store's `tallies`), so any process that
 * writes the store can carry it on. Counting the same reports one by one and taking some back gives
 * the same counts as counting the remaining ones: a property test checks it against `summarizeDay`.
 */
export class DayTally {
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
  // The same fields as lists, for the loop every report goes through (a Map's entries are made per step).
  private readonly fsList = [...this.fs.values()];
  private readonly libraryList = [...this.library.values()];
  private readonly featureList = [...this.features.values()];

  add(report: Payload, sourceTag: string | null): void {
    this.apply(report, sourceTag, 1);
  }

  /** Takes back a report added before (it was replaced or deleted). */
  remove(report: Payload, sourceTag: string | null): void {
    this.apply(report, sourceTag, -1);
  }

  /** The one place a report is counted: each field it carries, into that field's cell. */
  private apply(report: Payload, sourceTag: string | null, sign: 1 | -1): void {
    const source = sourceTag ?? UNTAGGED_SOURCE;
    const from: From = { source, bucket: bucketOf(source) };
    this.instances += sign;
    const candor = report.candor !== undefined;
    this.agents.apply(candor ? 'candor' : 'navidrome', from, sign);
    this.serverTypes.apply(candor ? report.candor?.serverType : 'navidrome', from, sign);
    if (report.version !== undefined) this.versions.apply(releaseOf(report.version), from, sign);
    this.uptime.apply(report.uptime, from, sign);
    const figure = memoryFigure(report);
    if (figure === 'go-sys') this.memory.apply(report.mem?.sys, from, sign);
    else if (figure === 'resident') this.residentMemory.apply(report.mem?.sys, from, sign);
    this.hostMemory.apply(report.candor?.hostMemory?.total, from, sign);
    const os = report.os;
    if (os) {
      this.os.apply(os.type, from, sign);
      this.arch.apply(os.arch, from, sign);
      if (os.type !== undefined && os.arch !== undefined) this.osArch.apply(`${os.type}/${os.arch}`, from, sign);
      if (os.type === 'linux' && os.containerized === false) this.distros.apply(os.distro, from, sign);
      if (os.containerized !== undefined) this.containerized.apply(os.containerized ? 'yes' : 'no', from, sign);
      this.cpus.apply(os.numCPU, from, sign);
    }
    const fs = report.fs as Record<string, { type?: string } | undefined> | undefined;
    if (fs) for (let i = 0; i < FS_FOLDERS.length; i++) this.fsList[i]!.apply(fs[FS_FOLDERS[i]!]?.type, from, sign);
    const library = report.library as Record<string, unknown> | undefined;
    if (library) {
      for (let i = 0; i < LIBRARY_COUNTS.length; i++) {
        const v = library[LIBRARY_COUNTS[i]!];
        if (typeof v === 'number') this.libraryList[i]!.apply(v, from, sign);
      }
    }
    this.players.apply(publishedPlayers(report.library?.activePlayers), from, sign);
    this.suffixes.apply(report.library?.fileSuffixes, from, sign);
    const config = report.config as Record<string, unknown> | undefined;
    if (config) {
      for (let i = 0; i < FEATURE_FLAGS.length; i++) {
        const tally = this.featureList[i]!;
        const v = config[FEATURE_FLAGS[i]!];
        // Navidrome drops false flags from its JSON (omitempty): its config object answers every
        // flag. Candor leaves out only what it could not read or was told not to share: absent
        // means "not reported", never "off".
        if (v === true || v === false) tally.apply(v, from, sign);
        else if (v === undefined && !candor) tally.apply(false, from, sign);
      }
    }
  }

  /** False once a report was taken back that was never counted: a fault in what fed the tally. */
  get consistent(): boolean {
    return this.instances >= 0 && !this.fields().some(([, field]) => field.broken);
  }

  /** Every field under a stable name: how a tally is stored. */
  private fields(): [string, Field][] {
    return [
      ['agents', this.agents],
      ['serverTypes', this.serverTypes],
      ['versions', this.versions],
      ['os', this.os],
      ['arch', this.arch],
      ['osArch', this.osArch],
      ['distros', this.distros],
      ['containerized', this.containerized],
      ['cpus', this.cpus],
      ['memory', this.memory],
      ['residentMemory', this.residentMemory],
      ['hostMemory', this.hostMemory],
      ['uptime', this.uptime],
      ...[...this.fs].map(([folder, tally]): [string, Field] => [`fs.${folder}`, tally]),
      ...[...this.library].map(([key, tally]): [string, Field] => [`library.${key}`, tally]),
      ['players', this.players],
      ['fileSuffixes', this.suffixes],
      ...[...this.features].map(([flag, tally]): [string, Field] => [`features.${flag}`, tally]),
    ];
  }

  /**
   * The day's summary, or null when the tally cannot give it: a cell that cannot tell its sources
   * any more (cell.ts), or a report taken back that was never counted. The day is then counted
   * again from its rows, which always gives one.
   */
  result(context: DayContext): DaySummary | null {
    if (!this.consistent) return null;
    try {
      return this.summary(context);
    } catch (error) {
      if (error instanceof UndecidedCell) return null;
      throw error;
    }
  }

  private summary(context: DayContext): DaySummary {
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

  /** The tally as the store keeps it (JSON). */
  stored(): string {
    const fields: Record<string, StoredField> = {};
    for (const [name, field] of this.fields()) fields[name] = field.stored();
    return JSON.stringify({ format: TALLY_FORMAT, instances: this.instances, fields });
  }

  /** A stored tally back; null when it is of another format or does not parse (count the day again). */
  static fromStored(text: string): DayTally | null {
    let parsed: { format?: unknown; instances?: unknown; fields?: Record<string, unknown> };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      return null;
    }
    if (parsed.format !== TALLY_FORMAT || !Number.isSafeInteger(parsed.instances) || typeof parsed.fields !== 'object' || parsed.fields === null) return null;
    const tally = new DayTally();
    tally.instances = parsed.instances as number;
    for (const [name, field] of tally.fields()) if (!field.load(parsed.fields[name] ?? { reported: 0, cells: {} })) return null;
    return tally;
  }
}

/** A day counted from its reports: the full recount, always decided (nothing is taken back). */
export function summarizeDay(reports: Iterable<SourcedReport>, context: DayContext): DaySummary {
  const tally = new DayTally();
  for (const { report, source } of reports) tally.add(report, source);
  return tally.result(context)!;
}
