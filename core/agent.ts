import path from 'node:path';
import {
  ApiError,
  type AgentEvent,
  type AgentStatus,
  type ApiInput,
  type CandorApi,
  type ConnectionTestResult,
  type DeletionOutcome,
  type ExportedReport,
  type PolicyCategory,
  type HistoryEntry,
  type HistoryPage,
  type LocalServerGuess,
  type PreviewView,
  type SendOutcome,
  type VerifyReport,
} from '../shared/api-contract';
import { ConsentService } from './consent/consent-service';
import type { AgentContext, AgentDeps } from './context';
import { EventHub, Notices } from './events';
import { HISTORY_FILE, HistoryStore, summarize } from './history/history-store';
import { PreviewService } from './report/preview-service';
import { DEFAULT_SCHEDULE, instantOf, type ScheduleOptions } from './schedule/schedule';
import { ScheduleKeeper } from './schedule/schedule-keeper';
import { inFlightIsLive, readSchedule, serverKey } from './schedule/schedule-record';
import { SchedulerLease } from './schedule/scheduler-lease';
import { listFields, type FieldInfo } from '../shared/schema/dsl';
import { payloadSchema } from '../shared/schema/payload';
import { AttemptRunner, type AttemptPhase } from './send/attempt-runner';
import { deleteRemoteData } from './send/remote-deletion';
import { verifyRemoteData } from './send/remote-verify';
import { ReportExporter } from './send/report-export';
import { FolderWatcher } from './state/folder-watcher';
import { DeletionKeys } from './state/deletion-keys';
import { ensureInstanceId } from './state/instance-id';
import { privateFileSecretStore } from './settings/secret-store';
import { SettingsService } from './settings/settings-service';
import { STATE_FILE, StateStore } from './state/state-store';
import { defaultLockProvider } from './storage/file-lock';
import { FolderLock } from './storage/folder-lock';
import { thisProcess, type ProcessIdentity } from './storage/process-identity';
import { nothingCanBeSent, StorageError, writeProblem } from './storage/storage-error';
import { AGENT_VERSION } from './version';

export { AGENT_VERSION } from './version';
export { DEFAULT_ENDPOINT, NAVIDROME_DEFAULT_URL } from './settings/settings-service';
export type { AgentDeps } from './context';

const HISTORY_MAX_ENTRIES = 50_000;

/**
 * The agent: sources → report → consent → schedule → send → history, behind `CandorApi`. It only
 * composes its parts; each decides from the shared state on disk, never from a copy of its own.
 * Every public method is safe to call at any time; failures become status, never exceptions that
 * escape to a shell (except `ApiError` for requests that cannot be carried out).
 */
export class Agent implements CandorApi {
  private readonly consent: ConsentService;
  private readonly settings: SettingsService;
  private readonly preview: PreviewService;
  private readonly runner: AttemptRunner;
  private readonly keeper: ScheduleKeeper;
  private readonly watcher: FolderWatcher;
  private readonly exporter: ReportExporter;
  /** The reaction to changed files under way: one at a time, in the order heard. */
  private reacting: Promise<void> | null = null;

