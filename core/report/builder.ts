import os from 'node:os';
import type { PreviewView, ServerLocationView, SourceHealth } from '../../shared/api-contract';
import { categoryOfPath, categoryRoots, keepCategories, POLICY_CATEGORIES, type PolicyCategory } from '../../shared/schema/levels';
import { CATEGORY_TITLES, PAYLOAD_SCHEMA_VERSION, type Payload } from '../../shared/schema/payload';
import type { FilesystemTypeResult, HostFacts } from '../sources/host';
import type { ServerFacts, ServerTarget } from '../sources/music-server';
import type { SourceSet } from '../sources/source-set';
import { health, PROBLEMS, toProblem, type ProblemCode } from '../sources/problems';
import { deriveServerConfig, type ServerConfigFacts, type ServerFolders } from '../sources/server-config';
import { decideLocation, locationView, notFromHere, type AddressPlace, type ServerLocation } from '../sources/server-location';
import { encodePayload, type EncodedReport } from './encode';
import { OmittedFields } from './omitted';
import { guardAllowed, sensitiveNeedles, type SensitiveNeedles } from './privacy-guard';
import type { SensitiveValue } from '../sources/sensitive-value';

type Folder = keyof ServerFolders;
const FOLDERS: Folder[] = ['music', 'data', 'cache', 'backup'];

/** The slow half of a report: what the server, its config and the folders said at the last refresh. */
interface Snapshot {
  server: ServerFacts | null;
  serverProblem: ProblemCode | null;
  config: (ServerConfigFacts & { source: 'config-endpoint' | 'config-file' }) | null;
  configProblem: ProblemCode | null;
  fsTypes: Partial<Record<Folder, FilesystemTypeResult>>;
  /** Where the server runs, decided once per refresh; with the server's own process when it is visible here. */
  location: ServerLocation;
}

export interface BuiltReport {
  /** Things the user should know about the server's own set-up (fixed wording). */
  notices: string[];
  report: EncodedReport;
  payload: Payload;
  omitted: PreviewView['omitted'];
  guard: PreviewView['guard'];
  health: SourceHealth[];
  /**
   * Why the server gave nothing (not configured, unreachable, refused…), or gave no version Candor
   * can send; null when it was read. A report missing a required field leaves with neither.
   */
  serverProblem: ProblemCode | null;
  /** Which machine the machine facts describe, or why they are left out. */
  location: ServerLocationView;
}

const FS_REASON: Record<Exclude<FilesystemTypeResult, { ok: true }>['reason'], ProblemCode> = {
  'not-found': 'not-found',
  'not-on-this-host': 'not-on-this-host',
  timeout: 'fs-timeout',
  unsupported: 'fs-unavailable',
  error: 'fs-unavailable',
};

/**
 * Builds reports from cached facts. `refresh()` does the slow reading (network, config, statfs);
 * `build()` re-reads only memory and the clock, so a preview refresh costs well under a millisecond
 * and spawns nothing.
 */
export class ReportBuilder {
  private host: HostFacts | null = null;
  private snapshot: Snapshot = {
    server: null,
    serverProblem: 'not-configured',
    config: null,
    configProblem: 'not-configured',
    fsTypes: {},
    location: decideLocation(null, null),
  };
  private readonly localSensitive: SensitiveValue[] = localIdentity();
  /** What the privacy guard looks for: this machine's identity and what the sources saw, made at each refresh. */
  private needles: SensitiveNeedles = sensitiveNeedles(this.localSensitive);

  constructor(
    private readonly sources: SourceSet,
    private readonly now: () => number,
    private readonly agentVersion: string,
  ) {}

