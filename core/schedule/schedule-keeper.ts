import type { SchedulerView } from '../../shared/api-contract';
import { mayRun } from '../consent/consent';
import type { ConsentService } from '../consent/consent-service';
import type { AgentContext } from '../context';
import { ERROR_MESSAGES } from '../net/http-client';
import type { AttemptRunner } from '../send/attempt-runner';
import type { SettingsService } from '../settings/settings-service';
import type { PersistedState } from '../state/state-schema';
import { afterNoAnswer, instantOf, nextAttemptAt, seenAt, startupNotBefore, type ScheduleOptions } from './schedule';
import { inFlightIsLive, keeperNotBefore, readSchedule, serverKey, writeSchedule } from './schedule-record';
import type { SchedulerLease } from './scheduler-lease';
import { probeWritable } from '../storage/private-files';
import { nothingCanBeSent, StorageError } from '../storage/storage-error';

const SEEN_MARK_INTERVAL_MS = 60 * 60 * 1000;
/** A process that takes over the schedule waits this long first: never a send in the instant a keeper died. */
const TAKEOVER_DELAY_MS = 60 * 1000;
export const DEFAULT_LEASE_POLL_MS = 2000;

/**
 * Keeps the daily schedule in the one process that holds the scheduler lease. Every other running
 * shell stands by, polls the lease, and takes over when the keeper is gone; when it does, it plans
 * from the schedule on disk, so a takeover never sends early.
 */
export class ScheduleKeeper {
  private running = false;
  private timer: unknown = null;
  private notBefore = 0;
  private lastMarkedAt = -Infinity;
  private waking: Promise<void> | null = null;
  /** Attempts in a row that could not even be recorded (unwritable folder): backed off in memory. */
  private unrecorded = 0;

