import type { HistorySummary, Trigger } from '../../shared/api-contract';

/**
 * Times, sizes and durations for people: relative ("3 hours ago") with the absolute date beside it,
 * always through Intl so the user's locale and time zone apply.
 */

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600 * 1000],
  ['month', 30 * 24 * 3600 * 1000],
  ['week', 7 * 24 * 3600 * 1000],
  ['day', 24 * 3600 * 1000],
  ['hour', 3600 * 1000],
  ['minute', 60 * 1000],
];

let relativeFormat: Intl.RelativeTimeFormat | undefined;
let absoluteFormat: Intl.DateTimeFormat | undefined;
let numberFormat: Intl.NumberFormat | undefined;

/** "3 hours ago", "in 20 minutes", "just now". */
export function formatRelative(iso: string | number, now: number = Date.now()): string {
  const at = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(at)) return 'at an unknown time';
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 45 * 1000) return diff <= 0 ? 'just now' : 'in a moment';
  relativeFormat ??= new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (abs >= ms * 0.95 || unit === 'minute') {
      return relativeFormat.format(Math.round(diff / ms), unit);
    }
  }
  return relativeFormat.format(Math.round(diff / 60000), 'minute');
}

/** "25 Nov 2026, 14:03" in the user's locale and time zone. */
export function formatAbsolute(iso: string | number): string {
  const at = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(at)) return 'unknown time';
  absoluteFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  return absoluteFormat.format(at);
}

let clockFormat: Intl.DateTimeFormat | undefined;
let dayFormat: Intl.DateTimeFormat | undefined;

/** "at 05:22", "tomorrow at 05:22" or "on 27 Nov at 05:22", in the user's locale and time zone. */
export function formatClock(iso: string | number, now: number = Date.now()): string {
  const at = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(at)) return 'at an unknown time';
  clockFormat ??= new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  const time = `at ${clockFormat.format(at)}`;
  const day = (ms: number) => new Date(ms).toDateString();
  if (day(at) === day(now)) return time;
  if (day(at) === day(now + 24 * 3600 * 1000)) return `tomorrow ${time}`;
  dayFormat ??= new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
  return `on ${dayFormat.format(at)} ${time}`;
}

/** The collector's host (and port) from its address: what people recognise ("insights.navidrome.org"). */
export function collectorName(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return 'the collector';
  }
}

export function formatNumber(n: number): string {
  numberFormat ??= new Intl.NumberFormat();
  return numberFormat.format(n);
}

/** "1,482 bytes" below 10 kB (the exact count matters here), "14.2 kB" above. */
export function formatBytes(n: number): string {
  if (n < 10_000) return `${formatNumber(n)} ${n === 1 ? 'byte' : 'bytes'}`;
  if (n < 10_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/** For narrow columns: "1,831 B", "14.2 kB". */
export function formatBytesShort(n: number): string {
  if (n < 10_000) return `${formatNumber(n)} B`;
  return formatBytes(n);
}

/** A plain-language reading of a raw figure, when its field says what unit it is in. */
export function humanHint(path: string, value: unknown): string | null {
  if (typeof value !== 'number') return null;
  if (/^(mem\.|candor\.hostMemory\.)/.test(path)) {
    if (value >= 1e9) return `≈ ${(value / 1e9).toFixed(1)} GB`;
    if (value >= 1e6) return `≈ ${Math.round(value / 1e6)} MB`;
    return null;
  }
  if (path === 'uptime' || path === 'config.sessionTimeout') {
    if (value >= 86_400) return `≈ ${(value / 86_400).toFixed(1)} days`;
    if (value >= 3600) return `≈ ${(value / 3600).toFixed(1)} hours`;
    return null;
  }
  return null;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** A JSON value as compact, readable text for tables and diffs. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return entries.map(([k, v]) => `${k}: ${JSON.stringify(v) ?? typeof v}`).join(', ');
  }
  // Numbers, booleans and null: a payload holds nothing else.
  return JSON.stringify(value) ?? typeof value;
}

export const TRIGGER_LABELS: Record<Trigger, string> = { schedule: 'Scheduled', manual: 'Sent by you', retry: 'Retry', export: 'Export' };
export const OUTCOME_LABELS: Record<HistorySummary['outcome'], string> = {
  sent: 'Sent',
  failed: 'Failed',
  refused: 'Refused by the privacy check',
  'no-answer': 'No answer (may have arrived)',
  sending: 'Sending…',
  'kept-locally': 'Kept here, not sent',
  exported: 'Exported to a file',
  'not-sent': 'Not sent: the server could not be read',
};

/** For the history list's narrow result column: the long labels that do not fit, shortened. */
const OUTCOME_SHORT: Partial<Record<HistorySummary['outcome'], string>> = {
  refused: 'Refused',
  'kept-locally': 'Kept here',
  exported: 'Exported',
  'not-sent': 'Not sent',
};

export function outcomeShort(outcome: HistorySummary['outcome']): string {
  return OUTCOME_SHORT[outcome] ?? OUTCOME_LABELS[outcome];
}
