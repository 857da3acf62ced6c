import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  ApiError,
  type AgentEvent,
  type AgentStatus,
  type ApiInput,
  type AttemptResult,
  type CandorApi,
  type ConnectionCheck,
  type ConnectionTestResult,
  type HistorySummary,
  type PreviewView,
  type SendOutcome,
  type ShellKind,
  type Trigger,
} from './api/contract';
import { maySend, resolveConsent } from './consent/consent';
import { HistoryStore, HistoryWriteError, countsOf, summarize } from './history/history-store';
import type { HttpClient } from './http';
import type { Clock, Logger, Random } from './platform';
import { ReportBuilder, defaultSources, type BuiltReport, type ServerTarget, type SourceSet } from './report/builder';
import { diffReports } from './report/diff';
import { listFields } from './schema/dsl';
import { CANDOR_FIELD_PATHS, payloadSchema } from './schema/payload';
import {
  DEFAULT_SCHEDULE,
  EMPTY_SCHEDULE,
  afterFailure,
  afterSuccess,
  instantOf,
  nextAttemptAt,
  seenAt,
  startupNotBefore,
  type ScheduleOptions,
  type ScheduleRecord,
} from './schedule/schedule';
import { checkEndpoint, sendReport } from './send/sender';
import type { CandorConfig } from './settings/candor-config';
import { StateStore, privateFileSecretStore, type BackingStore, type SecretStore } from './settings/state-store';
import { collectServerFacts, normalizeBaseUrl } from './sources/music-server';
import { PROBLEMS } from './sources/problems';

export const AGENT_VERSION = '0.1.0';
/** Navidrome's own collector: Candor's payload is compatible with it. */
export const DEFAULT_ENDPOINT = 'https://insights.navidrome.org/collect';
/** Navidrome's default port, for "find my server". */
export const NAVIDROME_DEFAULT_URL = 'http://127.0.0.1:4533';
/** Re-check the timer at least this often, so sleep and clock changes are noticed promptly. */
const WAKE_CAP_MS = 5 * 60 * 1000;
/** Re-read the server this often while the preview is being watched. */
const SOURCE_REFRESH_MS = 5 * 60 * 1000;
const HISTORY_MAX_ENTRIES = 50_000;
const SEEN_MARK_INTERVAL_MS = 15 * 60 * 1000;

export interface AgentDeps {
  home: string;
  shell: ShellKind;
  env: Record<string, string | undefined>;
  /** `--share` / `--no-share`. */
  cliShare?: boolean;
  config: CandorConfig;
  clock: Clock;
  random: Random;
  logger: Logger;
  http: HttpClient;
  sources?: SourceSet;
  secrets?: SecretStore;
  createBacking?: (dir: string) => BackingStore;
  schedule?: Partial<ScheduleOptions>;
  agentVersion?: string;
}

/** A local key for "this server", so the daily rule applies per server. Never sent. */
function serverKey(url: string | null): string {
  return createHash('sha256').update(url ?? '(none)').digest('hex').slice(0, 16);
}

/**
 * The agent: sources → report → consent → schedule → send → history, behind `CandorApi`.
 * Every public method is safe to call at any time; failures become status, never exceptions that
 * escape to a shell (except `ApiError` for bad requests).
 */
export class Agent implements CandorApi {
  private readonly state: StateStore;
  private readonly builder: ReportBuilder;
  private readonly schedule: ScheduleOptions;
  private readonly secrets: SecretStore;
  private readonly listeners = new Set<(event: AgentEvent) => void>();
  private preview: PreviewView | null = null;
  private lastBuilt: BuiltReport | null = null;
  private lastRefreshAt = -Infinity;
  private timer: unknown = null;
  private tick: unknown = null;
  private notBefore = 0;
  private inFlight: Promise<SendOutcome> | null = null;
  private refreshing: Promise<void> | null = null;
  private running = false;
  private readonly runtimeWarnings: string[] = [];

