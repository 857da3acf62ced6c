import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { HistoryEntry, HistorySummary } from '../../electron/core/api/contract';
import { diffReports } from '../../electron/core/report/diff';
import { isFiltered } from '../../electron/core/history/history-filter';
import { CollectorCheckButton, CollectorCheckResult, useCollectorCheck } from '../components/CollectorCheck';
import { HistoryChart } from '../components/HistoryChart';
import { HistorySearch } from '../components/HistorySearch';
import { FieldChanges, PayloadTabs } from '../components/Payload';
import { Notice, Spinner } from '../components/Notice';
import { TimeAgo } from '../components/TimeAgo';
import { ViewHeading } from '../components/ViewHeading';
import { VirtualListbox } from '../components/VirtualListbox';
import { downloadText, timestampForFile } from '../lib/download';
import { describeLevel, LEVEL_TITLES } from '../lib/levels';
import { OUTCOME_LABELS, TRIGGER_LABELS, outcomeShort, formatAbsolute, formatBytes, formatBytesShort, formatDuration, formatNumber } from '../lib/format';
import { messageOf } from '../state/store';
import { useApi, useCandor } from '../state/context';

export const ROW_HEIGHT = 40;

/** Visible only to assistive tech: separators and the absolute date, so the row reads as a sentence. */
const Said = ({ children }: { children: string }) => <span className="visually-hidden">{children}</span>;