  async refresh(target: ServerTarget): Promise<void> {
    const now = this.now();
    const url = target.connection?.url ?? target.url ?? null;
    const [host, server, fileConfig, visible, address] = await Promise.all([
      this.host ? Promise.resolve(this.host) : this.sources.hostFacts(),
      target.connection ? this.sources.server(target.connection, now) : Promise.resolve(null),
      target.configFile
        ? this.sources.serverConfigFile(target.configFile).then(
            (facts) => ({ facts, problem: null }),
            (error: unknown) => ({ facts: null, problem: toProblem(error) }),
          )
        : Promise.resolve(null),
      this.sources.serverProcess().catch(() => null),
      url ? this.sources.serverAddress(url).catch((): AddressPlace => 'unresolved') : Promise.resolve(null),
    ]);
    this.host = host;
    const location = decideLocation(address, visible, server?.startedAt, Boolean(fileConfig?.facts));

    let config: Snapshot['config'] = null;
    let configProblem: ProblemCode | null = target.noConnectionBecause ?? 'not-configured';
    if (fileConfig?.facts) {
      config = { ...fileConfig.facts, source: 'config-file' };
      configProblem = null;
    } else if (server?.serverConfig) {
      config = { ...deriveServerConfig(server.serverConfig, { applyDefaults: false }), source: 'config-endpoint' };
      configProblem = null;
    } else if (fileConfig?.problem) {
      configProblem = fileConfig.problem;
    } else if (server) {
      // Navidrome's settings advice (config-hidden) only when Navidrome answered and hid them.
      configProblem = server.configProblem ?? (server.health.state === 'failed' ? (server.health.code as ProblemCode) : 'config-hidden');
    }

    // The server's folder paths name its own machine's folders: read here only when that is this machine.
    const fsTypes: Snapshot['fsTypes'] = {};
    if (config && location.where === 'this-machine') {
      await Promise.all(
        FOLDERS.map(async (folder) => {
          const path = config.folders[folder];
          if (path) fsTypes[folder] = await this.sources.filesystemType(path);
        }),
      );
    }
    this.snapshot = {
      server,
      serverProblem: target.connection ? null : (target.noConnectionBecause ?? 'not-configured'),
      config,
      configProblem,
      fsTypes,
      location,
    };
    this.needles = sensitiveNeedles([
      ...this.localSensitive,
      ...(server?.sensitive ?? []),
      ...(config?.sensitive ?? []),
      ...FOLDERS.flatMap((f) => (config?.folders[f] ? [{ kind: 'path' as const, value: config.folders[f] }] : [])),
    ]);
  }

  /**
   * The report at a level: `categories` keeps the fields of those policy categories only (plus
   * the report's own notes), and what a level leaves out is listed as such, not as a failure.
   */
  async build(
    instanceId: string | null,
    categories: readonly PolicyCategory[] = POLICY_CATEGORIES,
    deletionKeyHash: string | null = null,
  ): Promise<BuiltReport> {
    const now = this.now();
    const { server, config, fsTypes, location } = this.snapshot;
    const here = location.where === 'this-machine';
    const process = location.process;
    const host = here ? (this.host ?? (this.host = await this.sources.hostFacts())) : null;
    const memory = here ? await this.sources.memory() : null;
    const omitted = new OmittedFields();
    const payload: Payload = {};
    const serverDown = this.serverDown();

    if (instanceId) payload.id = instanceId;
    if (server?.version) payload.version = server.version;
    else if (serverDown) omitted.add('version', this.reasonFor(serverDown));

    const startedAt = server?.startedAt ?? process?.startTime.getTime();
    const uptimeSource = server?.startedAt !== undefined ? (server.startedAtSource ?? 'event-stream') : process ? 'local-process' : undefined;
    if (startedAt !== undefined && now >= startedAt) payload.uptime = Math.floor((now - startedAt) / 1000);
    else omitted.add('uptime', this.reasonFor(this.uptimeProblem()));

    if (host) {
      payload.os = {
        type: host.os.type as NonNullable<Payload['os']>['type'],
        ...(host.os.distro ? { distro: host.os.distro } : {}),
        ...(host.os.version ? { version: host.os.version } : {}),
        containerized: host.os.containerized,
        arch: host.os.arch as NonNullable<Payload['os']>['arch'],
        numCPU: host.os.numCPU,
      };
    } else omitted.add('os', notFromHere(location, 'os'));
    // Navidrome's mem.sys is Go's runtime.MemStats.Sys: its Prometheus metrics say it from anywhere.
    // A resident size seen here is another figure, and the report says which one it carries.
    const memorySource = server?.goSysBytes !== undefined ? 'prometheus' : process ? 'server-process' : here ? 'host' : undefined;
    if (server?.goSysBytes !== undefined) payload.mem = { sys: server.goSysBytes };
    else if (process) payload.mem = { sys: process.rssBytes };
    else if (here) omitted.add('mem.sys', PROBLEMS['server-memory-unknown']);
    else omitted.add('mem', notFromHere(location, 'mem'));

    const fs: NonNullable<Payload['fs']> = {};
    // On a machine known to be another, that is the reason; else a server not read is the truer one.
    const notHere = () => omitted.add('fs', notFromHere(location, 'fs'));
    if (location.where === 'another-machine') notHere();
    if (!config) omitted.add('fs', this.reasonFor(this.snapshot.configProblem ?? 'not-configured'));
    if (!here) notHere();
    for (const folder of FOLDERS) {
      const result = fsTypes[folder];
      if (result?.ok) fs[folder] = { type: result.type };
      else if (result) omitted.add(`fs.${folder}.type`, PROBLEMS[FS_REASON[result.reason]]);
    }
    if (Object.keys(fs).length > 0) payload.fs = fs;

    if (serverDown) omitted.add('library', this.reasonFor(serverDown));
    else if (server && Object.keys(server.library).length > 0) payload.library = { ...server.library };

    const configFlags = { ...(config?.flags ?? {}) };
    if (server?.hasSmartPlaylists !== undefined) configFlags.hasSmartPlaylists = server.hasSmartPlaylists;
    if (Object.keys(configFlags).length > 0) payload.config = configFlags;
    if (!config) omitted.add('config', this.reasonFor(this.snapshot.configProblem ?? 'not-configured'));
    if (server && !serverDown) for (const left of leftOutOf(server)) omitted.add(left.field, PROBLEMS[left.problem]);

    payload.candor = {
      agentVersion: this.agentVersion,
      schemaVersion: PAYLOAD_SCHEMA_VERSION,
      ...(server?.serverType ? { serverType: server.serverType } : {}),
      // Only the interfaces that actually delivered what the payload holds.
      sources: {
        ...(server && payload.library ? { library: server.api } : {}),
        ...(config ? { config: config.source } : {}),
        ...(uptimeSource && payload.uptime !== undefined ? { uptime: uptimeSource } : {}),
        ...(memorySource ? { memory: memorySource } : {}),
      },
      ...(memory ? { hostMemory: { total: memory.hostTotal, available: memory.hostAvailable } } : {}),
      ...(server?.unlistedSuffixTracks ? { unlistedSuffixTracks: server.unlistedSuffixTracks } : {}),
      ...(deletionKeyHash ? { deletionKeyHash } : {}),
    };

    if (!memory) omitted.add('candor.hostMemory', notFromHere(location, 'candor.hostMemory'));

    const shared = keepCategories(payload, categories);
    notSharedAtLevel(omitted, categories);
    // Encoding checks the allowlist (and throws past it); the guard then looks for leaks.
    const report = encodePayload(shared);
    const guard = guardAllowed(shared, this.needles);
    const notices = config?.builtInCollectorOn
      ? [
          "Navidrome's own usage statistics are also switched on (EnableInsightsCollector), so this server is counted twice. Set EnableInsightsCollector = false in Navidrome's configuration to let Candor be the one that reports.",
        ]
      : [];
    const serverProblem = serverDown ?? (payload.version === undefined ? 'version-unknown' : null);
    return {
      report,
      payload: shared,
      omitted: omitted.list(),
      guard,
      notices,
      health: this.health(payload.uptime !== undefined),
      serverProblem,
      location: locationView(location),
    };
  }