  private constructor(
    private readonly deps: AgentDeps,
    private readonly history: HistoryStore,
  ) {
    this.state = new StateStore({ dir: deps.home, now: () => deps.clock.now(), ...(deps.createBacking ? { createBacking: deps.createBacking } : {}) });
    this.schedule = { ...DEFAULT_SCHEDULE, ...deps.schedule };
    this.secrets = deps.secrets ?? privateFileSecretStore(deps.home);
    this.builder = new ReportBuilder(deps.sources ?? defaultSources(deps.http), () => deps.clock.now(), deps.agentVersion ?? AGENT_VERSION);
  }

  static async create(deps: AgentDeps): Promise<Agent> {
    const history = await HistoryStore.open({ dir: deps.home, retentionDays: 365, maxEntries: HISTORY_MAX_ENTRIES, now: () => deps.clock.now() });
    const agent = new Agent(deps, history);
    await history.setRetentionDays(agent.retentionDays());
    return agent;
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Starts the daily schedule. Never sends before the start-up delay has passed. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.notBefore = startupNotBefore(this.deps.clock.now(), this.schedule, this.deps.random);
    this.arm();
  }

  /** Cancels pending work without sending; waits for an attempt already on the wire. */
  async stop(): Promise<void> {
    if (this.running) this.markSeen(true);
    this.running = false;
    this.disarm();
    if (this.tick) this.deps.clock.clearTimeout(this.tick as never);
    this.tick = null;
    await this.inFlight?.catch(() => undefined);
  }

  /** After sleep: the wall clock may have jumped; re-plan from real elapsed time. */
  onResume(): void {
    if (!this.running) return;
    this.notBefore = Math.max(this.notBefore, startupNotBefore(this.deps.clock.now(), { ...this.schedule, startupDelayMs: 60_000 }, this.deps.random));
    this.arm();
  }

  onSuspend(): void {
    this.disarm();
  }

  // -------------------------------------------------------------------------------------------
  // Derived state

  private consent() {
    const s = this.state.get();
    return resolveConsent({
      ...(this.deps.cliShare !== undefined ? { cliFlag: this.deps.cliShare } : {}),
      env: this.deps.env,
      ...(this.deps.config.path
        ? { configFile: { path: this.deps.config.path, unreadable: this.deps.config.unreadable, ...(this.deps.config.insightsEnabled !== undefined ? { enabled: this.deps.config.insightsEnabled } : {}) } }
        : {}),
      storedChoice: s.consent.choice ?? null,
      // A damaged settings file lost the answer: ask again, as the desktop does, rather than assume "yes".
      shell: s.consent.mustAskAgain ? 'desktop' : this.deps.shell,
      firstStartAt: s.firstStartAt,
      now: this.deps.clock.now(),
      approvedFields: s.consent.approvedFields ?? null,
      currentFields: CANDOR_FIELD_PATHS,
    });
  }

  private endpoint(): string {
    return this.deps.config.endpoint ?? this.state.get().settings.endpoint ?? DEFAULT_ENDPOINT;
  }

  private retentionDays(): number {
    return this.deps.config.historyRetentionDays ?? this.state.get().settings.historyRetentionDays;
  }

  private serverUrl(): string | null {
    return this.deps.config.server.url ?? this.state.get().settings.serverUrl ?? null;
  }

  private async target(): Promise<ServerTarget> {
    const settings = this.state.get().settings;
    const url = this.serverUrl();
    const username = this.deps.config.server.username ?? settings.serverUsername ?? null;
    const configFile = this.deps.config.server.configFile ?? settings.serverConfigFile ?? null;
    const password = await this.password();
    return { connection: url && username && password !== null ? { url, username, password } : null, configFile };
  }