function Row({ entry }: { entry: HistorySummary | undefined }) {
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

function EntryDetail({
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

export function HistoryScreen() {
  const api = useApi();
  const history = useCandor((s) => s.history);
  const ensureRange = useCandor((s) => s.ensureHistoryRange);
  const loadAll = useCandor((s) => s.loadAllHistory);
  const reload = useCandor((s) => s.reloadHistory);
  const announce = useCandor((s) => s.announce);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [pendingIndex, setPendingIndex] = useState<number | null>(null);
  const [entry, setEntry] = useState<HistoryEntry | null>(null);
  const [entryError, setEntryError] = useState<string | null>(null);
  const [base, setBase] = useState<HistoryEntry | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const collectorCheck = useCollectorCheck();
  const loadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const requested = useRef<string | null>(null);

  useEffect(() => {
    if (history.total === null && !history.error) void reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (history.total !== null && history.total > 0 && !history.allLoaded) {
      // The chart needs every entry; the list needs only what is in view. Let the first rows paint first.
      const t = setTimeout(() => void loadAll(), 50);
      return () => clearTimeout(t);
    }
    return undefined;
  }, [history.total, history.allLoaded, loadAll]);

  useEffect(
    () => () => {
      if (loadTimer.current) clearTimeout(loadTimer.current);
    },
    [],
  );

  const selectedIndex = useMemo(() => {
    if (selectedId === null) return pendingIndex;
    const i = history.entries.findIndex((e) => e?.id === selectedId);
    return i === -1 ? null : i;
  }, [history.entries, selectedId, pendingIndex]);

  const openEntry = useCallback(
    (id: string) => {
      requested.current = id;
      if (loadTimer.current) clearTimeout(loadTimer.current);
      // Arrow keys move quickly through the list: fetch the bytes once the user settles.
      loadTimer.current = setTimeout(() => {
        api.getHistoryEntry({ id }).then(
          (full) => {
            if (requested.current === id) {
              setEntry(full);
              setEntryError(null);
            }
          },
          (error) => {
            if (requested.current === id) setEntryError(messageOf(error));
          },
        );
      }, 120);
    },
    [api],
  );

  const select = useCallback(
    (index: number) => {
      const e = history.entries[index];
      if (!e) {
        setPendingIndex(index);
        setSelectedId(null);
        ensureRange(index, index);
        return;
      }
      setPendingIndex(null);
      setSelectedId(e.id);
    },
    [history.entries, ensureRange],
  );

  // A row picked before it was loaded is selected the moment it arrives (while rendering, as React
  // adjusts state to new props); the bytes of whatever is selected are then fetched.
  const arrived = pendingIndex !== null ? history.entries[pendingIndex] : undefined;
  if (arrived) {
    setPendingIndex(null);
    setSelectedId(arrived.id);
  }
  useEffect(() => {
    if (selectedId !== null) openEntry(selectedId);
  }, [selectedId, openEntry]);

  const onRange = useCallback((start: number, end: number) => ensureRange(start, end), [ensureRange]);

  const compareWithPrevious = async () => {
    if (selectedIndex === null) return;
    const previous = history.entries[selectedIndex + 1];
    if (!previous) return;
    try {
      setBase(await api.getHistoryEntry({ id: previous.id }));
    } catch (error) {
      setEntryError(messageOf(error));
    }
  };

  const exportAll = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const text = await api.exportHistory();
      downloadText(`candor-history-${timestampForFile()}.json`, text);
      announce('The history was exported.');
    } catch (error) {
      setExportError(messageOf(error));
    } finally {
      setExporting(false);
    }
  };

  const total = history.total;
  const filtered = isFiltered(history.filter);
  /** Nothing at all in the history (a search that matches nothing is another matter). */
  const empty = total === 0 && !filtered && !history.searching;
  return (
    <div className="view history-view">
      <ViewHeading>History</ViewHeading>
      <p className="lede">
        Every report, with its level and its exact bytes: those sent or tried, those kept here at the Local only level, and those exported to a file. Nothing
        leaves without being written here first.
      </p>
      {total === null && !history.error ? (
        <p className="loading" role="status">
          <Spinner label="Reading the history…" />
        </p>
      ) : null}
      {history.error && total === null ? (
        <Notice tone="error" title="The history could not be read." role="alert">
          <p>{history.error}</p>
          <button type="button" className="button secondary" onClick={() => void reload()}>
            Try again
          </button>
        </Notice>
      ) : null}
      {empty ? (
        <Notice tone="info" title="Nothing has been sent yet.">
          <p>
            When a report is sent, kept here or exported, or an attempt fails, it appears here with its exact bytes, its level, its result and how long it took.
          </p>
        </Notice>
      ) : null}
      {total !== null && !empty ? (
        <>
          <div className="actions view-actions">
            <CollectorCheckButton state={collectorCheck} />
            <button type="button" className="button secondary" onClick={() => void exportAll()} disabled={exporting} aria-busy={exporting}>
              {exporting ? <Spinner label="Exporting…" /> : 'Export all (JSON)'}
            </button>
          </div>
          {exportError ? (
            <Notice tone="error" role="alert">
              <p>{exportError}</p>
            </Notice>
          ) : null}
          <CollectorCheckResult state={collectorCheck} />
          <HistorySearch />
          <div className="split history-split">
            <section className="panel history-list-panel" aria-labelledby="attempts-title" aria-busy={history.searching}>
              <h2 id="attempts-title">
                {filtered
                  ? `${formatNumber(total)} of ${formatNumber(history.unfiltered ?? total)} attempts, newest first`
                  : `${formatNumber(total)} ${total === 1 ? 'attempt' : 'attempts'}, newest first`}
              </h2>
              {total === 0 ? (
                <Notice tone="info" title="No attempt matches this search.">
                  <p>Change the search above, or clear it to see every attempt.</p>
                </Notice>
              ) : (
                <>
                  <p className="muted small" id="attempts-help">
                    Use the arrow keys, Page Up/Down, Home and End to move through the list.
                  </p>
                  <div className="vlist-header" aria-hidden="true">
                    <span className="col-when">When</span>
                    <span className="col-trigger">Why</span>
                    <span className="col-level">Level</span>
                    <span className="col-result">Result</span>
                    <span className="col-size">Size</span>
                    <span className="col-duration">Took</span>
                  </div>
                  <VirtualListbox
                    count={total}
                    rowHeight={ROW_HEIGHT}
                    label="Attempts, newest first"
                    rowId={(i) => `attempt-${i}`}
                    renderRow={(i) => <Row entry={history.entries[i]} />}
                    selectedIndex={selectedIndex}
                    onSelect={select}
                    onRangeChange={onRange}
                    className="history-list"
                  />
                </>
              )}
              {history.error ? (
                <Notice tone="error">
                  <p>{history.error}</p>
                </Notice>
              ) : null}
            </section>
            <div className="history-detail">
              {entryError ? (
                <Notice tone="error" role="alert">
                  <p>{entryError}</p>
                </Notice>
              ) : null}
              {entry ? (
                <EntryDetail
                  entry={entry}
                  base={base}
                  onPin={() => setBase(entry)}
                  onClearBase={() => setBase(null)}
                  onCompareWithPrevious={() => void compareWithPrevious()}
                  hasPrevious={selectedIndex !== null && selectedIndex + 1 < total}
                />
              ) : (
                <p className="panel muted empty-detail">Select an attempt to see exactly what was sent.</p>
              )}
            </div>
          </div>
          <section className="panel" aria-labelledby="chart-title">
            <h2 id="chart-title">Over time{filtered ? ', of the attempts that match' : ''}</h2>
            {total > 0 ? (
              <HistoryChart entries={history.entries} total={total} loadedCount={history.loadedCount} />
            ) : (
              <p className="muted">Nothing to chart: no attempt matches the search.</p>
            )}
          </section>
        </>
      ) : null}
    </div>
  );
}