  /** Why the server gave nothing at all (not configured, unreachable, refused…), or null when it answered. */
  private serverDown(): ProblemCode | null {
    const { server, serverProblem } = this.snapshot;
    if (!server) return serverProblem ?? 'not-configured';
    return server.health.state === 'failed' ? ((server.health.code as ProblemCode | undefined) ?? 'server-error') : null;
  }

  private uptimeProblem(): ProblemCode {
    return this.serverDown() ?? this.snapshot.server?.uptimeProblem ?? 'start-time-unknown';
  }

  /**
   * The words for a cause. When the server failed as a whole, its own message: it may name the
   * user's mistyped address, which is fine on their screen and kept out of payloads and logs.
   */
  private reasonFor(code: ProblemCode): string {
    const server = this.snapshot.server;
    return server?.health.state === 'failed' && server.health.code === code ? server.health.message : PROBLEMS[code];
  }

  private health(uptimeKnown: boolean): SourceHealth[] {
    const { server, config, fsTypes, location } = this.snapshot;
    const configProblem = this.snapshot.configProblem ?? 'not-configured';
    const withReason = (h: SourceHealth, code: ProblemCode): SourceHealth => ({ ...h, message: this.reasonFor(code) });
    const out: SourceHealth[] = [];
    out.push(server ? server.health : health('server', 'skipped', this.snapshot.serverProblem ?? 'not-configured'));
    if (config)
      out.push(
        health(
          'server-config',
          'ok',
          undefined,
          undefined,
          config.source === 'config-file' ? "Read from the server's config file." : "Read from the server's settings endpoint.",
        ),
      );
    // A server that is not Navidrome has no settings to read: nothing failed.
    else out.push(withReason(health('server-config', server && configProblem !== 'config-not-navidrome' ? 'failed' : 'skipped', configProblem), configProblem));
    if (uptimeKnown) out.push(health('uptime', 'ok'));
    else out.push(withReason(health('uptime', server ? 'failed' : 'skipped', this.uptimeProblem()), this.uptimeProblem()));
    // What is left out, and how to include it, is said with the decision itself (status, preview): here, the decision.
    const elsewhere = location.where !== 'this-machine' ? locationView(location).message : null;
    out.push(elsewhere ? { source: 'host', state: 'skipped', message: elsewhere } : health('host', 'ok'));
    const fsResults = Object.entries(fsTypes);
    const fsFailed = fsResults.filter(([, r]) => !r.ok);
    // One sentence for both, so it is said once.
    if (elsewhere && config) out.push({ source: 'filesystems', state: 'skipped', message: elsewhere });
    else if (fsResults.length === 0) out.push(withReason(health('filesystems', 'skipped', configProblem), configProblem));
    else if (fsFailed.length === 0) out.push(health('filesystems', 'ok'));
    else {
      const first = fsFailed[0]![1] as Exclude<FilesystemTypeResult, { ok: true }>;
      out.push({
        ...health(
          'filesystems',
          fsFailed.length === fsResults.length ? 'failed' : 'partial',
          FS_REASON[first.reason],
          fsFailed.map(([f]) => `fs.${f}.type`),
        ),
        message: folderProblems(fsFailed as Array<[Folder, Exclude<FilesystemTypeResult, { ok: true }>]>),
      });
    }
    return out;
  }
}

