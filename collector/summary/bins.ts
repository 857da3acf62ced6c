/**
 * Bin edges for every number a summary publishes. Library sizes use the edges of Navidrome's own
 * insights summaries (tracks; albums and artists), so the two dashboards can be compared; the rest
 * are chosen so a typical home server lands in the middle bins and no bin is a single value above 2.
 */
export type Scale = 'count' | 'bytes' | 'seconds';

export interface BinSet {
  edges: readonly number[];
  scale: Scale;
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const HOUR = 3600;
const DAY = 24 * HOUR;

export const TRACK_BINS: BinSet = { edges: [0, 1, 100, 500, 1_000, 5_000, 10_000, 20_000, 50_000, 100_000, 500_000, 1_000_000], scale: 'count' };
export const ALBUM_BINS: BinSet = { edges: [0, 1, 10, 50, 100, 500, 1_000, 2_000, 5_000, 10_000, 50_000, 100_000], scale: 'count' };
/** Playlists, shares, radios, libraries, active users. */
export const SMALL_COUNT_BINS: BinSet = { edges: [0, 1, 2, 5, 10, 20, 50, 100, 500, 1_000], scale: 'count' };
export const CPU_BINS: BinSet = { edges: [1, 2, 4, 8, 16, 32, 64], scale: 'count' };
/** Memory the server process holds. */
export const PROCESS_MEMORY_BINS: BinSet = { edges: [0, 64 * MiB, 128 * MiB, 256 * MiB, 512 * MiB, GiB, 2 * GiB, 4 * GiB], scale: 'bytes' };
/** Memory of the whole machine. */
export const HOST_MEMORY_BINS: BinSet = { edges: [0, GiB, 2 * GiB, 4 * GiB, 8 * GiB, 16 * GiB, 32 * GiB, 64 * GiB, 128 * GiB], scale: 'bytes' };
export const UPTIME_BINS: BinSet = { edges: [0, HOUR, 6 * HOUR, DAY, 7 * DAY, 30 * DAY, 90 * DAY, 365 * DAY], scale: 'seconds' };

export const LIBRARY_BINS: Readonly<Record<string, BinSet>> = { tracks: TRACK_BINS, albums: ALBUM_BINS, artists: ALBUM_BINS };

function format(n: number, scale: Scale): string {
  if (scale === 'bytes') return n === 0 ? '0' : n >= GiB ? `${n / GiB} GiB` : `${n / MiB} MiB`;
  if (scale === 'seconds') return n === 0 ? '0' : n >= DAY ? `${n / DAY} d` : `${n / HOUR} h`;
  return n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1_000 ? `${n / 1_000}k` : String(n);
}

/** Bins include their lower edge and stop before the next one: "100–500" holds 100 to 499. */
export function binLabel(set: BinSet, i: number): string {
  const from = set.edges[i]!;
  const next = set.edges[i + 1];
  if (next === undefined) return `${format(from, set.scale)}+`;
  return next - from === 1 && set.scale === 'count' ? format(from, set.scale) : `${format(from, set.scale)}–${format(next, set.scale)}`;
}

/** The bin a value falls in (values below the first edge count in the first bin). */
export function binIndex(set: BinSet, value: number): number {
  let i = set.edges.length - 1;
  while (i > 0 && value < set.edges[i]!) i--;
  return i;
}
