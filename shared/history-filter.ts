import { OUTCOME_FILTERS, type HistoryFilter, type HistoryOutcome, type HistorySummary, type OutcomeFilter } from './api-contract';

/**
 * Searching the history, as the Windows Diagnostic Data Viewer lets people search theirs: by
 * outcome, level, date range and text inside the exact bytes. One module for every shell: the
 * agent answers `listHistory` with it, the command line's flags and the UI's controls become its
 * `HistoryFilter`, and the date words of both are read by `dateBound`.
 */

/**
 * Which outcome filter each outcome answers to, as people ask. `failed`: the report left but was
 * not confirmed, so an attempt that got no answer (the collector may have it: `candor verify`
 * tells) and a receipt that did not match are failures too. `not-sent`: nothing left, for a cause
 * (the privacy guard refused it, or the music server could not be read). An attempt on the wire
 * right now (`sending`) is none of them until it ends.
 */
export const OUTCOME_GROUP: Record<HistoryOutcome, OutcomeFilter | null> = {
  sent: 'sent',
  failed: 'failed',
  'no-answer': 'failed',
  refused: 'not-sent',
  'not-sent': 'not-sent',
  exported: 'exported',
  'kept-locally': 'kept-locally',
  sending: null,
};

export interface FilterResult<E> {
  /** The matching entries, in the order given. */
  matches: E[];
  /** Of the entries that pass every part but the outcomes, how many fall in each outcome group. */
  outcomes: Record<OutcomeFilter, number>;
}

export function emptyOutcomeCounts(): Record<OutcomeFilter, number> {
  return Object.fromEntries(OUTCOME_FILTERS.map((o) => [o, 0])) as Record<OutcomeFilter, number>;
}

/** A filter with its empty parts removed: two filters that ask the same have the same key. */
export function normalizeFilter(filter: HistoryFilter | undefined): HistoryFilter {
  const out: HistoryFilter = {};
  if (!filter) return out;
  if (filter.outcomes?.length) out.outcomes = OUTCOME_FILTERS.filter((o) => filter.outcomes!.includes(o));
  if (filter.levels?.length) out.levels = [...new Set(filter.levels)].sort();
  if (filter.since) out.since = filter.since;
  if (filter.until) out.until = filter.until;
  if (filter.text) out.text = filter.text;
  return out;
}

export function isFiltered(filter: HistoryFilter | undefined): boolean {
  return Object.keys(normalizeFilter(filter)).length > 0;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Filters entries (each with its exact bytes from `bodyOf`). The text is searched in any case, as a
 * literal; the dates are instants, both ends included.
 */
export function filterHistory<E extends HistorySummary>(
  entries: readonly E[],
  filter: HistoryFilter | undefined,
  bodyOf: (entry: E) => string,
): FilterResult<E> {
  const f = normalizeFilter(filter);
  const since = f.since !== undefined ? Date.parse(f.since) : -Infinity;
  const until = f.until !== undefined ? Date.parse(f.until) : Infinity;
  const levels = f.levels ? new Set<string>(f.levels) : null;
  const outcomes = f.outcomes ? new Set<OutcomeFilter>(f.outcomes) : null;
  // A case-insensitive literal: irregexp scans a day's report in microseconds, without copying it.
  const text = f.text !== undefined ? new RegExp(escapeRegExp(f.text), 'i') : null;
  const counts = emptyOutcomeCounts();
  const matches: E[] = [];
  for (const entry of entries) {
    if (levels && !levels.has(entry.level ?? 'full')) continue;
    if (since !== -Infinity || until !== Infinity) {
      const at = Date.parse(entry.at);
      if (!(at >= since && at <= until)) continue;
    }
    if (text && !text.test(bodyOf(entry))) continue;
    const group = OUTCOME_GROUP[entry.outcome];
    if (group !== null) counts[group]++;
    if (outcomes && (group === null || !outcomes.has(group))) continue;
    matches.push(entry);
  }
  return { matches, outcomes: counts };
}

/**
 * A date as people write it on the command line or pick it in a date field, as an instant:
 * `2026-11-25` is that local day (its first millisecond for `start`, its last for `end`, so
 * `--since D --until D` is the whole day); a full ISO 8601 time (`2026-11-25T16:05`, with `Z` or an
 * offset, or local without) is that instant. Null when it is neither.
 */
export function dateBound(text: string, end: 'start' | 'end'): string | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]) - 1, Number(day[3])];
    const start = new Date(y, m, d);
    if (start.getFullYear() !== y || start.getMonth() !== m || start.getDate() !== d) return null;
    // The next local midnight, less a millisecond: right across a daylight-saving change too.
    const at = end === 'start' ? start.getTime() : new Date(y, m, d + 1).getTime() - 1;
    return new Date(at).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/.test(text.trim())) return null;
  const at = Date.parse(text.trim());
  return Number.isFinite(at) ? new Date(at).toISOString() : null;
}