/** How a folder could not be read, in words that fit after "The music and data folders the server names …". */
const FOLDER_PHRASES: Record<Exclude<FilesystemTypeResult, { ok: true }>['reason'], [one: string, several: string]> = {
  'not-found': ['does not exist on this machine', 'do not exist on this machine'],
  'not-on-this-host': ['is not on this machine (the server runs elsewhere)', 'are not on this machine (the server runs elsewhere)'],
  timeout: ['timed out (a network mount that is not answering?)', 'timed out (a network mount that is not answering?)'],
  unsupported: ['has a filesystem that could not be read', 'have filesystems that could not be read'],
  error: ['has a filesystem that could not be read', 'have filesystems that could not be read'],
};

/**
 * Which of the server's folders could not be read, and why, naming each (music, data, cache,
 * backup). A folder missing here usually means the server runs in a container or on another
 * machine: nothing to fix, and nothing about the connection.
 */
function folderProblems(failed: Array<[Folder, Exclude<FilesystemTypeResult, { ok: true }>]>): string {
  const byReason = new Map<Exclude<FilesystemTypeResult, { ok: true }>['reason'], Folder[]>();
  const ordered = [...failed].sort(([a], [b]) => FOLDERS.indexOf(a) - FOLDERS.indexOf(b));
  for (const [folder, result] of ordered) byReason.set(result.reason, [...(byReason.get(result.reason) ?? []), folder]);
  const sentences = [...byReason].map(([reason, folders]) => {
    const names = folders.length === 1 ? folders[0]! : `${folders.slice(0, -1).join(', ')} and ${folders.at(-1)!}`;
    const [one, several] = FOLDER_PHRASES[reason];
    return `The ${names} folder${folders.length === 1 ? '' : 's'} the server names ${folders.length === 1 ? one : several}.`;
  });
  if (byReason.has('not-found'))
    sentences.push('If the server runs in a container or on another machine, that is expected: only the filesystem type is left out.');
  return sentences.join(' ');
}

/** Per-field reasons; sources written before `leftOut` existed give one reason for all their fields. */
function leftOutOf(server: ServerFacts): Array<{ field: string; problem: ProblemCode }> {
  if (server.leftOut) return server.leftOut;
  const code = (server.health.code as ProblemCode | undefined) ?? 'server-error';
  return (server.health.omitted ?? []).map((field) => ({ field, problem: code }));
}

/** Who and where this machine is: never to be sent, always checked for. */
function localIdentity(): SensitiveValue[] {
  const out: SensitiveValue[] = [
    { kind: 'host name', value: os.hostname() },
    { kind: 'path', value: os.homedir() },
  ];
  try {
    out.push({ kind: 'user name', value: os.userInfo().username });
  } catch {
    // Some containers run as a uid with no passwd entry.
  }
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (!address.internal) out.push({ kind: 'address', value: address.address }, { kind: 'address', value: address.mac });
    }
  }
  return out;
}

/** Replaces the reasons of fields a level does not share with the one reason that counts: the choice. */
function notSharedAtLevel(omitted: OmittedFields, categories: readonly PolicyCategory[]): void {
  for (const category of POLICY_CATEGORIES) {
    if (categories.includes(category)) continue;
    omitted.removeWhere((path) => categoryOfPath(path) === category);
    for (const root of categoryRoots(category)) omitted.add(root, `Not shared at your level: ${CATEGORY_TITLES[category].toLowerCase()} are switched off.`);
  }
}
