import { createHash } from 'node:crypto';
import type { AttemptResult } from '../../shared/api-contract';
import type { PersistedState } from '../state/state-schema';
import { isAlive } from '../storage/process-identity';
import { EMPTY_SCHEDULE, realElapsed, type InFlight, type Instant, type ScheduleRecord } from './schedule';

/** A send that has been on the wire this long is dead whoever holds it (the hard timeout is 15 s). */
const IN_FLIGHT_EXPIRY_MS = 5 * 60 * 1000;

const keys = new Map<string, string>();

/** A local key for "this server", so the daily rule applies per server. Never sent. */
export function serverKey(url: string | null): string {
  const text = url ?? '(none)';
  let key = keys.get(text);
  if (!key) {
    key = createHash('sha256').update(text).digest('hex').slice(0, 16);
    if (keys.size < 64) keys.set(text, key);
  }
  return key;
}

export function readSchedule(state: PersistedState, key: string): ScheduleRecord {
  const stored = state.schedules[key];
  if (!stored) return EMPTY_SCHEDULE;
  return {
    ...EMPTY_SCHEDULE,
    ...stored,
    lastSuccess: stored.lastSuccess ?? null,
    lastSeen: stored.lastSeen ?? null,
    nextDueAt: stored.nextDueAt ?? null,
    lastAttempt: (stored.lastAttempt as AttemptResult | undefined) ?? null,
    inFlight: stored.inFlight ?? null,
    unanswered: stored.unanswered ?? [],
  };
}

export function writeSchedule(draft: PersistedState, key: string, record: ScheduleRecord): void {
  draft.schedules[key] = {
    consecutiveFailures: record.consecutiveFailures,
    ...(record.lastSuccess ? { lastSuccess: record.lastSuccess } : {}),
    ...(record.lastSeen ? { lastSeen: record.lastSeen } : {}),
    ...(record.nextDueAt !== null ? { nextDueAt: record.nextDueAt } : {}),
    ...(record.lastAttempt ? { lastAttempt: record.lastAttempt } : {}),
    ...(record.inFlight ? { inFlight: record.inFlight } : {}),
    ...(record.unanswered?.length ? { unanswered: record.unanswered } : {}),
  };
}

/** The earliest the process keeping the schedule sends (0 when none is known to be alive). */
export function keeperNotBefore(state: PersistedState, currentBootId: string): number {
  const keeper = state.keeper;
  if (!keeper) return 0;
  const identity = {
    pid: keeper.pid,
    bootId: keeper.bootId,
    ...(keeper.startTicks !== undefined ? { startTicks: keeper.startTicks } : {}),
    since: 0,
    label: '',
  };
  return isAlive(identity, currentBootId) ? keeper.notBefore : 0;
}

/** Whether an attempt marked as on the wire is really still running in a live process. */
export function inFlightIsLive(inFlight: InFlight, now: Instant): boolean {
  if (realElapsed(inFlight.at, now) > IN_FLIGHT_EXPIRY_MS) return false;
  return isAlive(
    { pid: inFlight.pid, bootId: inFlight.at.bootId, ...(inFlight.startTicks !== undefined ? { startTicks: inFlight.startTicks } : {}), since: 0, label: '' },
    now.bootId,
  );
}