  constructor(
    private readonly ctx: AgentContext,
    private readonly consent: ConsentService,
    private readonly settings: SettingsService,
    private readonly runner: AttemptRunner,
    private readonly lease: SchedulerLease,
    private readonly options: ScheduleOptions,
    private readonly onChange: () => void,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  /** The wake-up being handled now, if any: shells and tests wait for it to be quiet. */
  get busy(): Promise<void> | null {
    return this.waking;
  }

  /** Starts keeping (or standing by for) the schedule. Never sends before the start-up delay has passed. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { clock, random } = this.ctx.deps;
    this.notBefore = startupNotBefore(clock.now(), this.options, random);
    try {
      // The headless grace period counts from the first start of a long-running shell.
      if (this.ctx.store.read().firstStartAt === undefined) await this.ctx.store.update((d) => void (d.firstStartAt ??= clock.now()));
      if (await this.lease.take()) await this.shareNotBefore();
      // Say at start, not at the first due report, when nothing will be able to go.
      await probeWritable(this.ctx.deps.home);
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      this.ctx.notices.add(nothingCanBeSent(error));
    }
    this.arm();
  }

  async stop(): Promise<void> {
    if (this.running && this.lease.held) await this.markSeen(true);
    this.running = false;
    this.disarm();
    await this.lease.release();
  }

  /** After sleep: the wall clock may have jumped; re-plan from real elapsed time. */
  onResume(): void {
    if (!this.running) return;
    const soon = startupNotBefore(this.ctx.deps.clock.now(), { ...this.options, startupDelayMs: 60_000 }, this.ctx.deps.random);
    this.notBefore = Math.max(this.notBefore, soon);
    void this.shareNotBefore();
    this.arm();
  }

  onSuspend(): void {
    this.disarm();
  }

  /** Something changed (here or on disk): plan again from the state as it is now. */
  rearm(): void {
    if (this.running) this.arm();
  }

  /** When the next report will go: null while sharing is off or waits for the user; after the grace period headless. */
  plannedAt(state: PersistedState = this.ctx.store.read()): number | null {
    const consent = this.consent.current(state);
    const graceUntil = consent.paused?.reason === 'headless-grace' && consent.paused.until ? Date.parse(consent.paused.until) : null;
    if (!mayRun(consent) && graceUntil === null) return null;
    const record = readSchedule(state, serverKey(this.settings.serverUrl(state)));
    // The keeper's own wait counts, whichever process asks: this one's, or the one it wrote down.
    const { clock } = this.ctx.deps;
    const wait = this.running && this.lease.held ? this.notBefore : keeperNotBefore(state, clock.bootId());
    return nextAttemptAt(record, instantOf(clock), Math.max(wait, graceUntil ?? 0));
  }

  async view(): Promise<SchedulerView> {
    const keeper = await this.lease.keeper();
    return {
      role: !this.running ? 'stopped' : this.lease.held ? 'keeper' : 'standby',
      keptBy:
        keeper && keeper.pid > 0
          ? { label: keeper.label, pid: keeper.pid, since: new Date(keeper.since).toISOString() }
          : keeper
            ? { label: keeper.label, pid: 0, since: new Date(0).toISOString() }
            : null,
    };
  }

  private disarm(): void {
    if (this.timer) this.ctx.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.disarm();
    if (!this.running) return;
    const { clock } = this.ctx.deps;
    let wakeIn: number;
    if (this.lease.held) {
      wakeIn = this.options.wakeCapMs;
      const due = this.plannedAt();
      if (due !== null) wakeIn = Math.min(this.options.wakeCapMs, Math.max(0, due - clock.now()));
    } else {
      wakeIn = this.ctx.deps.pollMs?.lease ?? DEFAULT_LEASE_POLL_MS;
    }
    const handle = clock.setTimeout(() => {
      this.waking = this.wake().finally(() => {
        this.waking = null;
      });
    }, wakeIn);
    handle.unref?.();
    this.timer = handle;
  }

  private async wake(): Promise<void> {
    this.timer = null;
    if (!this.running) return;
    if (!this.lease.held) {
      if (await this.lease.tryTake()) {
        this.notBefore = Math.max(this.notBefore, this.ctx.deps.clock.now() + TAKEOVER_DELAY_MS);
        await this.shareNotBefore();
        this.ctx.deps.logger.log('info', 'took over the daily schedule');
        // The keeper before may have died mid-send: that attempt is a possible delivery, known now.
        await this.settleDeadInFlight();
        this.onChange();
      }
      this.arm();
      return;
    }
    await this.consent.retryUnsaved();
    await this.settleDeadInFlight();
    await this.markSeen();
    const state = this.ctx.store.read();
    const due = mayRun(this.consent.current(state)) ? this.plannedAt(state) : null;
    if (due !== null && this.ctx.deps.clock.now() >= due) {
      const key = serverKey(this.settings.serverUrl(state));
      const before = readSchedule(state, key);
      await this.runner.run(before.consecutiveFailures > 0 ? 'retry' : 'schedule');
      this.backOffIfUnrecorded(before.lastAttempt?.at, readSchedule(this.ctx.store.read(), key).lastAttempt?.at);
      this.onChange();
    }
    this.arm();
  }

  /**
   * An attempt that left no record (the folder could not be written, or another process had just
   * sent) must not be retried at once: the schedule on disk still says "due", so back off here.
   */
  private backOffIfUnrecorded(before: string | undefined, after: string | undefined): void {
    if (after !== before) {
      this.unrecorded = 0;
      return;
    }
    this.unrecorded++;
    const wait = Math.min(this.options.backoffCapMs, this.options.backoffBaseMs * 2 ** Math.min(this.unrecorded - 1, 20));
    this.notBefore = Math.max(this.notBefore, this.ctx.deps.clock.now() + wait);
    void this.shareNotBefore();
  }

  /** Writes down this keeper's earliest send time for the other processes (see `plannedAt`). Best effort. */
  private async shareNotBefore(): Promise<void> {
    if (!this.lease.held) return;
    const owner = this.ctx.owner();
    const keeper = {
      notBefore: this.notBefore,
      pid: owner.pid,
      bootId: owner.bootId,
      ...(owner.startTicks !== undefined ? { startTicks: owner.startTicks } : {}),
    };
    if (JSON.stringify(this.ctx.store.read().keeper) === JSON.stringify(keeper)) return;
    await this.ctx.store.update((d) => void (d.keeper = keeper)).catch(() => undefined);
  }

  /**
   * Persists "still running now" (see ScheduleRecord.lastSeen). Once an hour is enough, and a quarter
   * of the disk writes of doing it every 15 minutes: a clean stop always marks, so only a crash loses
   * the last hour, and a clock change in that hour then counts as downtime at worst.
   */
  private async markSeen(force = false): Promise<void> {
    const { clock } = this.ctx.deps;
    const mono = clock.monotonic();
    if (!force && mono - this.lastMarkedAt < SEEN_MARK_INTERVAL_MS) return;
    const key = serverKey(this.settings.serverUrl());
    if (!readSchedule(this.ctx.store.read(), key).lastSuccess) return;
    this.lastMarkedAt = mono;
    await this.ctx.store
      .update((d) => {
        const record = readSchedule(d, key);
        if (record.lastSuccess) writeSchedule(d, key, seenAt(record, instantOf(clock)));
      })
      .catch(() => undefined);
  }

  /** A send whose process died mid-request: a possible delivery, recorded as such. */
  private async settleDeadInFlight(): Promise<void> {
    const { clock, random } = this.ctx.deps;
    const key = serverKey(this.settings.serverUrl());
    const inFlight = readSchedule(this.ctx.store.read(), key).inFlight;
    if (!inFlight || this.runner.busy || inFlightIsLive(inFlight, instantOf(clock))) return;
    await this.ctx.store
      .update((d) => {
        const record = readSchedule(d, key);
        if (!record.inFlight || inFlightIsLive(record.inFlight, instantOf(clock))) return;
        const at = record.inFlight.at;
        const result = { at: new Date(at.wall).toISOString(), ok: false, errorClass: 'no-answer' as const, message: ERROR_MESSAGES['no-answer'] };
        writeSchedule(d, key, afterNoAnswer(record, at, result, this.options, random));
      })
      .catch(() => undefined);
  }
}
