/**
 * Summaries stored by earlier versions (format 1) published percentiles, means and per-value
 * totals, which can single out one server in a small group. At start-up each such day is
 * recomputed from its raw reports while they are all still kept; older days, whose raw reports are
 * partly or wholly gone, keep their counts but lose every exact value.
 */
import { SUMMARY_FORMAT } from './types';

type Json = Record<string, unknown>;

export function isCurrentFormat(body: string): boolean {
  return (JSON.parse(body) as Json).format === SUMMARY_FORMAT;
}

function dropExactValues(stats: unknown): void {
  if (typeof stats !== 'object' || stats === null) return;
  delete (stats as Json).percentiles;
  delete (stats as Json).mean;
}

function dropTotals(usage: unknown): void {
  const values = (usage as { values?: unknown } | undefined)?.values;
  if (Array.isArray(values)) for (const value of values) if (typeof value === 'object' && value !== null) delete (value as Json).total;
}

/** The same format-1 document without percentiles, means and totals. */
export function withoutExactValues(body: string): string {
  const summary = JSON.parse(body) as Json;
  dropExactValues(summary.cpus);
  for (const stats of Object.values((summary.library as Json | undefined) ?? {})) dropExactValues(stats);
  dropTotals(summary.players);
  dropTotals(summary.fileSuffixes);
  return JSON.stringify(summary);
}
