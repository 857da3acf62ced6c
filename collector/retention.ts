/**
 * The retention promise, in one place. The policy says reports are "retained for 30 days, then
 * permanently deleted"; the purge, `/api/meta`, the dashboard and docs/collector.md all read this
 * constant (a test checks the doc quotes the same number).
 */
export const RETENTION_DAYS = 30;

export const DAY_MS = 86_400_000;
export const RETENTION_MS = RETENTION_DAYS * DAY_MS;

/**
 * A raw report received at `receivedAt` is deleted once it is RETENTION_DAYS × 24 h old: it is
 * kept while `now - receivedAt < RETENTION_MS` and not a millisecond longer.
 */
export function isExpired(receivedAt: number, now: number): boolean {
  return now - receivedAt >= RETENTION_MS;
}

/** Rows received at or before this instant are expired at `now`. */
export function expiryCutoff(now: number): number {
  return now - RETENTION_MS;
}

/** The instant a row received at `receivedAt` must be gone. */
export function expiresAt(receivedAt: number): number {
  return receivedAt + RETENTION_MS;
}

/** UTC day number (days since 1970-01-01): the unit of dedup and of summaries. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export function dayStart(day: number): number {
  return day * DAY_MS;
}

export function dayLabel(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
