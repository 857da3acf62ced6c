/**
 * An in-memory `CandorApi` with realistic, controllable state, for building and testing every
 * user interface without the real agent: the renderer's component tests, `candor serve`'s
 * security tests, the Playwright end-to-end tests, the UI benchmark and the screenshots.
 *
 * Realistic means: consent is resolved by the core's own `resolveConsent`, the preview's bytes are
 * made by the core's own `encodePayload` (schema order, allowlist-checked, real sha256), changes
 * since the last report use the core's `diffReports`, problems use the core's fixed wording, and
 * history pages are newest first, like `HistoryStore`.
 *
 * Controllable means: every call is recorded in `calls`; the music server can be made unreachable,
 * refuse the password, or hide its settings; sends can fail with any error class; the privacy
 * guard can refuse; consent can be locked by an environment variable, a flag or the config file;
 * new fields can pause sharing; any method can be delayed, made to fail, or held until released.
 */
import {
  type ApiInput,
  ApiError,
  type AgentEvent,
  type AgentStatus,
  type AttemptResult,
  type CandorApi,
  type ConnectionCheck,
  type ConnectionTestResult,
  type ErrorClass,
  type HistoryEntry,
  type HistoryPage,
  type HistorySummary,
  type LocalServerGuess,
  type PreviewView,
  type SendOutcome,
  type SettingsView,
  type ShellKind,
  type SourceHealth,
  type Trigger,
  type ApiMethod,
} from '../../electron/core/api/contract';
import { resolveConsent } from '../../electron/core/consent/consent';
import { diffReports } from '../../electron/core/report/diff';
import { encodePayload, sha256Hex } from '../../electron/core/report/encode';
import { seeded, uuidFrom } from './random';
import { listFields } from '../../electron/core/schema/dsl';
import { CANDOR_FIELD_PATHS, payloadSchema, type Payload } from '../../electron/core/schema/payload';
import { PROBLEMS } from '../../electron/core/sources/problems';

export type FakeServerState = 'ok' | 'unreachable' | 'unauthorized' | 'not-admin' | 'config-hidden' | 'not-configured' | 'timeout';

export interface FakeApiOptions {
  shell?: ShellKind;
  /** Wall clock; defaults to `Date.now`. */
  now?: () => number;
  seed?: number;
  /** The wizard's stored answer (null: not answered yet). */
  storedChoice?: 'share' | 'decline' | null;
  /** Config-level inputs, resolved exactly as the agent does. */
  env?: Record<string, string | undefined>;
  cliShare?: boolean;
  configFile?: { path: string; enabled?: boolean; unreadable?: boolean };
  /** Fields this "new version" can send that the user has not approved (pauses sharing). */
  newFields?: string[];
  /** Headless: when the agent first started (for the 30-minute grace). */
  firstStartAt?: number;
  /** Number of generated history entries, or explicit entries (oldest first). */
  history?: number | HistoryEntry[];
  server?: { url: string | null; username: string | null; password: string | null; configFile?: string | null };
  serverState?: FakeServerState;
  /** Credentials the fake music server accepts, and the addresses where one answers. */
  serverAccepts?: { username: string; password: string };
  reachableUrls?: string[];
  localServer?: LocalServerGuess | null;
  endpoint?: string;
  historyRetentionDays?: number;
  fixedBy?: Record<string, string>;
  /** Every send fails with this class (null: sends succeed). */
  sendFailure?: ErrorClass | null;
  guardFailure?: { field: string; reason: string } | null;
  /** Simulated time a send takes on the wire. */
  sendDurationMs?: number;
  /** Added to every call (ms), or per method. */
  latencyMs?: number;
  delays?: Partial<Record<ApiMethod, number>>;
  warnings?: string[];
  instanceId?: string | null;
}

export interface FakeCall {
  method: ApiMethod;
  input: unknown;
}

const DAY = 24 * 3600 * 1000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));


export interface SampleFacts {
  instanceId: string | null;
  uptime: number;
  memSys: number;
  hostAvailable: number;
  tracks: number;
  albums: number;
  artists: number;
  playlists: number;
  activeUsers: number;
  /** Which parts the sources could deliver. */
  server: boolean;
  serverConfig: boolean;
}