  private async password(): Promise<string | null> {
    const c = this.deps.config.server;
    if (c.password !== undefined) return c.password;
    if (c.passwordFile) {
      try {
        return (await readFile(c.passwordFile, 'utf8')).replace(/\r?\n$/, '');
      } catch {
        this.warnOnce('The password file named in the config could not be read.');
        return null;
      }
    }
    return this.storedPassword();
  }

  /** The stored password, read once: status is built on every change and must not re-read the keychain each time. */
  private secretRead: Promise<string | null> | null = null;
  private storedPassword(): Promise<string | null> {
    return (this.secretRead ??= this.secrets.get().catch(() => null));
  }

  private scheduleRecord(): ScheduleRecord {
    const stored = this.state.get().schedules[serverKey(this.serverUrl())];
    return stored ? { ...EMPTY_SCHEDULE, ...stored, lastSuccess: stored.lastSuccess ?? null, lastSeen: stored.lastSeen ?? null, nextDueAt: stored.nextDueAt ?? null, lastAttempt: (stored.lastAttempt as AttemptResult | undefined) ?? null } : EMPTY_SCHEDULE;
  }

  private saveSchedule(record: ScheduleRecord): void {
    const key = serverKey(this.serverUrl());
    this.state.update((draft) => {
      draft.schedules[key] = {
        consecutiveFailures: record.consecutiveFailures,
        ...(record.lastSuccess ? { lastSuccess: record.lastSuccess } : {}),
        ...(record.lastSeen ? { lastSeen: record.lastSeen } : {}),
        ...(record.nextDueAt !== null ? { nextDueAt: record.nextDueAt } : {}),
        ...(record.lastAttempt ? { lastAttempt: record.lastAttempt } : {}),
      };
    });
  }

  private warnOnce(message: string): void {
    if (!this.runtimeWarnings.includes(message)) this.runtimeWarnings.push(message);
  }

  // -------------------------------------------------------------------------------------------
  // Scheduling

  private disarm(): void {
    if (this.timer) this.deps.clock.clearTimeout(this.timer as never);
    this.timer = null;
  }

  /** When the next report will go: null while sharing is off or waits for the user; after the grace period headless. */
  private plannedAt(): number | null {
    const consent = this.consent();
    const graceUntil = consent.paused?.reason === 'headless-grace' && consent.paused.until ? Date.parse(consent.paused.until) : null;
    if (!maySend(consent) && graceUntil === null) return null;
    return nextAttemptAt(this.scheduleRecord(), instantOf(this.deps.clock), Math.max(this.notBefore, graceUntil ?? 0));
  }

  private arm(): void {
    this.disarm();
    if (!this.running) return;
    const now = this.deps.clock.now();
    let wakeIn = WAKE_CAP_MS;
    const due = this.plannedAt();
    if (due !== null) wakeIn = Math.min(WAKE_CAP_MS, Math.max(0, due - now));
    const handle = this.deps.clock.setTimeout(() => void this.wake(), wakeIn);
    handle.unref?.();
    this.timer = handle;
  }

  private lastMarkedAt = -Infinity;

  /**
   * Persists "still running now" (see ScheduleRecord.lastSeen). Every 15 minutes is enough: only a
   * crash can lose a mark, and a clock change in those minutes then counts as downtime at worst.
   */
  private markSeen(force = false): void {
    const mono = this.deps.clock.monotonic();
    if (!force && mono - this.lastMarkedAt < SEEN_MARK_INTERVAL_MS) return;
    const record = this.scheduleRecord();
    if (!record.lastSuccess) return;
    this.lastMarkedAt = mono;
    this.saveSchedule(seenAt(record, instantOf(this.deps.clock)));
  }

  private async wake(): Promise<void> {
    this.timer = null;
    if (!this.running) return;
    this.markSeen();
    const due = maySend(this.consent()) ? this.plannedAt() : null;
    if (due !== null && this.deps.clock.now() >= due) {
      await this.attempt(this.scheduleRecord().consecutiveFailures > 0 ? 'retry' : 'schedule');
    }
    this.arm();
  }

