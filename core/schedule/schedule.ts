import type { AttemptResult } from '../../shared/api-contract';
import type { Clock, Random } from '../platform';

export const DAY_MS = 24 * 3600 * 1000;
const MINUTE = 60 * 1000;
/** Attempts whose answer never came may each have been stored: at most this many in any real 24 h. */
export const MAX_UNANSWERED_PER_DAY = 3;

export interface ScheduleOptions {
  /** Spread reports of many instances over this window after the daily mark. */
  jitterMs: number;
  /** After every start, wait at least this long (plus up to `startupJitterMs`): no burst on start-up. */
  startupDelayMs: number;
  startupJitterMs: number;
  /** First retry after a failure; doubles per failure up to `backoffCapMs`. */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Longest `Retry-After` honoured; a bigger one is capped. */
  retryAfterCapMs: number;
  /** Re-check the timer at least this often, so sleep and clock changes are noticed promptly. */
  wakeCapMs: number;
}

export const DEFAULT_SCHEDULE: ScheduleOptions = {
  jitterMs: 60 * MINUTE,
  startupDelayMs: 5 * MINUTE,
  startupJitterMs: 5 * MINUTE,
  backoffBaseMs: 5 * MINUTE,
  backoffCapMs: 6 * 3600 * 1000,
  retryAfterCapMs: DAY_MS,
  wakeCapMs: 5 * MINUTE,
};

/** A point in time as three clocks see it, so real elapsed time survives restarts and clock changes. */
export interface Instant {
  wall: number;
  bootId: string;
  sinceBoot: number;
}

/** What persists in the state file. */
export interface ScheduleRecord {
  lastSuccess: Instant | null;
  /**
   * The last moment the agent was seen running, with the real time elapsed since the last success
   * then. Carries the boot clock's knowledge across reboots: only downtime is left to the wall clock.
   */
  lastSeen?: { at: Instant; sinceSuccess: number } | null;
  /** Wall time of the next planned attempt (jitter and backoff already applied). */
  nextDueAt: number | null;
  consecutiveFailures: number;
  lastAttempt: AttemptResult | null;
  /** A report on the wire now, and who sent it (so a crash mid-send is known to be a possible delivery). */
  inFlight?: InFlight | null;
  /** Attempts since the last success whose answer never came: the collector may have stored them. */
  unanswered?: Instant[];
}

export interface InFlight {
  id: string;
  at: Instant;
  pid: number;
  startTicks?: number;
}

export const EMPTY_SCHEDULE: ScheduleRecord = { lastSuccess: null, nextDueAt: null, consecutiveFailures: 0, lastAttempt: null };

export function instantOf(clock: Clock): Instant {
  return { wall: clock.now(), bootId: clock.bootId(), sinceBoot: clock.sinceBoot() };
}

/**
 * Real time from `then` to `now`: the boot clock when both share a boot (immune to clock changes,
 * counting sleep); otherwise the wall clock, never negative.
 */
export function realElapsed(then: Instant, now: Instant): number {
  if (then.bootId === now.bootId && now.sinceBoot >= then.sinceBoot) return now.sinceBoot - then.sinceBoot;
  return Math.max(0, now.wall - then.wall);
}

/** Real time since the last success, chaining through the last moment seen running. */
export function realSinceSuccess(record: ScheduleRecord, now: Instant): number {
  const success = record.lastSuccess;
  if (!success) return Infinity;
  if (success.bootId === now.bootId && now.sinceBoot >= success.sinceBoot) return now.sinceBoot - success.sinceBoot;
  const seen = record.lastSeen;
  if (seen) return seen.sinceSuccess + realElapsed(seen.at, now);
  return realElapsed(success, now);
}

/** Records "still running now", so a later boot knows how much real time had passed by then. */
export function seenAt(record: ScheduleRecord, now: Instant): ScheduleRecord {
  if (!record.lastSuccess) return record;
  return { ...record, lastSeen: { at: now, sinceSuccess: realSinceSuccess(record, now) } };
}

/**
 * When the next report may go, as a wall time. The daily rule is enforced on real elapsed time, so a
 * clock set forward cannot cause a second report within 24 h, and one set back cannot stall for days.
 */
export function nextAttemptAt(record: ScheduleRecord, now: Instant, notBefore: number): number {
  let due = record.nextDueAt ?? now.wall;
  if (record.lastSuccess) {
    const earliest = now.wall + Math.max(0, DAY_MS - realSinceSuccess(record, now));
    due = Math.max(due, earliest);
    // A clock set back leaves a due time far in the future: a day from now is always enough.
    due = Math.min(due, now.wall + DAY_MS + DEFAULT_SCHEDULE.backoffCapMs + DEFAULT_SCHEDULE.jitterMs);
  }
  return Math.max(due, notBefore, unansweredLimitEnds(record, now));
}

/**
 * With MAX_UNANSWERED_PER_DAY possible deliveries in the last real 24 h, the next attempt waits
 * until the oldest of them is a day old.
 */
export function unansweredLimitEnds(record: ScheduleRecord, now: Instant): number {
  const recent = (record.unanswered ?? [])
    .map((at) => realElapsed(at, now))
    .filter((ago) => ago < DAY_MS)
    .sort((a, b) => b - a);
  if (recent.length < MAX_UNANSWERED_PER_DAY) return -Infinity;
  return now.wall + (DAY_MS - recent[recent.length - MAX_UNANSWERED_PER_DAY]!);
}

/** A success starts the next day afresh: whatever was recorded before it no longer matters. */
export function afterSuccess(at: Instant, result: AttemptResult, options: ScheduleOptions, random: Random): ScheduleRecord {
  return {
    lastSuccess: at,
    lastSeen: { at, sinceSuccess: 0 },
    nextDueAt: at.wall + DAY_MS + Math.floor(random.next() * options.jitterMs),
    consecutiveFailures: 0,
    lastAttempt: result,
    inFlight: null,
    unanswered: [],
  };
}

/** Capped exponential backoff with jitter; a server's `Retry-After` is honoured when longer. */
export function afterFailure(
  record: ScheduleRecord,
  at: Instant,
  result: AttemptResult,
  options: ScheduleOptions,
  random: Random,
  retryAfterMs?: number,
): ScheduleRecord {
  const failures = record.consecutiveFailures + 1;
  const exponential = Math.min(options.backoffCapMs, options.backoffBaseMs * 2 ** Math.min(failures - 1, 20));
  // "Equal jitter": at least half the backoff, so retries of many instances spread without bunching early.
  let wait = exponential / 2 + random.next() * (exponential / 2);
  if (retryAfterMs !== undefined) wait = Math.max(wait, Math.min(retryAfterMs, options.retryAfterCapMs));
  return { ...record, inFlight: null, nextDueAt: at.wall + Math.round(wait), consecutiveFailures: failures, lastAttempt: result };
}

/**
 * An attempt whose answer never came (timeout, reset, or its sender died mid-request): retried no
 * sooner than a failure would be, and remembered as a possible delivery.
 */
export function afterNoAnswer(record: ScheduleRecord, at: Instant, result: AttemptResult, options: ScheduleOptions, random: Random): ScheduleRecord {
  const unanswered = [...(record.unanswered ?? []), at].slice(-2 * MAX_UNANSWERED_PER_DAY);
  return { ...afterFailure(record, at, result, options, random), unanswered };
}

export function startupNotBefore(startedAt: number, options: ScheduleOptions, random: Random): number {
  return startedAt + options.startupDelayMs + Math.floor(random.next() * options.startupJitterMs);
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
