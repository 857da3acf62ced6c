import type { ConsentState, HistorySummary, SendOutcome, Trigger } from '../../shared/api-contract';
import { notSentBecause } from '../consent/describe';
import { keepsLocally, maySend } from '../consent/consent';
import type { ConsentService } from '../consent/consent-service';
import type { AgentContext } from '../context';
import { summarize, type StoredEntry } from '../history/history-store';
import type { PreviewService } from '../report/preview-service';
import { afterFailure, afterNoAnswer, afterSuccess, instantOf, nextAttemptAt, type ScheduleOptions } from '../schedule/schedule';
import { inFlightIsLive, readSchedule, serverKey, writeSchedule } from '../schedule/schedule-record';
import { CANDOR_FIELD_PATHS } from '../../shared/schema/payload';
import { ensureInstanceId } from '../state/instance-id';
import type { SettingsService } from '../settings/settings-service';
import type { Held } from '../storage/folder-lock';
import { probeWritable } from '../storage/private-files';
import { nothingCanBeSent, StorageError, writeProblem } from '../storage/storage-error';
import type { ProblemCode } from '../sources/problems';
import { entryBase, type EntryBase } from './entry';
import { checkEndpoint } from '../net/endpoint';
import { sendReport, type SendResult } from './sender';
import { notWorthSending } from './worth-sending';

/** Whether this attempt keeps the report here instead of sending it: the local level's scheduled report (a manual "send now" sends nothing). */
function keepsToday(consent: ConsentState, trigger: Trigger): boolean {
  return keepsLocally(consent) && trigger !== 'manual';
}

async function writeFails(home: string): Promise<StorageError | null> {
  try {
    await probeWritable(home);
    return null;
  } catch (error) {
    if (error instanceof StorageError) return error;
    throw error;
  }
}

/** Failures after which the request may have been received: the answer is what went missing. */
const NO_ANSWER_CLASSES = new Set(['timeout', 'connection-reset']);

interface Claimed {
  base: EntryBase;
  key: string;
  text: string;
  sha256: string;
  size: number;
}

type Claim = { claimed: Claimed } | { refused: string } | { done: SendOutcome };

/**
 * Where an attempt is, for a shell that is told to stop in the middle: `preparing` (nothing written
 * yet), `claiming` and `recording` (milliseconds under the folder lock), `on-the-wire` (the intent
 * is in the history; the request has left or is leaving).
 */
export type AttemptPhase = 'idle' | 'preparing' | 'claiming' | 'on-the-wire' | 'recording';

/**
 * One attempt: build, decide, log, send, record. The decision is made under the data folder's
 * lock on the state as it is on disk at that instant (consent, the daily rule, a send already on
 * the wire in another process), and the intent is written (state and history) before the lock is
 * let go: a process that cannot write its intent does not send, and every other process sees it.
 */
export class AttemptRunner {
  private inFlight: Promise<SendOutcome> | null = null;
  private current: AttemptPhase = 'idle';

  constructor(
    private readonly ctx: AgentContext,
    private readonly consent: ConsentService,
    private readonly settings: SettingsService,
    private readonly preview: PreviewService,
    private readonly schedule: ScheduleOptions,
  ) {}

  get busy(): Promise<SendOutcome> | null {
    return this.inFlight;
  }

  get phase(): AttemptPhase {
    return this.current;
  }

  run(trigger: Trigger): Promise<SendOutcome> {
    this.inFlight ??= this.attempt(trigger).finally(() => {
      this.inFlight = null;
      this.current = 'idle';
    });
    return this.inFlight;
  }

  private async attempt(trigger: Trigger): Promise<SendOutcome> {
    this.current = 'preparing';
    const early = this.consent.current();
    const local = keepsToday(early, trigger);
    // A folder that cannot be written is the cause to name first: no answer given now could be saved
    // either. A pause would be ended by `candor consent yes`: then a write is tried, as a full disk shows no other way.
    const unwritable = early.sharing || local ? (writeProblem(this.ctx.deps.home) ?? (early.paused ? await writeFails(this.ctx.deps.home) : null)) : null;
    if (unwritable) return this.unlogged(unwritable);
    if (!maySend(early) && !local) return { ok: false, message: notSentBecause(early) };
    const endpointChecked = checkEndpoint(this.settings.endpoint());
    if (!local && !endpointChecked.ok) return { ok: false, message: `Not sent: ${endpointChecked.reason}` };
    await ensureInstanceId(this.ctx).catch(() => undefined);
    // The slow part (the server, its config, the folders) happens before the lock is taken; a refresh
    // already under way may have begun with settings that have changed since.
    await this.preview.refreshSources();
    if (!this.preview.readWith(this.ctx.store.read())) await this.preview.refreshSources();

    let claim: Claim;
    this.current = 'claiming';
    try {
      claim = await this.ctx.lock.run((held) => this.claim(trigger, held));
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      return this.unlogged(error);
    }
    if ('refused' in claim) return { ok: false, message: claim.refused };
    if ('done' in claim) return claim.done;
    this.current = 'on-the-wire';
    return this.deliver(trigger, claim.claimed);
  }

