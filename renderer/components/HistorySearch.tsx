/**
 * Searching the history, as the Windows Diagnostic Data Viewer lets people search theirs: text in
 * the exact bytes, the result, the levels and a date range, each applied as it changes, with how
 * many attempts each result would show. Native controls only, so the keyboard and screen readers
 * get what they expect; the agent does the searching (`listHistory` with a filter), the same search
 * as `candor history --outcome … --grep …`.
 */
import { useState } from 'react';
import { ENTRY_LEVELS, OUTCOME_FILTERS, type EntryLevel, type HistoryFilter, type OutcomeFilter } from '../../shared/api-contract';
import { dateBound, isFiltered } from '../../shared/history-filter';
import { formatNumber } from '../helpers/format';
import { LEVEL_TITLES } from '../helpers/levels';
import { useCandor } from '../state/context';
import { Spinner } from './Notice';

/** The result groups as the search offers them (history-filter.ts says which outcomes each holds). */
export const OUTCOME_FILTER_LABELS: Record<OutcomeFilter, string> = {
  sent: 'Sent',
  failed: 'Failed or unanswered',
  'not-sent': 'Not sent',
  exported: 'Exported',
  'kept-locally': 'Kept here',
};

/** What the date fields hold: days as the browser shows them, read as local days. */
interface Days {
  from: string;
  to: string;
}

/** The local day (as a date field holds it) of an instant the search keeps; empty for none. */
function localDay(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function filterOf(text: string, outcomes: OutcomeFilter[], levels: EntryLevel[], days: Days): HistoryFilter {
  const since = days.from ? dateBound(days.from, 'start') : null;
  const until = days.to ? dateBound(days.to, 'end') : null;
  return {
    ...(text ? { text } : {}),
    ...(outcomes.length ? { outcomes } : {}),
    ...(levels.length ? { levels } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  };
}

export function HistorySearch() {
  const history = useCandor((s) => s.history);
  const search = useCandor((s) => s.searchHistory);
  const [text, setText] = useState(history.filter.text ?? '');
  const [outcomes, setOutcomes] = useState<OutcomeFilter[]>(history.filter.outcomes ?? []);
  const [levels, setLevels] = useState<EntryLevel[]>(history.filter.levels ?? []);
  const [days, setDays] = useState<Days>({ from: localDay(history.filter.since), to: localDay(history.filter.until) });

  const apply = (next: { text?: string; outcomes?: OutcomeFilter[]; levels?: EntryLevel[]; days?: Days }) => {
    const t = next.text ?? text;
    const o = next.outcomes ?? outcomes;
    const l = next.levels ?? levels;
    const d = next.days ?? days;
    setText(t);
    setOutcomes(o);
    setLevels(l);
    setDays(d);
    void search(filterOf(t, o, l, d));
  };
  const toggleOutcome = (outcome: OutcomeFilter, on: boolean) =>
    apply({ outcomes: OUTCOME_FILTERS.filter((o) => (o === outcome ? on : outcomes.includes(o))) });
  const toggleLevel = (level: EntryLevel, on: boolean) => apply({ levels: ENTRY_LEVELS.filter((l) => (l === level ? on : levels.includes(l))) });
  const clear = () => apply({ text: '', outcomes: [], levels: [], days: { from: '', to: '' } });

  const filtered = isFiltered(history.filter);
  const backwards = days.from && days.to && days.from > days.to;
  return (
    <section className="panel history-search" aria-labelledby="search-title">
      <div className="panel-head">
        <h2 id="search-title">Search</h2>
        <p className="muted small search-status" role="status" aria-live="polite" aria-busy={history.searching}>
          {history.searching ? (
            <Spinner label="Searching…" />
          ) : history.total === null || history.unfiltered === null ? null : filtered ? (
            `${formatNumber(history.total)} of ${formatNumber(history.unfiltered)} ${history.unfiltered === 1 ? 'attempt matches' : 'attempts match'}.`
          ) : (
            `${formatNumber(history.unfiltered)} ${history.unfiltered === 1 ? 'attempt' : 'attempts'}, none left out.`
          )}
        </p>
      </div>
      <form role="search" aria-labelledby="search-title" className="search-form" onSubmit={(e) => e.preventDefault()}>
        <div className="search-row">
          <div className="search-field search-text">
            <label htmlFor="search-text">Text in the exact bytes</label>
            <input
              id="search-text"
              type="search"
              value={text}
              maxLength={256}
              autoComplete="off"
              spellCheck={false}
              placeholder="any case: linux, flac, 0.58…"
              onChange={(e) => apply({ text: e.target.value })}
            />
          </div>
          <div className="search-field">
            <label htmlFor="search-from">From</label>
            <input
              id="search-from"
              type="date"
              value={days.from}
              max={days.to || undefined}
              onChange={(e) => apply({ days: { ...days, from: e.target.value } })}
            />
          </div>
          <div className="search-field">
            <label htmlFor="search-to">To (included)</label>
            <input id="search-to" type="date" value={days.to} min={days.from || undefined} onChange={(e) => apply({ days: { ...days, to: e.target.value } })} />
          </div>
          <button type="button" className="button secondary" onClick={clear} disabled={!filtered && !text && !days.from && !days.to}>
            Clear search
          </button>
        </div>
        <div className="search-row">
          <fieldset className="search-choices">
            <legend>Result</legend>
            {OUTCOME_FILTERS.map((o) => (
              <label key={o} className="check">
                <input type="checkbox" checked={outcomes.includes(o)} onChange={(e) => toggleOutcome(o, e.target.checked)} />
                <span>
                  {OUTCOME_FILTER_LABELS[o]} <span className="muted">({formatNumber(history.outcomes?.[o] ?? 0)})</span>
                </span>
              </label>
            ))}
          </fieldset>
          <fieldset className="search-choices">
            <legend>Level</legend>
            {ENTRY_LEVELS.map((l) => (
              <label key={l} className="check">
                <input type="checkbox" checked={levels.includes(l)} onChange={(e) => toggleLevel(l, e.target.checked)} />
                <span>{LEVEL_TITLES[l]}</span>
              </label>
            ))}
          </fieldset>
        </div>
      </form>
      {backwards ? <p className="help">“From” is after “To”: nothing can match.</p> : null}
    </section>
  );
}