/** A realistic payload, keys in schema order (so `JSON.stringify` gives the same bytes `encodePayload` does). */
export function samplePayload(f: SampleFacts): Payload {
  const p: Payload = {};
  if (f.instanceId) p.id = f.instanceId;
  if (f.server) {
    p.version = '0.58.0 (fa2cf362)';
    p.uptime = f.uptime;
  }
  p.os = { type: 'linux', distro: 'debian', version: '12', containerized: true, arch: 'amd64', numCPU: 4 };
  p.mem = { sys: f.memSys };
  if (f.serverConfig) {
    p.fs = { music: { type: 'ext2/ext3/ext4' }, data: { type: 'ext2/ext3/ext4' }, cache: { type: 'tmpfs' }, backup: { type: 'nfs' } };
  }
  if (f.server) {
    p.library = {
      tracks: f.tracks,
      albums: f.albums,
      artists: f.artists,
      playlists: f.playlists,
      shares: 3,
      radios: 5,
      libraries: 1,
      activeUsers: f.activeUsers,
      activePlayers: { NavidromeUI: 3, Symfonium: 2, Feishin: 1 },
      fileSuffixes: { flac: Math.round(f.tracks * 0.62), mp3: Math.round(f.tracks * 0.36), m4a: f.tracks - Math.round(f.tracks * 0.62) - Math.round(f.tracks * 0.36) },
    };
  }
  if (f.serverConfig) {
    p.config = {
      logLevel: 'info',
      logFileConfigured: false,
      tlsConfigured: false,
      scannerEnabled: true,
      scannerExtractor: 'taglib',
      scanSchedule: '@every 1h',
      scanWatcherWait: 5,
      scanOnStartup: true,
      enableScheduledDBAnalyze: true,
      transcodingCacheSize: '100MB',
      imageCacheSize: '100MB',
      enableArtworkPrecache: true,
      enableDownloads: true,
      enableSharing: true,
      enableStarRating: true,
      enableLastFM: true,
      enableListenBrainz: false,
      enableDeezer: true,
      enableMediaFileCoverArt: true,
      enableJukebox: false,
      enablePrometheus: false,
      enableArtworkUpload: true,
      coverArtQuality: 75,
      enableWebPEncoding: true,
      uiCoverArtSize: 600,
      enableCoverAnimation: true,
      enableNowPlaying: true,
      sessionTimeout: 172800,
      searchFullString: false,
      searchBackend: 'fts',
      recentlyAddedByModTime: false,
      preferSortTags: false,
      backupSchedule: '',
      backupCount: 0,
      devActivityPanel: true,
      defaultBackgroundURL: true,
      hasSmartPlaylists: true,
      reverseProxyConfigured: false,
      hasCustomPID: false,
      hasCustomTags: false,
    };
  }
  p.candor = {
    agentVersion: '0.1.0',
    schemaVersion: 1,
    ...(f.server ? { serverType: 'navidrome' } : {}),
    sources: {
      ...(f.server ? { library: 'native-api' as const } : {}),
      ...(f.serverConfig ? { config: 'config-endpoint' as const } : {}),
      ...(f.server ? { uptime: 'event-stream' as const } : {}),
      memory: 'server-process',
    },
    hostMemory: { total: 8_254_394_368, available: f.hostAvailable },
    ...(f.server ? { unlistedSuffixTracks: 0 } : {}),
  };
  return p;
}

interface StoredEntry extends HistorySummary {
  /** Lazily made for generated entries. */
  body?: string;
  facts?: SampleFacts;
}

const SEND_MESSAGES: Record<ErrorClass, { status?: number; message: string }> = {
  timeout: { message: 'The endpoint did not answer in time' },
  unreachable: { message: 'The endpoint could not be reached' },
  dns: { message: "The endpoint's name could not be resolved" },
  'connection-reset': { message: 'The connection was reset' },
  tls: { message: 'The secure connection failed (certificate problem)' },
  'http-4xx': { status: 400, message: 'The endpoint refused the report (HTTP 400)' },
  'http-5xx': { status: 503, message: 'The endpoint had a server error (HTTP 503)' },
  'rate-limited': { status: 429, message: 'The endpoint asked to slow down (HTTP 429)' },
  'refused-by-guard': { message: 'refused by the privacy guard' },
  'invalid-endpoint': { message: 'The endpoint address is not valid' },
  'no-answer': { message: 'no answer: the collector may have received it' },
  unexpected: { message: 'An unexpected error happened' },
};