  private constructor(private readonly ctx: AgentContext) {
    const { deps } = ctx;
    const schedule: ScheduleOptions = { ...DEFAULT_SCHEDULE, ...deps.schedule };
    const locks = deps.locks ?? defaultLockProvider(() => deps.clock.bootId());
    this.consent = new ConsentService(ctx);
    this.settings = new SettingsService(ctx, deps.secrets ?? privateFileSecretStore(deps.home));
    this.preview = new PreviewService(ctx, this.settings, (state) => this.consent.previewCategories(state));
    this.exporter = new ReportExporter(ctx, this.consent, this.settings, this.preview);
    this.runner = new AttemptRunner(ctx, this.consent, this.settings, this.preview, schedule);
    const lease = new SchedulerLease(deps.home, locks, () => ctx.owner());
    this.keeper = new ScheduleKeeper(ctx, this.consent, this.settings, this.runner, lease, schedule, () => this.emitStatus());
    const shared = { state: path.join(deps.home, STATE_FILE), history: path.join(deps.home, HISTORY_FILE) };
    this.watcher = new FolderWatcher(
      () => [shared.state, shared.history, ...deps.config.files()],
      deps.clock,
      (file) =>
        this.react(() => (file === shared.history ? ctx.history.sync() : file === shared.state ? this.onStateFileChange() : this.onConfigFileChange(file))),
      {
        ...(deps.pollMs?.folder !== undefined ? { pollMs: deps.pollMs.folder } : {}),
        ...(deps.watchFiles === false ? { useEvents: false } : {}),
      },
    );
    ctx.history.inFlightCheck = (id) => this.isInFlight(id);
    ctx.history.onEntry = (entry) => ctx.events.emit({ type: 'history', entry: summarize(entry) });
  }

