import type { HistorySummary } from '../../../shared/api-contract';
import { TimeAgo } from '../../components/TimeAgo';
import { LEVEL_TITLES } from '../../helpers/levels';
import { TRIGGER_LABELS, outcomeShort, formatAbsolute, formatBytesShort, formatDuration } from '../../helpers/format';

/** One row of the history list: fixed height, so the list can window thousands of them. */
export const ROW_HEIGHT = 40;

/** Visible only to assistive tech: separators and the absolute date, so the row reads as a sentence. */
const Said = ({ children }: { children: string }) => <span className="visually-hidden">{children}</span>;

export function HistoryRow({ entry }: { entry: HistorySummary | undefined }) {
  // The accessible name is the row's own text (no aria-label), so what is said matches what is seen.
  if (!entry) return <span className="row-placeholder">Loading…</span>;
  return (
    <>
      <span className="col-when">
        <TimeAgo at={entry.at} past />
        <Said>{`, ${formatAbsolute(entry.at)}.`}</Said>
      </span>
      <span className="col-trigger">
        {TRIGGER_LABELS[entry.trigger]}
        <Said>.</Said>
      </span>
      <span className="col-level">
        <Said>Level: </Said>
        {LEVEL_TITLES[entry.level ?? 'full']}
        <Said>.</Said>
      </span>
      <span className={`col-result badge badge-${entry.outcome}`}>
        {outcomeShort(entry.outcome)}
        <Said>{entry.status !== undefined ? ` (HTTP ${entry.status}).` : '.'}</Said>
      </span>
      <span className="col-size">
        {formatBytesShort(entry.size)}
        <Said>.</Said>
      </span>
      <span className="col-duration">{formatDuration(entry.durationMs)}</span>
    </>
  );
}