  // -------------------------------------------------------------------------------------------
  // Building and sending

  private async refreshSources(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        await this.builder.refresh(await this.target());
        this.lastRefreshAt = this.deps.clock.monotonic();
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private async rebuild(): Promise<PreviewView> {
    const built = await this.builder.build(this.state.get().instanceId ?? null);
    this.lastBuilt = built;
    const last = this.history.lastSent();
    this.preview = {
      text: built.report.text,
      sha256: built.report.sha256,
      size: built.report.size,
      builtAt: new Date(this.deps.clock.now()).toISOString(),
      changesSinceLastSent: last ? diffReports(last.body, built.report.text) : null,
      omitted: built.omitted,
      guard: built.guard,
    };
    this.emit({ type: 'preview', preview: this.preview });
    return this.preview;
  }

  private attempt(trigger: Trigger): Promise<SendOutcome> {
    this.inFlight ??= this.runAttempt(trigger).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async runAttempt(trigger: Trigger): Promise<SendOutcome> {
    const consent = this.consent();
    if (!maySend(consent)) {
      return { ok: false, message: consent.sharing ? `Not sent: sharing is paused (${consent.paused?.reason}).` : `Not sent: sharing is off (${consent.decidedByLabel}).` };
    }
    const endpoint = this.endpoint();
    const checked = checkEndpoint(endpoint);
    if (!checked.ok) return { ok: false, message: `Not sent: ${checked.reason}` };

    this.ensureInstanceId();
    await this.refreshSources();
    await this.rebuild();
    const built = this.lastBuilt!;
    const id = this.deps.random.uuid().replace(/-/g, '').slice(0, 20);
    const base = {
      id,
      at: new Date(this.deps.clock.now()).toISOString(),
      trigger,
      endpoint,
      sha256: built.report.sha256,
      size: built.report.size,
      body: built.report.text,
      counts: countsOf(built.report.text),
    };

    if (!built.guard.ok) {
      const message = `refused by the privacy guard: ${built.guard.field} ${built.guard.reason}`;
      await this.history.append({ ...base, durationMs: 0, outcome: 'refused', errorClass: 'refused-by-guard', message }).catch(() => undefined);
      this.deps.logger.log('warn', 'report refused by the privacy guard', { field: built.guard.field });
      this.emitStatus();
      return { ok: false, message: `Not sent: ${message}.` };
    }

    try {
      await this.history.append({ ...base, durationMs: 0, outcome: 'failed', message: 'sending…', pending: true });
    } catch (error) {
      const reason = error instanceof HistoryWriteError ? error.message : 'The history could not be written.';
      this.warnOnce(`${reason} Nothing is sent while it cannot be logged.`);
      this.emitStatus();
      return { ok: false, message: `Not sent: ${reason} Every report must be logged before it leaves.` };
    }

    const result = await sendReport(this.deps.http, endpoint, built.report, () => this.deps.clock.now(), () => this.deps.clock.monotonic());
    const entry = {
      ...base,
      durationMs: result.durationMs,
      outcome: result.ok ? ('sent' as const) : ('failed' as const),
      ...(result.status !== undefined ? { status: result.status } : {}),
      ...(result.errorClass ? { errorClass: result.errorClass } : {}),
      message: result.message,
    };
    await this.history.append(entry).catch(() => this.warnOnce('The result of the last attempt could not be written to the history.'));

    const { durationMs: _d, retryAfterMs, ...attemptResult } = result;
    const at = instantOf(this.deps.clock);
    const record = this.scheduleRecord();
    this.saveSchedule(
      result.ok ? afterSuccess(record, at, attemptResult, this.schedule, this.deps.random) : afterFailure(record, at, attemptResult, this.schedule, this.deps.random, retryAfterMs),
    );
    if (result.ok && this.state.get().consent.approvedFields === undefined) {
      // Headless or config-enabled sharing without a wizard: what was shown at start-up is what was approved.
      this.state.update((d) => void (d.consent.approvedFields = [...CANDOR_FIELD_PATHS]));
    }
    this.deps.logger.log(result.ok ? 'info' : 'warn', result.ok ? 'report sent' : 'report not accepted', {
      trigger,
      sha256: built.report.sha256,
      bytes: built.report.size,
      status: result.status ?? null,
      error: result.errorClass ?? null,
    });
    const summary: HistorySummary = summarize(entry);
    this.emit({ type: 'history', entry: summary });
    this.emitStatus();
    await this.rebuild();
    return { ok: result.ok, message: result.ok ? `Sent: ${result.message}.` : `Not sent: ${result.message}.`, entry: summary };
  }

  private ensureInstanceId(): void {
    if (!this.state.get().instanceId) this.state.update((d) => void (d.instanceId = this.deps.random.uuid()));
  }

  // -------------------------------------------------------------------------------------------
  // Events

  private emit(event: AgentEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener must not stop the agent or the other listeners.
      }
    }
  }

