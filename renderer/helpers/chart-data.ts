import type { HistorySummary } from '../../shared/api-contract';

export interface Bucket {
  start: number;
  end: number;
  sent: number;
  failed: number;
  refused: number;
  /** No answer came (or none yet): the collector may have the report. */
  unanswered: number;
  /** Built and kept on this machine (the local level) or written to a file: nothing was sent. */
  kept: number;
  tracks?: number;
  albums?: number;
  artists?: number;
}

export interface ChartData {
  buckets: Bucket[];
  from: number;
  to: number;
  totals: Record<Series, number>;
}

export type Series = 'sent' | 'failed' | 'refused' | 'unanswered' | 'kept';
const SERIES_OF: Record<HistorySummary['outcome'], Series> = {
  sent: 'sent',
  failed: 'failed',
  refused: 'refused',
  'no-answer': 'unanswered',
  sending: 'unanswered',
  'kept-locally': 'kept',
  exported: 'kept',
  // Nothing left because the server could not be read: a failed attempt, retried as one.
  'not-sent': 'failed',
};

/** Attempts per time bucket, and the library counts last reported in each. Entries may be in any order. */
export function bucketize(entries: ReadonlyArray<HistorySummary | undefined>, maxBuckets = 60): ChartData | null {
  let from = Infinity;
  let to = -Infinity;
  const times: number[] = [];
  for (const e of entries) {
    if (!e) continue;
    const t = Date.parse(e.at);
    times.push(t);
    if (t < from) from = t;
    if (t > to) to = t;
  }
  if (times.length === 0) return null;
  const span = Math.max(1, to - from);
  const count = Math.max(1, Math.min(maxBuckets, times.length));
  const width = span / count;
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({
    start: from + i * width,
    end: from + (i + 1) * width,
    sent: 0,
    failed: 0,
    refused: 0,
    unanswered: 0,
    kept: 0,
  }));
  const latest: number[] = new Array<number>(count).fill(-Infinity);
  const totals: Record<Series, number> = { sent: 0, failed: 0, refused: 0, unanswered: 0, kept: 0 };
  let n = 0;
  for (const e of entries) {
    if (!e) continue;
    const t = times[n++]!;
    const i = Math.min(count - 1, Math.floor((t - from) / width));
    const b = buckets[i]!;
    const series = SERIES_OF[e.outcome];
    b[series]++;
    totals[series]++;
    if (e.counts && t >= latest[i]!) {
      latest[i] = t;
      if (e.counts.tracks !== undefined) b.tracks = e.counts.tracks;
      if (e.counts.albums !== undefined) b.albums = e.counts.albums;
      if (e.counts.artists !== undefined) b.artists = e.counts.artists;
    }
  }
  return { buckets, from, to, totals };
}
