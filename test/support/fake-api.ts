/**
 * An in-memory `CandorApi` with realistic, controllable state, for building and testing every
 * user interface without the real agent: the renderer's component tests, `candor serve`'s
 * security tests, the Playwright end-to-end tests, the UI benchmark and the screenshots.
 *
 * Realistic means: consent and levels are resolved by the core's own `resolveConsent`, a level's
 * report keeps exactly the fields the core's `keepCategories` keeps, the preview's bytes are made by
 * the core's own `encodePayload` (schema order, allowlist-checked, real sha256), changes since the
 * last report use the core's `diffReports`, deletion at the collector is the core's own
 * `deleteRemoteData` over a fake collector, problems use the core's fixed wording, and history
 * pages are newest first, like `HistoryStore`.
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
  type ConnectionTestResult,
  type ConsentState,
  type DeletionOutcome,
  type ErrorClass,
  type ExportedReport,
  type HistoryEntry,
  type HistoryPage,
  type HistorySummary,
  type LocalServerGuess,
  type PolicyCategory,
  type PreviewView,
  type SchedulerView,
  type SendOutcome,
  type ShellKind,
  type StoredChoice,
  type ApiMethod,
  type VerifyReport,
} from '../../shared/api-contract';
import { filterHistory, normalizeFilter, type FilterResult } from '../../shared/history-filter';
import { HttpFailure, type HttpClient } from '../../core/net/http-client';
import { verifyRemoteData } from '../../core/send/remote-verify';
import { resolveConsent, type ConsentInputs } from '../../core/consent/consent';
import { notSentBecause } from '../../core/consent/describe';
import type { AgentContext } from '../../core/context';
import { diffReports } from '../../shared/report-diff';
import { encodePayload, sha256Hex } from '../../core/report/encode';
import { listFields } from '../../shared/schema/dsl';
import { categoryOfPath, categoryRoots, fieldsFor, keepCategories, normalizeCategories, POLICY_CATEGORIES, presetOf } from '../../shared/schema/levels';
import { CANDOR_FIELD_PATHS, CATEGORY_TITLES, payloadSchema } from '../../shared/schema/payload';
import { EXPORT_FORMAT_VERSION } from '../../core/send/report-export';
import { deleteRemoteData } from '../../core/send/remote-deletion';
import { DAY, SEND_MESSAGES, countsOf, generateHistory, samplePayload, type SampleFacts, type StoredEntry } from './fake-sample';
import { FakeMusicServer, type FakeServerOptions, type FakeServerState } from './fake-music-server';
import { seeded, uuidFrom } from './random';

export { generateHistory, samplePayload, type SampleFacts } from './fake-sample';
export type { FakeServerState } from './fake-music-server';

export interface FakeApiOptions extends FakeServerOptions {
  shell?: ShellKind;
  /** Wall clock; defaults to `Date.now`. */
  now?: () => number;
  seed?: number;
  /** The wizard's stored answer (null: not answered yet), and the categories stored with it (all four by default). */
  storedChoice?: StoredChoice | null;
  storedCategories?: PolicyCategory[];
  /** Config-level inputs, resolved exactly as the agent does. */
  env?: Record<string, string | undefined>;
  cliShare?: boolean;
  configFile?: ConsentInputs['configFile'];
  /** Fields this "new version" can send that the user has not approved (pauses sharing). */
  newFields?: string[];
  /** Headless: when the agent first started (for the 30-minute grace). */
  firstStartAt?: number;
  /** Number of generated history entries, or explicit entries (oldest first). */
  history?: number | HistoryEntry[];
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
  /** How the collector answers a deletion request; by default Navidrome's does not offer it and any other deletes. */
  collectorDeletion?: 'deletes' | 'unsupported' | 'fails';
  /** Which process keeps the daily schedule (by default: this one). */
  scheduler?: SchedulerView;
  /** What the collector answers `candor verify`; by default Navidrome's does not offer it and any other holds what was sent. */
  collectorAccess?: 'holds-sent' | 'foreign' | 'unsupported' | 'down';
}