  static async create(deps: AgentDeps): Promise<Agent> {
    const locks = deps.locks ?? defaultLockProvider(() => deps.clock.bootId());
    let identity: ProcessIdentity | null = null;
    const owner = () =>
      (identity ??= thisProcess(deps.clock.bootId(), deps.clock.now(), deps.processLabel ?? (deps.shell === 'desktop' ? 'the desktop app' : 'candor')));
    const lock = new FolderLock(deps.home, locks, owner);
    const store = new StateStore(deps.home, lock, () => deps.clock.now());
    const state = store.read();
    const history = await HistoryStore.open({
      dir: deps.home,
      retentionDays: deps.config.current().historyRetentionDays ?? state.settings.historyRetentionDays,
      maxEntries: HISTORY_MAX_ENTRIES,
      now: () => deps.clock.now(),
      lock,
    });
    const deletionKeys = new DeletionKeys(deps.home, lock, () => deps.clock.now());
    return new Agent({ deps: { ...deps, locks }, lock, store, history, events: new EventHub(), notices: new Notices(), deletionKeys, owner });
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Keeps (or stands by for) the daily schedule, and follows changes other processes make. */
  async start(): Promise<void> {
    this.watcher.start();
    await this.ctx.store.repair().catch(() => undefined);
    await this.ctx.history.applyRetention();
    await this.keeper.start();
  }

  /** Cancels pending work without sending; waits for an attempt already on the wire. */
  async stop(): Promise<void> {
    this.watcher.stop();
    this.preview.stopTicking();
    await this.runner.busy?.catch(() => undefined);
    await this.keeper.stop();
  }

  onResume(): void {
    this.keeper.onResume();
  }

  onSuspend(): void {
    this.keeper.onSuspend();
  }

  /** Resolves when no attempt or refresh is running: lets shells and tests wait for quiet. */
  async idle(): Promise<void> {
    for (;;) {
      const pending = this.keeper.busy ?? this.runner.busy ?? this.preview.busy ?? this.reacting;
      if (!pending) return;
      await pending.catch(() => undefined);
    }
  }

  private isInFlight(id: string): boolean {
    const now = instantOf(this.ctx.deps.clock);
    return Object.values(this.ctx.store.read().schedules).some((s) => s.inFlight?.id === id && inFlightIsLive(s.inFlight, now));
  }

  /** Runs `work` after the reactions heard before it; `idle()` waits for them. A failure stops nothing. */
  private react(work: () => Promise<void>): void {
    const next = (this.reacting ?? Promise.resolve()).then(work).catch(() => undefined);
    this.reacting = next;
    void next.then(() => {
      if (this.reacting === next) this.reacting = null;
    });
  }

  /** Another process changed the shared state: plan again, follow the server and the id, tell the UIs. */
  private async onStateFileChange(): Promise<void> {
    this.keeper.rearm();
    await this.applySettings();
    await this.pushStatus();
  }

  /**
   * The config file (or the password file it names) was edited, created or deleted: applied as at
   * start-up. Consent, the level and the endpoint are read from it at each use, so planning again
   * is enough to cancel a report that may no longer go (or to plan one from the schedule on disk,
   * never early); the history's retention and what was read from the server follow here.
   */
  private async onConfigFileChange(file: string): Promise<void> {
    const { deps } = this.ctx;
    const config = deps.config.current();
    this.keeper.rearm();
    const consent = this.consent.current();
    const password = file === config.server.passwordFile;
    deps.logger.log('info', password ? 'the password file changed; the server is read again' : 'the config file changed; applied', {
      readable: !config.unreadable,
      sharing: consent.sharing,
      level: consent.level,
      problems: config.problems.length,
    });
    await this.applySettings(password);
    await this.pushStatus();
  }

  /**
   * After a change of settings: the history's retention applied, the server read again if it is now
   * another (or `force`), the preview rebuilt if its id or level changed.
   */
  private async applySettings(force = false): Promise<void> {
    const { history } = this.ctx;
    const days = this.settings.retentionDays();
    if (days !== history.retentionDays) await history.setRetentionDays(days).catch(() => undefined);
    await this.preview.onSettingsChanged(force).catch(() => undefined);
    await this.preview.onStateChanged().catch(() => undefined);
  }

  private emitStatus(): void {
    void this.pushStatus().catch(() => undefined);
  }

  private async pushStatus(): Promise<void> {
    if (this.ctx.events.watched) this.ctx.events.emit({ type: 'status', status: await this.getStatus() });
  }

  private changed(): void {
    this.keeper.rearm();
    this.emitStatus();
  }

  // -------------------------------------------------------------------------------------------
  // CandorApi

  subscribe(listener: (event: AgentEvent) => void): () => void {
    const unsubscribe = this.ctx.events.subscribe(listener, { livePreview: true });
    this.watcher.start();
    this.preview.startTicking();
    return unsubscribe;
  }

  /**
   * Status pushes only, without keeping the preview live: for the tray, which is there for the
   * life of the app but rarely looked at. Not part of `CandorApi`: a shell's own use.
   */
  watchStatus(listener: (status: AgentStatus) => void): () => void {
    const unsubscribe = this.ctx.events.subscribe((event) => {
      if (event.type === 'status') listener(event.status);
    });
    this.watcher.start();
    return unsubscribe;
  }

  async getStatus(): Promise<AgentStatus> {
    const { deps, store, history, notices } = this.ctx;
    const state = store.read();
    const record = readSchedule(state, serverKey(this.settings.serverUrl(state)));
    const planned = this.keeper.plannedAt(state);
    const setAside = state.setAsideAs
      ? [`The settings file was damaged; it was set aside as ${state.setAsideAs} and fresh settings were started. Please answer the sharing question again.`]
      : [];
    // Checked now, not remembered: a folder made writable again is heard at once.
    const problem = writeProblem(deps.home);
    const unwritable = problem ? [nothingCanBeSent(problem)] : [];
    return {
      shell: deps.shell,
      agentVersion: deps.agentVersion ?? AGENT_VERSION,
      instanceId: state.instanceId ?? null,
      consent: this.consent.current(state),
      schedule: {
        nextDueAt: planned !== null ? new Date(planned).toISOString() : null,
        lastSuccessAt: record.lastSuccess ? new Date(record.lastSuccess.wall).toISOString() : null,
        lastAttempt: record.lastAttempt,
        consecutiveFailures: record.consecutiveFailures,
      },
      scheduler: await this.keeper.view(),
      sources: this.preview.lastBuilt?.health ?? [],
      serverLocation: this.preview.lastBuilt?.location ?? null,
      settings: await this.settings.view(state),
      warnings: [
        ...new Set([
          ...deps.config.current().problems,
          ...setAside,
          ...unwritable,
          ...history.warnings,
          ...notices.list(),
          ...(this.preview.lastBuilt?.notices ?? []),
        ]),
      ],
      ...(problem ? { cannotWrite: problem.message } : {}),
    };
  }

  getPreview(input?: { categories?: PolicyCategory[] }): Promise<PreviewView> {
    return this.preview.get(input);
  }

  async refreshPreview(input?: { categories?: PolicyCategory[] }): Promise<PreviewView> {
    const preview = await this.preview.refresh(input);
    this.emitStatus();
    return preview;
  }

  getFieldCatalog(): Promise<FieldInfo[]> {
    return Promise.resolve(listFields(payloadSchema));
  }

  async listHistory(input: ApiInput<'listHistory'>): Promise<HistoryPage> {
    await this.ctx.history.sync();
    return this.ctx.history.page(input.offset, input.limit, input.filter);
  }

  async getHistoryEntry(input: { id: string }): Promise<HistoryEntry> {
    await this.ctx.history.sync();
    const entry = this.ctx.history.get(input.id);
    if (!entry) throw new ApiError('not-found', 'No history entry with that id.');
    return entry;
  }

  async exportHistory(): Promise<string> {
    await this.ctx.history.sync();
    return this.ctx.history.export();
  }

  async setConsent(input: ApiInput<'setConsent'>): Promise<AgentStatus> {
    try {
      await this.consent.setChoice(input.choice, input.categories);
      if (input.choice === 'share') await ensureInstanceId(this.ctx).catch(() => undefined);
    } finally {
      this.changed();
    }
    await this.preview.onStateChanged().catch(() => undefined);
    return this.getStatus();
  }

  async approveFields(input: { fields: string[] }): Promise<AgentStatus> {
    await this.consent.approveFields(input.fields);
    this.changed();
    return this.getStatus();
  }

  /** Where a send of this process is now: a shell stopped mid-send says what the history then holds. */
  get sendPhase(): AttemptPhase {
    return this.runner.phase;
  }

  async sendNow(): Promise<SendOutcome> {
    try {
      return await this.runner.run('manual');
    } finally {
      this.changed();
    }
  }

  exportReport(input?: { categories?: PolicyCategory[] }): Promise<ExportedReport> {
    return this.exporter.export(input);
  }

  deleteRemoteData(): Promise<DeletionOutcome> {
    return deleteRemoteData(this.ctx, this.settings.endpoint());
  }

  async verifyRemoteData(): Promise<VerifyReport> {
    const { deps, history, deletionKeys } = this.ctx;
    await history.sync();
    return verifyRemoteData({ http: deps.http, logger: deps.logger, now: () => deps.clock.now() }, deletionKeys.all(), this.settings.endpoint(), history.all());
  }

  async resetInstanceId(): Promise<AgentStatus> {
    try {
      await this.ctx.store.update((d) => void (d.instanceId = this.ctx.deps.random.uuid()));
    } catch (error) {
      if (error instanceof StorageError) throw new ApiError('unavailable', `A new ID could not be saved: ${error.message}. The old one is kept.`);
      throw error;
    }
    await this.preview.onStateChanged().catch(() => undefined);
    this.emitStatus();
    return this.getStatus();
  }

  async updateSettings(input: ApiInput<'updateSettings'>): Promise<AgentStatus> {
    await this.settings.update(input);
    if (input.historyRetentionDays !== undefined) await this.ctx.history.setRetentionDays(input.historyRetentionDays);
    if (input.server) {
      await this.preview.refreshSources();
      await this.preview.rebuild();
    }
    this.changed();
    return this.getStatus();
  }

  testConnection(input: { url: string; username: string; password?: string }): Promise<ConnectionTestResult> {
    return this.settings.testConnection(input);
  }

  detectLocalServer(): Promise<LocalServerGuess | null> {
    return this.settings.detectLocalServer();
  }
}
