import { useMemo } from 'react';
import type { HistoryEntry } from '../../../shared/api-contract';
import { diffReports } from '../../../shared/report-diff';
import { FieldChanges, PayloadTabs } from '../../components/Payload';
import { TimeAgo } from '../../components/TimeAgo';
import { downloadText } from '../../helpers/download';
import { describeLevel } from '../../helpers/levels';
import { OUTCOME_LABELS, TRIGGER_LABELS, formatAbsolute, formatBytes, formatDuration } from '../../helpers/format';
import { useCandor } from '../../state/context';

/** One attempt in full: its facts, the receipt, its exact bytes, and its differences from a chosen base. */
export function EntryDetail({
  entry,
  base,
  onPin,
  onClearBase,
  onCompareWithPrevious,
  hasPrevious,
}: {
  entry: HistoryEntry;
  base: HistoryEntry | null;
  onPin: () => void;
  onClearBase: () => void;
  onCompareWithPrevious: () => void;
  hasPrevious: boolean;
}) {
  const catalog = useCandor((s) => s.catalog);
  const changes = useMemo(() => (base && base.id !== entry.id ? safeDiff(base.body, entry.body) : null), [base, entry]);
  return (
    <section className="panel entry-detail" aria-labelledby="entry-title" aria-live="polite">
      <h2 id="entry-title">
        Attempt of {formatAbsolute(entry.at)}{' '}
        <span className="muted small">
          (<TimeAgo at={entry.at} past />)
        </span>
      </h2>
      <dl className="facts facts-grid">
        <div>
          <dt>When</dt>
          <dd>{formatAbsolute(entry.at)}</dd>
        </div>
        <div>
          <dt>Why</dt>
          <dd>{TRIGGER_LABELS[entry.trigger]}</dd>
        </div>
        <div className="facts-wide">
          <dt>Level</dt>
          <dd data-testid="entry-level">
            {describeLevel(entry.level, entry.categories)}
            {entry.level === undefined ? <span className="muted"> (made before levels existed)</span> : null}
          </dd>
        </div>
        <div className="facts-wide">
          <dt>Result</dt>
          <dd>
            <span className={`badge badge-${entry.outcome}`}>{OUTCOME_LABELS[entry.outcome]}</span> {entry.message}
          </dd>
        </div>
        <div>
          <dt>Took</dt>
          <dd>{formatDuration(entry.durationMs)}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(entry.size)}</dd>
        </div>
        <div className="facts-wide">
          <dt>{entry.outcome === 'kept-locally' || entry.outcome === 'exported' ? 'Collector at the time' : 'Sent to'}</dt>
          <dd>
            <code>{entry.endpoint}</code>
          </dd>
        </div>
        <div className="facts-wide">
          <dt>SHA-256</dt>
          <dd>
            <code className="hash">{entry.sha256}</code>
          </dd>
        </div>
        {entry.outcome === 'sent' || entry.receipt !== undefined ? (
          <div className="facts-wide">
            <dt>Collector’s receipt</dt>
            <dd data-testid="entry-receipt">
              {entry.receipt === undefined ? (
                <span className="muted">None: this collector gives no receipt (Navidrome’s does not).</span>
              ) : entry.receipt === entry.sha256 ? (
                <>
                  <span className="badge badge-sent">Matches</span> <span className="muted">the collector received exactly these bytes.</span>
                </>
              ) : (
                <>
                  <span className="badge badge-refused">Different</span> <span className="muted">the collector received other bytes:</span>{' '}
                  <code className="hash">{entry.receipt}</code>
                </>
              )}
            </dd>
          </div>
        ) : null}
      </dl>
      <div className="actions">
        <button type="button" className="button secondary" onClick={onPin} disabled={base?.id === entry.id}>
          {base?.id === entry.id ? 'Comparison base' : 'Use as comparison base'}
        </button>
        <button type="button" className="button secondary" onClick={onCompareWithPrevious} disabled={!hasPrevious}>
          Compare with previous
        </button>
        <button type="button" className="button secondary" onClick={() => downloadText(`candor-report-${entry.at.replace(/[:.]/g, '-')}.json`, entry.body)}>
          Download bytes
        </button>
      </div>
      {base && base.id !== entry.id ? (
        <section className="compare" aria-labelledby="compare-title">
          <div className="panel-head">
            <h3 id="compare-title">Differences from the attempt of {formatAbsolute(base.at)}</h3>
            <button type="button" className="button link" onClick={onClearBase}>
              Stop comparing
            </button>
          </div>
          {changes === null ? (
            <p className="muted">One of the two reports is not valid JSON, so they cannot be compared field by field.</p>
          ) : changes.length === 0 ? (
            <p className="muted">The two reports are identical{base.sha256 === entry.sha256 ? ' (same SHA-256)' : ''}.</p>
          ) : (
            <FieldChanges changes={changes} catalog={catalog} beforeLabel={`${formatAbsolute(base.at)}`} afterLabel={`${formatAbsolute(entry.at)}`} />
          )}
        </section>
      ) : base?.id === entry.id ? (
        <p className="muted">Select another attempt to see what changed between the two.</p>
      ) : null}
      <h3>What was sent</h3>
      <PayloadTabs text={entry.body} catalog={catalog} idPrefix="entry" initial="raw" />
    </section>
  );
}

function safeDiff(before: string, after: string) {
  try {
    return diffReports(before, after);
  } catch {
    return null;
  }
}
