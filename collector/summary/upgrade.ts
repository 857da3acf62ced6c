/**
 * Summaries stored by earlier versions: format 1 published percentiles, means and per-value
 * totals, which can single out one server in a small group; formats 1 and 2 published player
 * names as clients reported them. At start-up each such day is recomputed from its raw reports
 * while they are all still kept; older days, whose raw reports are partly or wholly gone, keep
 * their counts but lose every exact value, and their players are regrouped by the player table.
 */
import { publishedPlayer } from './players';
import { OTHER } from './threshold';
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

/**
 * The same document without its memory histogram when it mixed two figures (formats 2 and 3 binned
 * Go's Sys and resident sizes together): the mix cannot be split again, so it is not published.
 */
export function withoutMixedMemory(body: string): string {
  const summary = JSON.parse(body) as Json;
  if (typeof summary.format !== 'number' || summary.format >= 4 || summary.memory === undefined) return body;
  delete summary.memory;
  return JSON.stringify(summary);
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

/**
 * The same document with its players as the table publishes them. Counts of names that become one
 * app keep the largest (reports may have listed several of its names; each count was published
 * already); names the table does not know join "Other" (an upper bound, as "Other" always is);
 * names it does not count go.
 */
export function withPublishedPlayers(body: string): string {
  const summary = JSON.parse(body) as Json;
  const players = summary.players as { values?: unknown } | undefined;
  if (!players || !Array.isArray(players.values)) return body;
  const apps = new Map<string, number>();
  let other = 0;
  for (const entry of players.values as { value?: unknown; instances?: unknown }[]) {
    if (typeof entry?.value !== 'string' || typeof entry.instances !== 'number') continue;
    const name = entry.value === OTHER ? OTHER : publishedPlayer(entry.value);
    if (name === OTHER) other += entry.instances;
    else if (name !== null) apps.set(name, Math.max(apps.get(name) ?? 0, entry.instances));
  }
  const values = [...apps]
    .map(([value, instances]) => ({ value, instances }))
    .sort((a, b) => b.instances - a.instances || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  if (other > 0) values.push({ value: OTHER, instances: other });
  players.values = values;
  return JSON.stringify(summary);
}
