/**
 * Attempts over time (stacked bars: sent, no answer, failed, refused, kept here or exported) and the library counts each report
 * carried (one small line chart per count), as inline SVG. Every figure is also written out in the
 * caption, so the chart is never the only place a number lives.
 */
import { useMemo } from 'react';
import type { HistorySummary } from '../../shared/api-contract';
import { bucketize, type Bucket } from '../helpers/chart-data';
import { formatAbsolute, formatNumber } from '../helpers/format';

const W = 600;
const H = 120;
const PAD = { top: 8, right: 8, bottom: 20, left: 44 };

function dateLabel(t: number): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(t);
}

function AttemptsChart({ buckets, from, to }: { buckets: Bucket[]; from: number; to: number }) {
  const max = Math.max(1, ...buckets.map((b) => b.sent + b.unanswered + b.failed + b.refused + b.kept));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const bw = innerW / buckets.length;
  const y = (v: number) => (v / max) * innerH;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="chart" role="img" aria-labelledby="chart-attempts-title">
      <title id="chart-attempts-title">Attempts over time: sent, no answer, failed, refused, and kept here or exported</title>
      <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="axis" />
      <text x={PAD.left - 6} y={PAD.top + 8} className="tick" textAnchor="end">
        {formatNumber(max)}
      </text>
      <text x={PAD.left - 6} y={H - PAD.bottom} className="tick" textAnchor="end">
        0
      </text>
      {buckets.map((b, i) => {
        const x = PAD.left + i * bw + bw * 0.12;
        const w = Math.max(1, bw * 0.76);
        let base = H - PAD.bottom;
        const parts = (['sent', 'unanswered', 'failed', 'refused', 'kept'] as const).map((k) => {
          const h = y(b[k]);
          base -= h;
          return h > 0 ? <rect key={k} x={x} y={base} width={w} height={h} className={`bar bar-${k}`} /> : null;
        });
        return <g key={i}>{parts}</g>;
      })}
      <text x={PAD.left} y={H - 4} className="tick">
        {dateLabel(from)}
      </text>
      <text x={W - PAD.right} y={H - 4} className="tick" textAnchor="end">
        {dateLabel(to)}
      </text>
    </svg>
  );
}

function CountChart({ buckets, field, title }: { buckets: Bucket[]; field: 'tracks' | 'albums' | 'artists'; title: string }) {
  const points = buckets.map((b, i) => [i, b[field]] as const).filter((p): p is readonly [number, number] => p[1] !== undefined);
  if (points.length === 0) return null;
  const values = points.map((p) => p[1]);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const w = 200;
  const h = 48;
  const x = (i: number) => 4 + (i / Math.max(1, buckets.length - 1)) * (w - 8);
  const y = (v: number) => (max === min ? h / 2 : h - 4 - ((v - min) / (max - min)) * (h - 8));
  const d = points.map(([i, v], n) => `${n === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const first = values[0]!;
  const lastValue = values[values.length - 1]!;
  return (
    <figure className="count-chart">
      <svg viewBox={`0 0 ${w} ${h}`} className="spark" aria-hidden="true" preserveAspectRatio="none">
        <path d={d} className="spark-line" />
      </svg>
      <figcaption>
        <span className="count-title">{title}</span>{' '}
        <span className="count-range">
          {formatNumber(first)} → {formatNumber(lastValue)}
        </span>
      </figcaption>
    </figure>
  );
}

export function HistoryChart({ entries, total, loadedCount }: { entries: ReadonlyArray<HistorySummary | undefined>; total: number; loadedCount: number }) {
  const data = useMemo(() => (loadedCount >= total ? bucketize(entries) : null), [entries, total, loadedCount]);
  if (!data) {
    return (
      <div className="chart-loading" role="status">
        Loading the chart: {formatNumber(loadedCount)} of {formatNumber(total)} entries read…
      </div>
    );
  }
  const { buckets, from, to, totals } = data;
  return (
    <figure className="history-chart">
      <AttemptsChart buckets={buckets} from={from} to={to} />
      <figcaption>
        <span className="legend">
          <span className="swatch bar-sent" aria-hidden="true" /> {formatNumber(totals.sent)} sent
        </span>
        {totals.unanswered > 0 ? (
          <span className="legend">
            <span className="swatch bar-unanswered" aria-hidden="true" /> {formatNumber(totals.unanswered)} without an answer
          </span>
        ) : null}
        <span className="legend">
          <span className="swatch bar-failed" aria-hidden="true" /> {formatNumber(totals.failed)} failed
        </span>
        <span className="legend">
          <span className="swatch bar-refused" aria-hidden="true" /> {formatNumber(totals.refused)} refused
        </span>
        {totals.kept > 0 ? (
          <span className="legend">
            <span className="swatch bar-kept" aria-hidden="true" /> {formatNumber(totals.kept)} kept here or exported
          </span>
        ) : null}
        <span className="muted">
          {' '}
          between <time dateTime={new Date(from).toISOString()}>{formatAbsolute(from)}</time> and{' '}
          <time dateTime={new Date(to).toISOString()}>{formatAbsolute(to)}</time>
        </span>
      </figcaption>
      <div className="count-charts">
        <CountChart buckets={buckets} field="tracks" title="Tracks" />
        <CountChart buckets={buckets} field="albums" title="Albums" />
        <CountChart buckets={buckets} field="artists" title="Artists" />
      </div>
    </figure>
  );
}