  private unlogged(error: StorageError): SendOutcome {
    this.ctx.notices.add(nothingCanBeSent(error));
    this.ctx.deps.logger.log('warn', 'report not sent: the attempt could not be logged', { problem: error.problem });
    return { ok: false, message: `Not sent: ${error.message}, so the attempt could not be logged. Every report must be logged before it leaves.` };
  }

  /**
   * Under the folder lock: everything decided from the disk (the state read afresh, the config file
   * re-checked: a stat, parsed again if it changed), and the intent written.
   */
  private async claim(trigger: Trigger, held: Held): Promise<Claim> {
    const { deps, store, history } = this.ctx;
    const state = store.readFresh();
    const consent = this.consent.current(state);
    const local = keepsToday(consent, trigger);
    if (!maySend(consent) && !local) return { refused: notSentBecause(consent) };
    const endpoint = this.settings.endpoint(state);
    const key = serverKey(this.settings.serverUrl(state));
    const record = readSchedule(state, key);
    const now = instantOf(deps.clock);
    if (record.inFlight && inFlightIsLive(record.inFlight, now)) return { refused: 'Not sent: another Candor process is sending a report right now.' };
    if (trigger !== 'manual' && nextAttemptAt(record, now, -Infinity) > now.wall)
      return { refused: 'Not sent: not due yet (another Candor process sent or tried recently).' };

    if (!this.preview.readWith(state))
      return { refused: "Not sent: the server's settings changed while the report was being prepared; the next attempt reads the server again." };

    const built = await this.preview.rebuild(state, consent.categories, held);
    const base = entryBase(deps.random.uuid(), now.wall, trigger, endpoint, built, consent);
    if (!built.guard.ok) {
      const message = `refused by the privacy guard: ${built.guard.field} ${built.guard.reason}`;
      await history.append({ ...base, durationMs: 0, outcome: 'refused', errorClass: 'refused-by-guard', message }, held).catch(() => undefined);
      deps.logger.log('warn', 'report refused by the privacy guard', { field: built.guard.field });
      return { refused: `Not sent: ${message}.` };
    }
    const hollow = notWorthSending(built);
    if (hollow) return { done: await this.notSent(key, base, hollow, held) };
    if (local) return { done: await this.keep(key, base, held) };
    const owner = this.ctx.owner();
    await store.update((d) => {
      writeSchedule(d, key, {
        ...readSchedule(d, key),
        inFlight: { id: base.id, at: now, pid: owner.pid, ...(owner.startTicks !== undefined ? { startTicks: owner.startTicks } : {}) },
      });
    }, held);
    try {
      await history.append({ ...base, durationMs: 0, outcome: 'failed', message: 'sending…', pending: true }, held);
    } catch (error) {
      await store.update((d) => writeSchedule(d, key, { ...readSchedule(d, key), inFlight: null }), held).catch(() => undefined);
      throw error;
    }
    return { claimed: { base, key, text: built.report.text, sha256: built.report.sha256, size: built.report.size } };
  }

  /**
   * The `local` level: the day's report is built and kept in the history, and the schedule moves on
   * a day as after a send. No socket is ever opened. Runs under the folder lock.
   */
  private async keep(key: string, base: EntryBase, held: Held): Promise<SendOutcome> {
    const { deps, store, history } = this.ctx;
    const entry: StoredEntry = { ...base, durationMs: 0, outcome: 'kept-locally', message: 'kept on this machine (local level): nothing was sent' };
    await history.append(entry, held);
    const at = instantOf(deps.clock);
    await store.update((d) => writeSchedule(d, key, afterSuccess(at, { at: base.at, ok: true, message: entry.message }, this.schedule, deps.random)), held);
    deps.logger.log('info', 'report kept locally', { sha256: base.sha256, bytes: base.size });
    return { ok: true, message: 'Kept on this machine: at the local level nothing is sent.', entry: summarize(entry) };
  }