export interface FakeCall {
  method: ApiMethod;
  input: unknown;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  private opts: Required<Pick<FakeApiOptions, 'shell' | 'env' | 'newFields' | 'sendDurationMs' | 'latencyMs' | 'delays' | 'fixedBy' | 'warnings'>> &
    FakeApiOptions;
  private storedChoice: StoredChoice | null;
  private storedCategories: PolicyCategory[] | null;
  private approvedFields: string[] | null;
  private instanceId: string | null;
  /** Every id this machine reported under, with the secret the collector needs to delete its reports. */
  private readonly deletionKeys: Array<{ id: string; key: string; createdAt: number }> = [];
  private readonly server: FakeMusicServer;
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
  /** Like the agent's history store: a list is read page by page with one search, kept until the history changes. */
  private lastSearch: { key: string; result: FilterResult<HistorySummary & { index: number }> } | null = null;
  private summaries: Array<HistorySummary & { index: number }> | null = null;

  constructor(options: FakeApiOptions = {}) {
    this.now = options.now ?? (() => Date.now());
    this.rnd = seeded(options.seed ?? 1);
    this.opts = { shell: 'desktop', env: {}, newFields: [], sendDurationMs: 0, latencyMs: 0, delays: {}, fixedBy: {}, warnings: [], ...options };
    this.storedChoice = options.storedChoice ?? null;
    this.storedCategories = options.storedCategories ? normalizeCategories(options.storedCategories) : null;
    this.approvedFields =
      this.storedChoice === 'share' ? fieldsFor(this.storedCategories ?? POLICY_CATEGORIES).filter((f) => !this.opts.newFields.includes(f)) : null;
    this.instanceId = options.instanceId !== undefined ? options.instanceId : this.storedChoice === 'share' ? '5f0c1b2e-8a7d-4c3b-a1e2-9d8c7b6a5f40' : null;
    if (this.instanceId) this.keepDeletionKey(this.instanceId);
    this.server = new FakeMusicServer(options, () => this.opts.fixedBy);
    this.endpoint = options.endpoint ?? 'https://insights.navidrome.org/collect';
    this.retentionDays = options.historyRetentionDays ?? 365;
    this.sendFailure = options.sendFailure ?? null;
    this.guardFailure = options.guardFailure ?? null;
    this.firstStartAt = options.firstStartAt ?? this.now() - 3600_000;
    const history = options.history ?? 0;
    this.history =
      typeof history === 'number'
        ? generateHistory(history, this.now(), options.seed ?? 7, this.instanceId ?? undefined, this.endpoint)
        : history.map((e) => ({ ...e }));
    this.reindex();
    const lastSent = this.lastSentIndex();
    if (lastSent >= 0) {
      const e = this.history[lastSent]!;
      this.lastSuccessAt = e.at;
      this.lastAttempt = { at: e.at, ok: true, status: e.status ?? 200, message: e.message };
    }
    const last = this.history.at(-1);
    if (last && last.outcome !== 'sent') {
      this.lastAttempt = {
        at: last.at,
        ok: false,
        ...(last.status !== undefined ? { status: last.status } : {}),
        ...(last.errorClass ? { errorClass: last.errorClass } : {}),
        message: last.message,
      };
      this.consecutiveFailures = 1;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Controls for tests

  get listenerCount(): number {
    return this.listeners.size;
  }

  setServerState(state: FakeServerState): void {
    this.server.state = state;
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
    const h = {
      promise,
      release: () => {
        this.holds.delete(method);
        release();
      },
    };
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
    const consent = this.consent();
    return this.record(
      {
        at: new Date(this.now()).toISOString(),
        trigger: 'manual',
        level: consent.level,
        categories: consent.categories,
        durationMs: 120,
        message: partial.outcome === 'sent' ? 'accepted (HTTP 200)' : 'The endpoint could not be reached',
        ...partial,
      },
      preview,
    );
  }

  /** Every history entry with its exact bytes, oldest first. */
  allEntries(): HistoryEntry[] {
    return this.history.map((_, i) => this.entryAt(i));
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  private reindex(): void {
    this.byId = new Map(this.history.map((e, i) => [e.id, i]));
    this.lastSearch = null;
    this.summaries = null;
  }

  private lastSentIndex(): number {
    for (let i = this.history.length - 1; i >= 0; i--) if (this.history[i]!.outcome === 'sent') return i;
    return -1;
  }

  private bodyAt(i: number): string {
    const e = this.history[i]!;
    if (e.body === undefined) {
      // keepCategories walks the schema, so the keys come out in schema order, as encodePayload's do.
      e.body = JSON.stringify(keepCategories(samplePayload(e.facts!), e.categories ?? POLICY_CATEGORIES));
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

  private consent(): ConsentState {
    const { env, cliShare, configFile } = this.opts;
    return resolveConsent({
      ...(cliShare !== undefined ? { cliFlag: cliShare } : {}),
      env,
      ...(configFile ? { configFile } : {}),
      storedChoice: this.storedChoice,
      storedCategories: this.storedCategories,
      shell: this.opts.shell,
      firstStartAt: this.firstStartAt,
      now: this.now(),
      approvedFields: this.approvedFields,
    });
  }

  /** What the live preview shows: the current level's categories, or, while nothing is built, what sharing would carry (as the agent does). */
  private currentCategories(consent = this.consent()): PolicyCategory[] {
    return consent.categories.length > 0 ? consent.categories : consent.storedCategories;
  }

  private facts(): SampleFacts {
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
      server: this.server.answers,
      serverConfig: this.server.state === 'ok' || this.server.state === 'not-admin',
      onThisMachine: this.server.onThisMachine,
    };
  }

  /** Like the agent's builder: what a level does not share is listed with that one reason, not as a failure. */
  private omitted(facts: SampleFacts, categories: readonly PolicyCategory[]): PreviewView['omitted'] {
    let out = this.server.omitted(facts);
    for (const category of POLICY_CATEGORIES) {
      if (categories.includes(category)) continue;
      out = out.filter((o) => categoryOfPath(o.path) !== category);
      for (const root of categoryRoots(category))
        out.push({ path: root, reason: `Not shared at your level: ${CATEGORY_TITLES[category].toLowerCase()} are switched off.` });
    }
    return out;
  }

  /** The report at `categories` (by default the current level's); only the current level's becomes the live preview. */
  private build(categories?: readonly PolicyCategory[]): PreviewView {
    const current = this.currentCategories();
    const chosen = categories ? normalizeCategories(categories) : current;
    const facts = this.facts();
    const report = encodePayload(keepCategories(samplePayload(facts), chosen));
    const lastSent = this.lastSentIndex();
    const view: PreviewView = {
      text: report.text,
      sha256: report.sha256,
      size: report.size,
      builtAt: new Date(this.now()).toISOString(),
      changesSinceLastSent: lastSent >= 0 ? diffReports(this.bodyAt(lastSent), report.text) : null,
      omitted: this.omitted(facts, chosen),
      guard: this.guardFailure ? { ok: false, ...this.guardFailure } : { ok: true },
      serverLocation: this.server.location(),
    };
    if (chosen.join() === current.join()) this.preview = view;
    return view;
  }

  private status(): AgentStatus {
    const consent = this.consent();
    const may = (consent.sharing && consent.paused === null) || consent.level === 'local';
    const base = this.lastSuccessAt ? Date.parse(this.lastSuccessAt) + DAY : this.now() + 7 * 60 * 1000;
    // As the agent plans it: headless and unanswered, the first report goes when the grace period ends.
    const graceUntil = consent.paused?.reason === 'headless-grace' && consent.paused.until ? Date.parse(consent.paused.until) : null;
    return {
      shell: this.opts.shell,
      agentVersion: '0.1.0',
      instanceId: this.instanceId,
      consent,
      schedule: {
        nextDueAt: may || graceUntil !== null ? new Date(Math.max(base, this.now() + 5 * 60 * 1000, graceUntil ?? 0)).toISOString() : null,
        lastSuccessAt: this.lastSuccessAt,
        lastAttempt: this.lastAttempt,
        consecutiveFailures: this.consecutiveFailures,
      },
      scheduler: this.opts.scheduler ?? {
        role: 'keeper',
        keptBy: { label: this.opts.shell === 'desktop' ? 'the desktop app' : 'candor serve', pid: 4242, since: new Date(this.firstStartAt).toISOString() },
      },
      sources: this.server.sources(),
      serverLocation: this.server.location(),
      settings: {
        server: this.server.view(this.opts.shell),
        endpoint: this.endpoint,
        historyRetentionDays: this.retentionDays,
        fixedBy: { ...this.opts.fixedBy },
      },
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

  private refuse = (key: string): void => {
    const by = this.opts.fixedBy[key];
    if (by) throw new ApiError('locked', `${key} is set by ${by} and cannot be changed here.`);
  };

  /** Navidrome's own collector: no deletion, no receipts, no access. */
  private isNavidromeEndpoint(): boolean {
    return /^https:\/\/insights\.navidrome\.org\//.test(this.endpoint);
  }

  private keepDeletionKey(id: string): void {
    if (!this.deletionKeys.some((k) => k.id === id)) this.deletionKeys.push({ id, key: sha256Hex(`key ${id}`), createdAt: this.now() });
  }

  private record(
    fields: Omit<HistorySummary, 'id' | 'endpoint' | 'sha256' | 'size' | 'counts'>,
    preview: Pick<PreviewView, 'text' | 'sha256' | 'size'>,
  ): HistorySummary {
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
    this.lastSearch = null;
    this.summaries = null;
    this.byId.set(entry.id, this.history.length - 1);
    const summary = this.summary(this.history.length - 1);
    this.emit({ type: 'history', entry: summary });
    return summary;
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

  async getPreview(input?: ApiInput<'getPreview'>): Promise<PreviewView> {
    await this.enter('getPreview', input);
    if (!input?.categories) return this.preview ?? this.build();
    // Like the agent: asking for the current level's categories rebuilds and publishes the live preview.
    const view = this.build(input.categories);
    if (view === this.preview) this.emit({ type: 'preview', preview: view });
    return view;
  }

  async refreshPreview(input?: ApiInput<'refreshPreview'>): Promise<PreviewView> {
    await this.enter('refreshPreview', input);
    this.ticks++;
    const preview = this.build();
    this.emit({ type: 'preview', preview });
    this.emitStatus();
    return input?.categories ? this.build(input.categories) : preview;
  }

  async getFieldCatalog() {
    await this.enter('getFieldCatalog', undefined);
    return listFields(payloadSchema);
  }

  /** Like the agent: newest first, searched by the core's own history filter over the exact bytes. */
  async listHistory(input: ApiInput<'listHistory'>): Promise<HistoryPage> {
    await this.enter('listHistory', input);
    const key = JSON.stringify(normalizeFilter(input.filter));
    if (this.lastSearch?.key !== key) {
      this.summaries ??= this.history.map((_, i) => ({ ...this.summary(i), index: i }));
      const result = filterHistory(this.summaries, input.filter, (e) => this.bodyAt(e.index));
      this.lastSearch = { key, result };
    }
    const { matches, outcomes } = this.lastSearch.result;
    const total = matches.length;
    const entries: HistorySummary[] = [];
    for (let i = total - 1 - input.offset; i >= 0 && entries.length < input.limit; i--) entries.push(this.summary(matches[i]!.index));
    return { total, offset: input.offset, entries, unfiltered: this.history.length, outcomes };
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

  async setConsent(input: ApiInput<'setConsent'>): Promise<AgentStatus> {
    await this.enter('setConsent', input);
    const chosen = input.categories === undefined ? null : normalizeCategories(input.categories);
    this.storedChoice = input.choice;
    this.storedCategories = chosen && input.choice !== 'decline' && chosen.length < POLICY_CATEGORIES.length ? chosen : null;
    if (input.choice === 'share') {
      this.approvedFields = [...new Set([...(this.approvedFields ?? []), ...fieldsFor(chosen ?? POLICY_CATEGORIES)])];
      this.instanceId ??= uuidFrom(this.rnd);
      this.keepDeletionKey(this.instanceId);
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
    if (!(consent.sharing && consent.paused === null)) return { ok: false, message: notSentBecause(consent) };
    this.instanceId ??= uuidFrom(this.rnd);
    this.keepDeletionKey(this.instanceId);
    const preview = this.build();
    if (this.opts.sendDurationMs > 0) await sleep(this.opts.sendDurationMs);
    const at = new Date(this.now()).toISOString();
    const level = { level: consent.level, categories: consent.categories };
    let summary: HistorySummary;
    if (this.guardFailure) {
      const message = `refused by the privacy guard: ${this.guardFailure.field} ${this.guardFailure.reason}`;
      summary = this.record({ at, trigger: 'manual', ...level, outcome: 'refused', errorClass: 'refused-by-guard', message, durationMs: 0 }, preview);
      this.emitStatus();
      return { ok: false, message: `Not sent: ${message}.`, entry: summary };
    }
    const failure = this.sendFailure;
    const info = failure ? SEND_MESSAGES[failure] : { status: 200, message: 'accepted (HTTP 200)' };
    summary = this.record(
      {
        at,
        trigger: 'manual',
        ...level,
        // As the agent: a server that could not be read sends nothing, and says so.
        outcome: failure === 'server-not-read' ? 'not-sent' : failure ? 'failed' : 'sent',
        ...(info.status !== undefined ? { status: info.status } : {}),
        ...(failure ? { errorClass: failure } : {}),
        message: info.message,
        durationMs: Math.max(1, this.opts.sendDurationMs),
        // Like Candor's collector, any but Navidrome's answers with a receipt of the bytes received.
        ...(!failure && !this.isNavidromeEndpoint() ? { receipt: preview.sha256 } : {}),
      },
      preview,
    );
    this.lastAttempt = {
      at,
      ok: !failure,
      ...(info.status !== undefined ? { status: info.status } : {}),
      ...(failure ? { errorClass: failure } : {}),
      message: info.message,
    };
    if (failure) this.consecutiveFailures++;
    else {
      this.consecutiveFailures = 0;
      this.lastSuccessAt = at;
    }
    this.emitStatus();
    this.emit({ type: 'preview', preview: this.build() });
    const said =
      failure === 'server-not-read' ? `${info.message.replace(/: nothing was sent$/, '')}; a report is sent only when the server was read` : info.message;
    return { ok: !failure, message: failure ? `Not sent: ${said}.` : `Sent: ${info.message}.`, entry: summary };
  }

  /** Like the agent's exporter: the report at the level asked for (or the current one), logged as exported. */
  async exportReport(input?: ApiInput<'exportReport'>): Promise<ExportedReport> {
    await this.enter('exportReport', input);
    const consent = this.consent();
    if (consent.level === 'off' && consent.locked)
      throw new ApiError('locked', `Sharing is off, decided by ${consent.decidedByLabel}: nothing is built, not even for a file.`);
    if (consent.level === 'off' && !input?.categories)
      throw new ApiError('unavailable', 'Sharing is off: say how much to export (`candor export --level basic`, or full).');
    const categories = normalizeCategories(input?.categories ?? consent.categories);
    this.instanceId ??= uuidFrom(this.rnd);
    this.keepDeletionKey(this.instanceId);
    const report = this.build(categories);
    if (!report.guard.ok) throw new ApiError('unavailable', `Not exported: refused by the privacy guard: ${report.guard.field} ${report.guard.reason}.`);
    const level = presetOf(categories);
    const entry = this.record(
      {
        at: new Date(this.now()).toISOString(),
        trigger: 'export',
        level,
        categories,
        durationMs: 0,
        outcome: 'exported',
        message: 'written to a file for a machine without internet',
      },
      report,
    );
    const text = `${JSON.stringify({ candorExport: EXPORT_FORMAT_VERSION, level, categories, createdAt: entry.at, sha256: report.sha256, report: report.text }, null, 2)}\n`;
    return { fileName: `candor-report-${entry.at.slice(0, 10)}-${report.sha256.slice(0, 8)}.json`, text, sha256: report.sha256, level, entry };
  }

  /** The core's own deletion request, over a collector that deletes, does not offer deletion, or fails. */
  async deleteRemoteData(): Promise<DeletionOutcome> {
    await this.enter('deleteRemoteData', undefined);
    const mode = this.opts.collectorDeletion ?? (this.isNavidromeEndpoint() ? 'unsupported' : 'deletes');
    const status = mode === 'deletes' ? 204 : mode === 'unsupported' ? 405 : 503;
    const ctx = {
      deletionKeys: { all: () => [...this.deletionKeys] },
      deps: { http: { request: () => Promise.resolve({ status, headers: {}, body: '' }) }, logger: { log: () => {} } },
    } as unknown as AgentContext;
    return deleteRemoteData(ctx, this.endpoint);
  }

  /**
   * The core's own comparison, over a collector that holds what was sent (the newest report of each
   * UTC day of the last 30), also holds a report this machine never sent, offers no such check
   * (Navidrome's), or cannot be reached.
   */
  async verifyRemoteData(): Promise<VerifyReport> {
    await this.enter('verifyRemoteData', undefined);
    const mode = this.opts.collectorAccess ?? (this.isNavidromeEndpoint() ? 'unsupported' : 'holds-sent');
    const entries = this.allEntries();
    const http: HttpClient = {
      request: (req) => {
        if (mode === 'down') return Promise.reject(new HttpFailure('unreachable'));
        if (mode === 'unsupported') return Promise.resolve({ status: 405, headers: {}, body: '' });
        const id = decodeURIComponent(req.url.slice(req.url.lastIndexOf('/') + 1));
        const byDay = new Map<string, HistoryEntry>();
        for (const e of entries) if (e.outcome === 'sent' && Date.parse(e.at) > this.now() - 30 * DAY && e.body.includes(id)) byDay.set(e.at.slice(0, 10), e);
        const reports: unknown[] = [...byDay.values()].map((e) => ({
          day: e.at.slice(0, 10),
          sha256: e.sha256,
          key: 'this',
          receivedAt: e.at,
          expiresAt: new Date(Date.parse(e.at) + 30 * DAY).toISOString(),
          report: JSON.parse(e.body) as unknown,
        }));
        if (mode === 'foreign') reports.push({ day: new Date(this.now()).toISOString().slice(0, 10), sha256: sha256Hex('not from here'), key: 'other' });
        return Promise.resolve({ status: 200, headers: {}, body: JSON.stringify({ id, retentionDays: 30, reports }) });
      },
    };
    return verifyRemoteData({ http, logger: { log: () => {} }, now: this.now }, [...this.deletionKeys], this.endpoint, entries);
  }

  async resetInstanceId(): Promise<AgentStatus> {
    await this.enter('resetInstanceId', undefined);
    this.instanceId = uuidFrom(this.rnd);
    this.keepDeletionKey(this.instanceId);
    if (this.preview) this.emit({ type: 'preview', preview: this.build() });
    this.emitStatus();
    return this.status();
  }

  async updateSettings(input: ApiInput<'updateSettings'>): Promise<AgentStatus> {
    await this.enter('updateSettings', input);
    if (input.endpoint !== undefined) {
      this.refuse('endpoint');
      if (!/^https:\/\/|^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(input.endpoint))
        throw new ApiError('invalid-input', 'The endpoint must use https:// (http:// only to 127.0.0.1 or localhost).');
      this.endpoint = input.endpoint;
    }
    if (input.server) this.server.update(input.server, this.refuse);
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
    if (input.server) this.emit({ type: 'preview', preview: this.build() });
    this.emitStatus();
    return this.status();
  }

  async testConnection(input: { url: string; username: string; password?: string }): Promise<ConnectionTestResult> {
    await this.enter('testConnection', input);
    return this.server.testConnection(input);
  }

  async detectLocalServer(): Promise<LocalServerGuess | null> {
    await this.enter('detectLocalServer', undefined);
    return this.opts.localServer === undefined ? { url: 'http://127.0.0.1:4533', serverType: 'navidrome' } : this.opts.localServer;
  }
}

export function createFakeApi(options: FakeApiOptions = {}): FakeCandorApi {
  return new FakeCandorApi(options);
}