/** Generates `count` history entries, oldest first, ending shortly before `now`. */
export function generateHistory(count: number, now: number, seed = 7, instanceId = '5f0c1b2e-8a7d-4c3b-a1e2-9d8c7b6a5f40', endpoint = 'https://insights.navidrome.org/collect'): StoredEntry[] {
  const rnd = seeded(seed);
  // Daily for small histories; denser for big ones so the chart spans about two years.
  const spacing = count <= 400 ? DAY : Math.max(10 * 60 * 1000, Math.floor((730 * DAY) / count));
  const out: StoredEntry[] = [];
  let tracks = 42_000;
  let albums = 3_400;
  let artists = 1_500;
  for (let i = 0; i < count; i++) {
    const at = now - (count - i) * spacing - Math.floor(rnd() * 3600 * 1000);
    if (rnd() < 0.08) {
      tracks += Math.floor(rnd() * 60);
      albums += rnd() < 0.5 ? 1 : 0;
      artists += rnd() < 0.3 ? 1 : 0;
    }
    const roll = rnd();
    const failed = roll < 0.09;
    const refused = !failed && roll < 0.1;
    const trigger: Trigger = failed && rnd() < 0.5 ? 'retry' : roll > 0.97 ? 'manual' : 'schedule';
    const errorClass: ErrorClass | undefined = failed ? ((['timeout', 'http-5xx', 'dns', 'rate-limited'] as const)[Math.floor(rnd() * 4)] ?? 'timeout') : refused ? 'refused-by-guard' : undefined;
    const facts: SampleFacts = {
      instanceId,
      uptime: 3600 + Math.floor(rnd() * 30 * 86400),
      memSys: 90_000_000 + Math.floor(rnd() * 60_000_000),
      hostAvailable: 3_000_000_000 + Math.floor(rnd() * 2_000_000_000),
      tracks,
      albums,
      artists,
      playlists: 27,
      activeUsers: 2 + Math.floor(rnd() * 3),
      server: true,
      serverConfig: true,
    };
    const sendInfo = errorClass ? SEND_MESSAGES[errorClass] : { status: 200, message: 'accepted (HTTP 200)' };
    out.push({
      id: `h${String(i).padStart(6, '0')}`,
      at: new Date(at).toISOString(),
      trigger,
      endpoint,
      sha256: '',
      size: 0,
      durationMs: refused ? 0 : 80 + Math.floor(rnd() * (failed ? 9000 : 600)),
      outcome: failed ? 'failed' : refused ? 'refused' : 'sent',
      ...(sendInfo.status !== undefined ? { status: sendInfo.status } : {}),
      ...(errorClass ? { errorClass } : {}),
      message: refused ? 'refused by the privacy guard: library.activePlayers looks like a host name' : sendInfo.message,
      counts: { tracks, albums, artists },
      facts,
    });
  }
  return out;
}

/** A deferred call: `hold()` makes a method wait until `release()`. */
interface Hold {
  promise: Promise<void>;
  release: () => void;
}

export class FakeCandorApi implements CandorApi {
  readonly calls: FakeCall[] = [];
  private readonly listeners = new Set<(event: AgentEvent) => void>();
  private readonly rnd: () => number;
  private readonly now: () => number;
  private opts: Required<Pick<FakeApiOptions, 'shell' | 'env' | 'newFields' | 'sendDurationMs' | 'latencyMs' | 'delays' | 'fixedBy' | 'warnings'>> & FakeApiOptions;
  private storedChoice: 'share' | 'decline' | null;
  private approvedFields: string[] | null;
  private instanceId: string | null;
  private serverState: FakeServerState;
  private server: { url: string | null; username: string | null; password: string | null; configFile: string | null };
  private endpoint: string;
  private retentionDays: number;
  private sendFailure: ErrorClass | null;
  private guardFailure: { field: string; reason: string } | null;
  private history: StoredEntry[];
  private byId = new Map<string, number>();
  private lastAttempt: AttemptResult | null = null;
  private lastSuccessAt: string | null = null;
  private consecutiveFailures = 0;
  private preview: PreviewView | null = null;
  private ticks = 0;
  private readonly holds = new Map<ApiMethod, Hold>();
  private readonly failures = new Map<ApiMethod, { error: ApiError; remaining: number }>();
  private readonly firstStartAt: number;