  /**
   * A report about a server that could not be read: nothing leaves (kept locally neither: it is not
   * what would have gone). The attempt is recorded as not sent with its cause, and retried with the
   * normal backoff, as a failed send is. Runs under the folder lock.
   */
  private async notSent(key: string, base: EntryBase, hollow: { problem: ProblemCode; cause: string }, held: Held): Promise<SendOutcome> {
    const { deps, store, history } = this.ctx;
    const message = `${hollow.cause}: nothing was sent`;
    const entry: StoredEntry = { ...base, durationMs: 0, outcome: 'not-sent', errorClass: 'server-not-read', message };
    await history.append(entry, held);
    const at = instantOf(deps.clock);
    const attempt = { at: base.at, ok: false, errorClass: 'server-not-read' as const, message };
    await store.update((d) => writeSchedule(d, key, afterFailure(readSchedule(d, key), at, attempt, this.schedule, deps.random)), held);
    // Info, not warn: `candor send` says it in its one line; the long-running shells log it.
    deps.logger.log('info', 'report not sent: the music server could not be read', { problem: hollow.problem });
    return { ok: false, message: `Not sent: ${hollow.cause}; a report is sent only when the server was read.`, entry: summarize(entry) };
  }

  private async deliver(trigger: Trigger, claimed: Claimed): Promise<SendOutcome> {
    const { deps } = this.ctx;
    const result = await sendReport(
      deps.http,
      claimed.base.endpoint,
      { text: claimed.text, sha256: claimed.sha256, size: claimed.size },
      () => deps.clock.now(),
      () => deps.clock.monotonic(),
    );
    this.current = 'recording';
    const noAnswer = !result.ok && result.errorClass !== undefined && NO_ANSWER_CLASSES.has(result.errorClass);
    const entry: StoredEntry = {
      ...claimed.base,
      durationMs: result.durationMs,
      outcome: result.ok ? 'sent' : noAnswer ? 'no-answer' : 'failed',
      ...(result.status !== undefined ? { status: result.status } : {}),
      ...(result.errorClass ? { errorClass: result.errorClass } : {}),
      message: noAnswer ? `${result.message}: the collector may have received it` : result.message,
      ...(result.receipt !== undefined ? { receipt: result.receipt } : {}),
    };
    await this.record(claimed.key, entry, result, noAnswer);
    deps.logger.log(result.ok ? 'info' : 'warn', result.ok ? 'report sent' : noAnswer ? 'report sent, no answer' : 'report not accepted', {
      trigger,
      sha256: claimed.sha256,
      bytes: claimed.size,
      status: result.status ?? null,
      error: result.errorClass ?? null,
      receipt: result.receipt ?? null,
    });
    const summary: HistorySummary = summarize(entry);
    await this.preview.rebuild().catch(() => undefined);
    return { ok: result.ok, message: result.ok ? `Sent: ${result.message}.` : `Not sent: ${entry.message}.`, entry: summary };
  }

  /** The answer, in the history and the schedule, under the lock. A failure here is reported, never thrown. */
  private async record(key: string, entry: StoredEntry, result: SendResult, noAnswer: boolean): Promise<void> {
    const { deps, store, history, notices } = this.ctx;
    const { durationMs: _d, retryAfterMs, receipt: _receipt, ...attempt } = result;
    const at = instantOf(deps.clock);
    await history.append(entry).catch(() => notices.add('The result of the last attempt could not be written to the history.'));
    await store
      .update((d) => {
        const record = readSchedule(d, key);
        const next = result.ok
          ? afterSuccess(at, attempt, this.schedule, deps.random)
          : noAnswer
            ? afterNoAnswer(record, at, { ...attempt, errorClass: attempt.errorClass! }, this.schedule, deps.random)
            : afterFailure(record, at, attempt, this.schedule, deps.random, retryAfterMs);
        writeSchedule(d, key, next);
        // Headless or config-enabled sharing without a wizard: what was shown at start-up is what was approved.
        if (result.ok && d.consent.approvedFields === undefined) d.consent.approvedFields = [...CANDOR_FIELD_PATHS];
      })
      .catch(() => notices.add('The result of the last attempt could not be saved; the schedule may retry early.'));
  }
}