  private emitStatus(): void {
    if (this.listeners.size > 0) void this.getStatus().then((status) => this.emit({ type: 'status', status }));
  }

  private changed(): void {
    this.arm();
    this.emitStatus();
  }

  /** While someone watches, keep the preview live: memory and uptime every few seconds, the server every few minutes. */
  private startTicking(): void {
    if (this.tick) return;
    const loop = () => {
      this.tick = this.deps.clock.setTimeout(() => {
        if (this.listeners.size === 0) {
          this.tick = null;
          return;
        }
        const stale = this.deps.clock.monotonic() - this.lastRefreshAt > SOURCE_REFRESH_MS;
        void (stale ? this.refreshSources() : Promise.resolve()).then(() => this.rebuild()).catch(() => undefined).finally(loop);
      }, 5000);
      (this.tick as { unref?: () => void }).unref?.();
    };
    loop();
  }

  // -------------------------------------------------------------------------------------------
  // CandorApi

  subscribe(listener: (event: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    this.startTicking();
    return () => void this.listeners.delete(listener);
  }

  async getStatus(): Promise<AgentStatus> {
    const s = this.state.get();
    const record = this.scheduleRecord();
    const planned = this.plannedAt();
    const fixedBy: Record<string, string> = {};
    const c = this.deps.config;
    const where = c.path ? `the config file ${c.path}` : 'the config file';
    if (c.endpoint !== undefined) fixedBy.endpoint = where;
    if (c.server.url !== undefined) fixedBy['server.url'] = where;
    if (c.server.username !== undefined) fixedBy['server.username'] = where;
    if (c.server.password !== undefined || c.server.passwordFile) fixedBy['server.password'] = where;
    if (c.server.configFile !== undefined) fixedBy['server.configFile'] = where;
    if (c.historyRetentionDays !== undefined) fixedBy.historyRetentionDays = where;
    const passwordStorage = c.server.password !== undefined || c.server.passwordFile ? 'config-file' : (await this.storedPassword()) !== null ? this.secrets.kind : 'none';
    return {
      shell: this.deps.shell,
      agentVersion: this.deps.agentVersion ?? AGENT_VERSION,
      instanceId: s.instanceId ?? null,
      consent: this.consent(),
      schedule: {
        nextDueAt: planned !== null ? new Date(planned).toISOString() : null,
        lastSuccessAt: record.lastSuccess ? new Date(record.lastSuccess.wall).toISOString() : null,
        lastAttempt: record.lastAttempt,
        consecutiveFailures: record.consecutiveFailures,
      },
      sources: this.lastBuilt?.health ?? [],
      settings: {
        server: {
          url: this.serverUrl(),
          username: c.server.username ?? s.settings.serverUsername ?? null,
          configFile: c.server.configFile ?? s.settings.serverConfigFile ?? null,
          passwordStorage,
        },
        endpoint: this.endpoint(),
        historyRetentionDays: this.retentionDays(),
        fixedBy,
      },
      warnings: [...c.problems, ...this.state.warnings, ...this.history.warnings, ...this.runtimeWarnings, ...(this.lastBuilt?.notices ?? [])],
    };
  }

  async getPreview(): Promise<PreviewView> {
    if (!this.preview) {
      if (this.lastRefreshAt === -Infinity) await this.refreshSources();
      return this.rebuild();
    }
    return this.preview;
  }

  async refreshPreview(): Promise<PreviewView> {
    await this.refreshSources();
    const preview = await this.rebuild();
    this.emitStatus();
    return preview;
  }

  async getFieldCatalog() {
    return listFields(payloadSchema);
  }

  async listHistory(input: { offset: number; limit: number }) {
    return this.history.page(input.offset, input.limit);
  }

  async getHistoryEntry(input: { id: string }) {
    const entry = this.history.get(input.id);
    if (!entry) throw new ApiError('not-found', 'No history entry with that id.');
    return entry;
  }

  async exportHistory(): Promise<string> {
    return this.history.export();
  }

  async setConsent(input: { choice: 'share' | 'decline' }): Promise<AgentStatus> {
    this.state.update((d) => {
      d.consent.choice = input.choice;
      d.consent.answeredAt = this.deps.clock.now();
      delete d.consent.mustAskAgain;
      if (input.choice === 'share') d.consent.approvedFields = [...CANDOR_FIELD_PATHS];
    });
    if (input.choice === 'share') this.ensureInstanceId();
    this.deps.logger.log('info', 'sharing choice saved', { choice: input.choice });
    this.changed();
    if (this.preview) await this.rebuild();
    return this.getStatus();
  }

  async approveFields(input: { fields: string[] }): Promise<AgentStatus> {
    const known = new Set(CANDOR_FIELD_PATHS);
    const bad = input.fields.find((f) => !known.has(f));
    if (bad) throw new ApiError('invalid-input', `unknown field ${bad}`);
    this.state.update((d) => void (d.consent.approvedFields = [...new Set([...(d.consent.approvedFields ?? []), ...input.fields])]));
    this.changed();
    return this.getStatus();
  }

  async sendNow(): Promise<SendOutcome> {
    return this.attempt('manual').finally(() => this.arm());
  }

  async resetInstanceId(): Promise<AgentStatus> {
    this.state.update((d) => void (d.instanceId = this.deps.random.uuid()));
    if (this.preview) await this.rebuild();
    this.emitStatus();
    return this.getStatus();
  }

  async updateSettings(input: ApiInput<'updateSettings'>): Promise<AgentStatus> {
    const fixed = (await this.getStatus()).settings.fixedBy;
    const refuse = (key: string) => {
      if (fixed[key]) throw new ApiError('locked', `${key} is set by ${fixed[key]} and cannot be changed here.`);
    };
    if (input.endpoint !== undefined) {
      refuse('endpoint');
      const checked = checkEndpoint(input.endpoint);
      if (!checked.ok) throw new ApiError('invalid-input', checked.reason);
    }
    if (input.server?.url !== undefined && input.server.url !== '') {
      refuse('server.url');
      try {
        normalizeBaseUrl(input.server.url);
      } catch {
        throw new ApiError('invalid-input', 'The server address must start with http:// or https://.');
      }
    }
    if (input.server?.username !== undefined) refuse('server.username');
    if (input.server?.configFile !== undefined) refuse('server.configFile');
    if (input.historyRetentionDays !== undefined) refuse('historyRetentionDays');
    if (input.server?.password !== undefined) {
      refuse('server.password');
      try {
        await this.secrets.set(input.server.password === '' ? null : input.server.password);
      } catch {
        throw new ApiError('unavailable', 'The password could not be stored (is the data folder writable?).');
      } finally {
        this.secretRead = null;
      }
    }
    this.state.update((d) => {
      const set = <K extends keyof typeof d.settings>(key: K, value: (typeof d.settings)[K] | undefined) => {
        if (value === undefined) return;
        if (value === '') delete d.settings[key];
        else d.settings[key] = value;
      };
      set('serverUrl', input.server?.url === undefined ? undefined : input.server.url === '' ? '' : normalizeBaseUrl(input.server.url));
      set('serverUsername', input.server?.username);
      set('serverConfigFile', input.server?.configFile);
      set('endpoint', input.endpoint);
      set('historyRetentionDays', input.historyRetentionDays);
    });
    if (input.historyRetentionDays !== undefined) await this.history.setRetentionDays(input.historyRetentionDays);
    if (input.server) {
      await this.refreshSources();
      await this.rebuild();
    }
    this.changed();
    return this.getStatus();
  }

  async testConnection(input: { url: string; username: string; password?: string }): Promise<ConnectionTestResult> {
    const password = input.password ?? (await this.password()) ?? '';
    const facts = await collectServerFacts(this.deps.http, { url: input.url, username: input.username, password }, this.deps.clock.now());
    const checks: ConnectionCheck[] = [];
    const failed = facts.health.state === 'failed';
    const code = facts.health.code;
    checks.push({ name: 'reach', state: failed && (code === 'unreachable' || code === 'timeout' || code === 'tls') ? 'failed' : 'ok', message: failed && (code === 'unreachable' || code === 'timeout' || code === 'tls') ? facts.health.message : 'The server answered.' });
    if (checks[0]!.state === 'ok') {
      const loginFailed = failed;
      checks.push({ name: 'login', state: loginFailed ? 'failed' : 'ok', message: loginFailed ? facts.health.message : 'Signed in.' });
      if (!loginFailed) {
        const notAdmin = facts.health.code === 'not-admin';
        checks.push({ name: 'admin', state: notAdmin ? 'failed' : 'ok', message: notAdmin ? PROBLEMS['not-admin'] : 'The user is an administrator.' });
        const libraryOmitted = (facts.health.omitted ?? []).filter((f) => f.startsWith('library.'));
        checks.push({ name: 'library', state: Object.keys(facts.library).length > 0 ? 'ok' : 'failed', message: libraryOmitted.length ? `Counts read, except ${libraryOmitted.join(', ')}.` : 'All library counts read.' });
        checks.push({ name: 'config', state: facts.serverConfig ? 'ok' : 'failed', message: facts.serverConfig ? "The server's settings were read." : PROBLEMS[facts.configProblem ?? 'config-hidden'] });
        checks.push({ name: 'uptime', state: facts.startedAt ? 'ok' : 'failed', message: facts.startedAt ? "The server's start time was read." : PROBLEMS['start-time-unknown'] });
      }
    }
    return {
      ok: !failed,
      ...(facts.serverType ? { serverType: facts.serverType } : {}),
      ...(facts.version ? { serverVersion: facts.version } : {}),
      checks,
    };
  }

  async detectLocalServer() {
    try {
      const res = await this.deps.http.request({ method: 'GET', url: `${NAVIDROME_DEFAULT_URL}/rest/ping?f=json&v=1.16.1&c=candor`, timeoutMs: 1500, maxBytes: 16 * 1024 });
      const body = JSON.parse(res.body)?.['subsonic-response'];
      if (body && typeof body === 'object') return { url: NAVIDROME_DEFAULT_URL, ...(typeof body.type === 'string' ? { serverType: body.type as string } : {}) };
    } catch {
      // Nothing listening, or not a music server: say "not found".
    }
    return null;
  }

  /** Resolves when no attempt or refresh is running: lets shells and tests wait for quiet. */
  async idle(): Promise<void> {
    while (this.inFlight || this.refreshing) await (this.inFlight ?? this.refreshing)?.catch(() => undefined);
  }
}