  constructor(options: FakeApiOptions = {}) {
    this.now = options.now ?? (() => Date.now());
    this.rnd = seeded(options.seed ?? 1);
    this.opts = { shell: 'desktop', env: {}, newFields: [], sendDurationMs: 0, latencyMs: 0, delays: {}, fixedBy: {}, warnings: [], ...options };
    this.storedChoice = options.storedChoice ?? null;
    this.approvedFields = this.storedChoice === 'share' ? CANDOR_FIELD_PATHS.filter((f) => !this.opts.newFields.includes(f)) : null;
    this.instanceId = options.instanceId !== undefined ? options.instanceId : this.storedChoice === 'share' ? '5f0c1b2e-8a7d-4c3b-a1e2-9d8c7b6a5f40' : null;
    this.server = { url: 'http://127.0.0.1:4533', username: 'admin', password: 'correct horse', configFile: null, ...options.server } as typeof this.server;
    this.server.configFile ??= null;
    this.serverState = options.serverState ?? (this.server.url ? 'ok' : 'not-configured');
    this.endpoint = options.endpoint ?? 'https://insights.navidrome.org/collect';
    this.retentionDays = options.historyRetentionDays ?? 365;
    this.sendFailure = options.sendFailure ?? null;
    this.guardFailure = options.guardFailure ?? null;
    this.firstStartAt = options.firstStartAt ?? this.now() - 3600_000;
    const history = options.history ?? 0;
    this.history = typeof history === 'number' ? generateHistory(history, this.now(), options.seed ?? 7, this.instanceId ?? undefined, this.endpoint) : history.map((e) => ({ ...e }));
    this.reindex();
    const lastSent = this.lastSentIndex();
    if (lastSent >= 0) {
      const e = this.history[lastSent]!;
      this.lastSuccessAt = e.at;
      this.lastAttempt = { at: e.at, ok: true, status: e.status ?? 200, message: e.message };
    }
    const last = this.history.at(-1);
    if (last && last.outcome !== 'sent') {
      this.lastAttempt = { at: last.at, ok: false, ...(last.status !== undefined ? { status: last.status } : {}), ...(last.errorClass ? { errorClass: last.errorClass } : {}), message: last.message };
      this.consecutiveFailures = 1;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Controls for tests

  get listenerCount(): number {
    return this.listeners.size;
  }

  setServerState(state: FakeServerState): void {
    this.serverState = state;
  }

  failSends(errorClass: ErrorClass | null): void {
    this.sendFailure = errorClass;
  }

  refuseByGuard(verdict: { field: string; reason: string } | null): void {
    this.guardFailure = verdict;
  }

  setEnv(env: Record<string, string | undefined>): void {
    this.opts.env = env;
    this.emitStatus();
  }

  /** Makes `method` wait until the returned function is called. */
  hold(method: ApiMethod): () => void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    const h = { promise, release: () => { this.holds.delete(method); release(); } };
    this.holds.set(method, h);
    return h.release;
  }

  /** The next `times` calls of `method` throw `error` (Infinity: until `stopFailing`). */
  failNext(method: ApiMethod, error: ApiError = new ApiError('unavailable', 'The agent is busy.'), times = 1): void {
    this.failures.set(method, { error, remaining: times });
  }

  stopFailing(method: ApiMethod): void {
    this.failures.delete(method);
  }

  /** What the agent's live tick does: memory and uptime move on, the preview is rebuilt and pushed. */
  tick(): PreviewView {
    this.ticks++;
    const preview = this.build();
    this.emit({ type: 'preview', preview });
    return preview;
  }

  emit(event: AgentEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // like the agent: a broken listener stops nothing
      }
    }
  }

  /** Adds a finished attempt (newest) and pushes it like the agent does. */
  addHistoryEntry(partial: Partial<HistoryEntry> & Pick<HistoryEntry, 'outcome'>): HistorySummary {
    const preview = this.preview ?? this.build();
    const entry: StoredEntry = {
      id: `m${Date.now().toString(36)}${Math.floor(this.rnd() * 1e6).toString(36)}`,
      at: new Date(this.now()).toISOString(),
      trigger: 'manual',
      endpoint: this.endpoint,
      sha256: preview.sha256,
      size: preview.size,
      durationMs: 120,
      message: partial.outcome === 'sent' ? 'accepted (HTTP 200)' : 'The endpoint could not be reached',
      body: preview.text,
      counts: countsOf(preview.text),
      ...partial,
    };
    this.history.push(entry);
    this.byId.set(entry.id, this.history.length - 1);
    const summary = this.summary(this.history.length - 1);
    this.emit({ type: 'history', entry: summary });
    return summary;
  }

  /** Every history entry with its exact bytes, oldest first. */
  allEntries(): HistoryEntry[] {
    return this.history.map((_, i) => this.entryAt(i));
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  private reindex(): void {
    this.byId = new Map(this.history.map((e, i) => [e.id, i]));
  }

  private lastSentIndex(): number {
    for (let i = this.history.length - 1; i >= 0; i--) if (this.history[i]!.outcome === 'sent') return i;
    return -1;
  }

  private bodyAt(i: number): string {
    const e = this.history[i]!;
    if (e.body === undefined) {
      e.body = JSON.stringify(samplePayload(e.facts!));
      e.sha256 = sha256Hex(e.body);
      e.size = Buffer.byteLength(e.body);
    }
    return e.body;
  }

  private summary(i: number): HistorySummary {
    this.bodyAt(i);
    const { body: _b, facts: _f, ...summary } = this.history[i]!;
    return summary;
  }

  private entryAt(i: number): HistoryEntry {
    const body = this.bodyAt(i);
    return { ...this.summary(i), body };
  }

  private consent() {
    const { env, cliShare, configFile } = this.opts;
    return resolveConsent({
      ...(cliShare !== undefined ? { cliFlag: cliShare } : {}),
      env,
      ...(configFile ? { configFile } : {}),
      storedChoice: this.storedChoice,
      shell: this.opts.shell,
      firstStartAt: this.firstStartAt,
      now: this.now(),
      approvedFields: this.approvedFields,
      currentFields: CANDOR_FIELD_PATHS,
    });
  }

  private facts(): SampleFacts {
    const ok = this.serverState === 'ok' || this.serverState === 'config-hidden' || this.serverState === 'not-admin';
    return {
      instanceId: this.instanceId,
      uptime: 86_400 * 3 + 5 * this.ticks + 17,
      memSys: 118_423_552 + this.ticks * 4096,
      hostAvailable: 4_123_004_928 - this.ticks * 8192,
      tracks: 48_213,
      albums: 3_911,
      artists: 1_804,
      playlists: 27,
      activeUsers: 4,
      server: ok,
      serverConfig: this.serverState === 'ok' || this.serverState === 'not-admin',
    };
  }

  private sources(): SourceHealth[] {
    const s = this.serverState;
    const problem = s === 'ok' || s === 'config-hidden' || s === 'not-admin' ? null : s;
    const server: SourceHealth = problem
      ? { source: 'server', state: problem === 'not-configured' ? 'skipped' : 'failed', message: PROBLEMS[problem], code: problem, omitted: ['version', 'library'] }
      : s === 'not-admin'
        ? { source: 'server', state: 'partial', message: PROBLEMS['not-admin'], code: 'not-admin', omitted: ['library.activeUsers'] }
        : { source: 'server', state: 'ok', message: 'Read successfully.' };
    const configProblem = s === 'config-hidden' ? 'config-hidden' : (problem ?? 'not-configured');
    const config: SourceHealth =
      s === 'ok' || s === 'not-admin'
        ? { source: 'server-config', state: 'ok', message: 'Read successfully.' }
        : { source: 'server-config', state: s === 'not-configured' ? 'skipped' : 'failed', message: PROBLEMS[configProblem], code: configProblem, omitted: ['config', 'fs'] };
    return [
      server,
      config,
      problem ? { source: 'uptime', state: 'failed', message: PROBLEMS['start-time-unknown'], code: 'start-time-unknown', omitted: ['uptime'] } : { source: 'uptime', state: 'ok', message: 'Read successfully.' },
      { source: 'host', state: 'ok', message: 'Read successfully.' },
      problem || s === 'config-hidden'
        ? { source: 'filesystems', state: 'skipped', message: 'Skipped: the folders are named in the server\'s settings, which could not be read.', code: 'not-configured' }
        : { source: 'filesystems', state: 'ok', message: 'Read successfully.' },
    ];
  }

  private omitted(f: SampleFacts): PreviewView['omitted'] {
    const out: PreviewView['omitted'] = [];
    const s = this.serverState;
    const reason = s === 'ok' || s === 'config-hidden' || s === 'not-admin' ? null : PROBLEMS[s];
    if (!f.server && reason) {
      out.push({ path: 'version', reason }, { path: 'uptime', reason: PROBLEMS['start-time-unknown'] }, { path: 'library', reason });
    }
    if (!f.serverConfig) {
      const r = s === 'config-hidden' ? PROBLEMS['config-hidden'] : (reason ?? PROBLEMS['not-configured']);
      out.push({ path: 'config', reason: r });
      for (const folder of ['music', 'data', 'cache', 'backup']) out.push({ path: `fs.${folder}.type`, reason: r });
    }
    if (!f.instanceId) out.push({ path: 'id', reason: 'No anonymous ID yet: one is made when you agree to share.' });
    return out;
  }

  private build(): PreviewView {
    const facts = this.facts();
    const report = encodePayload(samplePayload(facts));
    const lastSent = this.lastSentIndex();
    this.preview = {
      text: report.text,
      sha256: report.sha256,
      size: report.size,
      builtAt: new Date(this.now()).toISOString(),
      changesSinceLastSent: lastSent >= 0 ? diffReports(this.bodyAt(lastSent), report.text) : null,
      omitted: this.omitted(facts),
      guard: this.guardFailure ? { ok: false, ...this.guardFailure } : { ok: true },
    };
    return this.preview;
  }

  private settingsView(): SettingsView {
    return {
      server: {
        url: this.server.url,
        username: this.server.username,
        configFile: this.server.configFile,
        passwordStorage: this.opts.fixedBy['server.password'] ? 'config-file' : this.server.password ? (this.opts.shell === 'desktop' ? 'os-keychain' : 'private-file') : 'none',
      },
      endpoint: this.endpoint,
      historyRetentionDays: this.retentionDays,
      fixedBy: { ...this.opts.fixedBy },
    };
  }

  private status(): AgentStatus {
    const consent = this.consent();
    const may = consent.sharing && consent.paused === null;
    const base = this.lastSuccessAt ? Date.parse(this.lastSuccessAt) + DAY : this.now() + 7 * 60 * 1000;
    return {
      shell: this.opts.shell,
      agentVersion: '0.1.0',
      instanceId: this.instanceId,
      consent,
      schedule: {
        nextDueAt: may ? new Date(Math.max(base, this.now() + 5 * 60 * 1000)).toISOString() : null,
        lastSuccessAt: this.lastSuccessAt,
        lastAttempt: this.lastAttempt,
        consecutiveFailures: this.consecutiveFailures,
      },
      scheduler: { role: 'keeper', keptBy: { label: this.opts.shell === 'desktop' ? 'the desktop app' : 'candor serve', pid: 4242, since: new Date(this.now()).toISOString() } },
      sources: this.sources(),
      settings: this.settingsView(),
      warnings: [...this.opts.warnings],
    };
  }

  private emitStatus(): void {
    if (this.listeners.size > 0) this.emit({ type: 'status', status: this.status() });
  }

  private async enter(method: ApiMethod, input: unknown): Promise<void> {
    this.calls.push({ method, input });
    const delay = this.opts.delays[method] ?? this.opts.latencyMs;
    if (delay > 0) await sleep(delay);
    const hold = this.holds.get(method);
    if (hold) await hold.promise;
    const failure = this.failures.get(method);
    if (failure) {
      if (--failure.remaining <= 0) this.failures.delete(method);
      throw failure.error;
    }
  }

  private refuse(key: string): void {
    const by = this.opts.fixedBy[key];
    if (by) throw new ApiError('locked', `${key} is set by ${by} and cannot be changed here.`);
  }

  // -------------------------------------------------------------------------------------------
  // CandorApi

  subscribe(listener: (event: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async getStatus(): Promise<AgentStatus> {
    await this.enter('getStatus', undefined);
    return this.status();
  }

  async getPreview(): Promise<PreviewView> {
    await this.enter('getPreview', undefined);
    return this.preview ?? this.build();
  }

  async refreshPreview(): Promise<PreviewView> {
    await this.enter('refreshPreview', undefined);
    this.ticks++;
    const preview = this.build();
    this.emit({ type: 'preview', preview });
    this.emitStatus();
    return preview;
  }

  async getFieldCatalog() {
    await this.enter('getFieldCatalog', undefined);
    return listFields(payloadSchema);
  }

  async listHistory(input: { offset: number; limit: number }): Promise<HistoryPage> {
    await this.enter('listHistory', input);
    const total = this.history.length;
    const entries: HistorySummary[] = [];
    for (let i = total - 1 - input.offset; i >= 0 && entries.length < input.limit; i--) entries.push(this.summary(i));
    return { total, offset: input.offset, entries };
  }

  async getHistoryEntry(input: { id: string }): Promise<HistoryEntry> {
    await this.enter('getHistoryEntry', input);
    const i = this.byId.get(input.id);
    if (i === undefined) throw new ApiError('not-found', 'No history entry with that id.');
    return this.entryAt(i);
  }

  async exportHistory(): Promise<string> {
    await this.enter('exportHistory', undefined);
    return JSON.stringify({ exportedAt: new Date(this.now()).toISOString(), entries: this.allEntries() }, null, 2);
  }

  async setConsent(input: { choice: 'share' | 'decline' }): Promise<AgentStatus> {
    await this.enter('setConsent', input);
    this.storedChoice = input.choice;
    if (input.choice === 'share') {
      this.approvedFields = [...CANDOR_FIELD_PATHS];
      this.instanceId ??= uuidFrom(this.rnd);
    }
    if (this.preview) this.emit({ type: 'preview', preview: this.build() });
    this.emitStatus();
    return this.status();
  }

  async approveFields(input: { fields: string[] }): Promise<AgentStatus> {
    await this.enter('approveFields', input);
    const known = new Set(CANDOR_FIELD_PATHS);
    const bad = input.fields.find((f) => !known.has(f));
    if (bad) throw new ApiError('invalid-input', `unknown field ${bad}`);
    this.approvedFields = [...new Set([...(this.approvedFields ?? []), ...input.fields])];
    this.emitStatus();
    return this.status();
  }

  async sendNow(): Promise<SendOutcome> {
    await this.enter('sendNow', undefined);
    const consent = this.consent();
    if (!(consent.sharing && consent.paused === null)) {
      return { ok: false, message: consent.sharing ? `Not sent: sharing is paused (${consent.paused?.reason}).` : `Not sent: sharing is off (${consent.decidedByLabel}).` };
    }
    this.instanceId ??= uuidFrom(this.rnd);
    const preview = this.build();
    if (this.opts.sendDurationMs > 0) await sleep(this.opts.sendDurationMs);
    const at = new Date(this.now()).toISOString();
    let summary: HistorySummary;
    if (this.guardFailure) {
      const message = `refused by the privacy guard: ${this.guardFailure.field} ${this.guardFailure.reason}`;
      summary = this.record({ at, trigger: 'manual', outcome: 'refused', errorClass: 'refused-by-guard', message, durationMs: 0 }, preview);
      this.emitStatus();
      return { ok: false, message: `Not sent: ${message}.`, entry: summary };
    }
    const failure = this.sendFailure;
    const info = failure ? SEND_MESSAGES[failure] : { status: 200, message: 'accepted (HTTP 200)' };
    summary = this.record(
      {
        at,
        trigger: 'manual',
        outcome: failure ? 'failed' : 'sent',
        ...(info.status !== undefined ? { status: info.status } : {}),
        ...(failure ? { errorClass: failure } : {}),
        message: info.message,
        durationMs: Math.max(1, this.opts.sendDurationMs),
      },
      preview,
    );
    this.lastAttempt = { at, ok: !failure, ...(info.status !== undefined ? { status: info.status } : {}), ...(failure ? { errorClass: failure } : {}), message: info.message };
    if (failure) this.consecutiveFailures++;
    else {
      this.consecutiveFailures = 0;
      this.lastSuccessAt = at;
    }
    this.emitStatus();
    this.emit({ type: 'preview', preview: this.build() });
    return { ok: !failure, message: failure ? `Not sent: ${info.message}.` : `Sent: ${info.message}.`, entry: summary };
  }

  private record(fields: Omit<HistorySummary, 'id' | 'endpoint' | 'sha256' | 'size' | 'counts'>, preview: PreviewView): HistorySummary {
    const entry: StoredEntry = {
      id: `m${this.history.length.toString(36)}${Math.floor(this.rnd() * 1e9).toString(36)}`,
      endpoint: this.endpoint,
      sha256: preview.sha256,
      size: preview.size,
      counts: countsOf(preview.text),
      body: preview.text,
      ...fields,
    };
    this.history.push(entry);
    this.byId.set(entry.id, this.history.length - 1);
    const summary = this.summary(this.history.length - 1);
    this.emit({ type: 'history', entry: summary });
    return summary;
  }

  async resetInstanceId(): Promise<AgentStatus> {
    await this.enter('resetInstanceId', undefined);
    this.instanceId = uuidFrom(this.rnd);
    if (this.preview) this.emit({ type: 'preview', preview: this.build() });
    this.emitStatus();
    return this.status();
  }

  async updateSettings(input: ApiInput<'updateSettings'>): Promise<AgentStatus> {
    await this.enter('updateSettings', input);
    if (input.endpoint !== undefined) {
      this.refuse('endpoint');
      if (!/^https:\/\/|^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(input.endpoint)) throw new ApiError('invalid-input', 'The endpoint must use https:// (http:// only to 127.0.0.1 or localhost).');
      this.endpoint = input.endpoint;
    }
    const server = input.server;
    if (server?.url !== undefined) {
      this.refuse('server.url');
      if (server.url !== '' && !/^https?:\/\//.test(server.url)) throw new ApiError('invalid-input', 'The server address must start with http:// or https://.');
      this.server.url = server.url === '' ? null : server.url.replace(/\/+$/, '');
    }
    if (server?.username !== undefined) {
      this.refuse('server.username');
      this.server.username = server.username || null;
    }
    if (server?.configFile !== undefined) {
      this.refuse('server.configFile');
      this.server.configFile = server.configFile || null;
    }
    if (server?.password !== undefined) {
      this.refuse('server.password');
      this.server.password = server.password || null;
    }
    if (input.historyRetentionDays !== undefined) {
      this.refuse('historyRetentionDays');
      this.retentionDays = input.historyRetentionDays;
      const cutoff = this.now() - input.historyRetentionDays * DAY;
      const keep = this.history.filter((e) => Date.parse(e.at) >= cutoff);
      if (keep.length !== this.history.length) {
        this.history = keep;
        this.reindex();
      }
    }
    if (server) {
      this.serverState = this.judgeServer(this.server.url, this.server.username, this.server.password ?? undefined);
      this.emit({ type: 'preview', preview: this.build() });
    }
    this.emitStatus();
    return this.status();
  }

  private judgeServer(url: string | null, username: string | null, password: string | undefined): FakeServerState {
    if (!url || !username) return 'not-configured';
    const reachable = this.opts.reachableUrls ?? ['http://127.0.0.1:4533', 'http://localhost:4533'];
    if (!reachable.includes(url.replace(/\/+$/, ''))) return 'unreachable';
    const accepts = this.opts.serverAccepts ?? { username: 'admin', password: 'correct horse' };
    if (username !== accepts.username || password !== accepts.password) return 'unauthorized';
    return 'ok';
  }

  async testConnection(input: { url: string; username: string; password?: string }): Promise<ConnectionTestResult> {
    await this.enter('testConnection', input);
    const state = this.judgeServer(input.url, input.username, input.password ?? this.server.password ?? undefined);
    const checks: ConnectionCheck[] = [];
    if (state === 'unreachable' || state === 'not-configured') {
      checks.push({ name: 'reach', state: 'failed', message: PROBLEMS.unreachable });
      return { ok: false, checks };
    }
    checks.push({ name: 'reach', state: 'ok', message: 'The server answered.' });
    if (state === 'unauthorized') {
      checks.push({ name: 'login', state: 'failed', message: PROBLEMS.unauthorized });
      return { ok: false, serverType: 'navidrome', serverVersion: '0.58.0 (fa2cf362)', checks };
    }
    checks.push(
      { name: 'login', state: 'ok', message: 'Signed in.' },
      { name: 'admin', state: 'ok', message: 'The user is an administrator.' },
      { name: 'library', state: 'ok', message: 'All library counts read.' },
      { name: 'config', state: 'ok', message: "The server's settings were read." },
      { name: 'uptime', state: 'ok', message: "The server's start time was read." },
    );
    return { ok: true, serverType: 'navidrome', serverVersion: '0.58.0 (fa2cf362)', checks };
  }

  async detectLocalServer(): Promise<LocalServerGuess | null> {
    await this.enter('detectLocalServer', undefined);
    return this.opts.localServer === undefined ? { url: 'http://127.0.0.1:4533', serverType: 'navidrome' } : this.opts.localServer;
  }
}

function countsOf(body: string): HistorySummary['counts'] {
  const library = (JSON.parse(body) as { library?: Record<string, unknown> }).library ?? {};
  const out: NonNullable<HistorySummary['counts']> = {};
  for (const key of ['tracks', 'albums', 'artists'] as const) if (typeof library[key] === 'number') out[key] = library[key] as number;
  return out;
}

export function createFakeApi(options: FakeApiOptions = {}): FakeCandorApi {
  return new FakeCandorApi(options);
}
