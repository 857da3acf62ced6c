import { useCallback, useEffect, useState } from 'react';
import type { HistoryEntry } from '../../../shared/api-contract';
import { isFiltered } from '../../../shared/history-filter';
import { CollectorCheckButton, CollectorCheckResult, useCollectorCheck } from '../../components/CollectorCheck';
import { HistoryChart } from '../../components/HistoryChart';
import { HistorySearch } from '../../components/HistorySearch';
import { Notice, Spinner } from '../../components/Notice';
import { ViewHeading } from '../../components/ViewHeading';
import { VirtualListbox } from '../../components/VirtualListbox';
import { downloadText, timestampForFile } from '../../helpers/download';
import { formatNumber } from '../../helpers/format';
import { useHistorySelection } from '../../state/history-selection';
import { messageOf } from '../../state/messages';
import { useApi, useCandor } from '../../state/context';
import { EntryDetail } from './EntryDetail';
import { HistoryRow, ROW_HEIGHT } from './HistoryRow';

export function HistoryScreen() {
  const api = useApi();
  const history = useCandor((s) => s.history);
  const ensureRange = useCandor((s) => s.ensureHistoryRange);
  const loadAll = useCandor((s) => s.loadAllHistory);
  const reload = useCandor((s) => s.reloadHistory);
  const announce = useCandor((s) => s.announce);
  const [base, setBase] = useState<HistoryEntry | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const collectorCheck = useCollectorCheck();

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

  const { selectedIndex, select, entry, entryError, setEntryError } = useHistorySelection(history.entries, ensureRange);

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
                    renderRow={(i) => <HistoryRow entry={history.entries[i]} />}
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
