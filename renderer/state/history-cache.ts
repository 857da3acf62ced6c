/**
 * The history list's cache: sparse, page by page, so a list of 10,000 entries shows its first rows
 * after one small request, while the chart loads the rest in chunks. A search replaces the rows only
 * when its answer comes; answers to requests made before a reset or a new search are dropped.
 */
import type { CandorApi, HistoryFilter, HistoryPage, HistorySummary, OutcomeFilter } from '../../shared/api-contract';
import { OUTCOME_GROUP, isFiltered, normalizeFilter } from '../../shared/history-filter';
import { messageOf } from './messages';

/** Rows fetched per request for the visible part of the list. */
export const HISTORY_PAGE = 100;
/** Rows fetched per request when loading everything for the chart (the API's maximum). */
export const HISTORY_CHUNK = 1000;

export interface HistoryCache {
  /** Entries that match the search (all of them without one). */
  total: number | null;
  /** Newest first; `undefined` where not loaded yet. */
  entries: ReadonlyArray<HistorySummary | undefined>;
  loadedCount: number;
  allLoaded: boolean;
  error: string | null;
  /** The search the list shows (empty: everything). */
  filter: HistoryFilter;
  /** Entries in the history, whatever the search. */
  unfiltered: number | null;
  /** How the entries that pass every part of the search but the outcomes fall by outcome. */
  outcomes: Record<OutcomeFilter, number> | null;
  /** A new search is being answered; the list still shows the last one. */
  searching: boolean;
}

export const EMPTY_HISTORY: HistoryCache = {
  total: null,
  entries: [],
  loadedCount: 0,
  allLoaded: false,
  error: null,
  filter: {},
  unfiltered: null,
  outcomes: null,
  searching: false,
};

/** A new entry while a search is shown is checked by asking again, once things settle. */
const SEARCH_REFRESH_MS = 300;

/** Reads and writes the cache where the store keeps it. */
export interface HistorySlice {
  get(): HistoryCache;
  set(cache: HistoryCache): void;
}

export function createHistoryCache(api: CandorApi, slice: HistorySlice) {
  const inflightPages = new Set<number>();
  /** Bumped whenever the cache is reset, so answers to older requests are dropped. */
  let generation = 0;
  let loadingAll: Promise<void> | null = null;
  let searchRefresh: ReturnType<typeof setTimeout> | null = null;
  const update = (change: Partial<HistoryCache>) => slice.set({ ...slice.get(), ...change });

  const fill = (gen: number, { offset, total, entries, unfiltered, outcomes }: HistoryPage) => {
    if (gen !== generation) return;
    const h = slice.get();
    if (h.total !== null && h.total !== total) {
      // Entries were added or pruned by something other than an event we saw: start over.
      reset(total);
    }
    const current = slice.get();
    const next = current.entries.length === total ? current.entries.slice() : Array.from({ length: total }, (_, i) => current.entries[i]);
    let loaded = current.loadedCount;
    entries.forEach((entry, i) => {
      if (offset + i >= total) return;
      if (next[offset + i] === undefined) loaded++;
      next[offset + i] = entry;
    });
    update({ total, entries: next, loadedCount: loaded, allLoaded: loaded >= total, error: null, unfiltered, outcomes });
  };

  /** Forgets the rows (and answers still on their way), keeping the search. */
  const reset = (total: number | null) => {
    generation++;
    inflightPages.clear();
    loadingAll = null;
    const { filter, unfiltered, outcomes } = slice.get();
    slice.set({
      ...EMPTY_HISTORY,
      filter,
      unfiltered,
      outcomes,
      total,
      entries: total === null ? [] : new Array<HistorySummary | undefined>(total).fill(undefined),
    });
  };

  const query = (offset: number, limit: number) => {
    const { filter } = slice.get();
    return api.listHistory({ offset, limit, ...(isFiltered(filter) ? { filter } : {}) });
  };

  const loadPage = async (page: number) => {
    if (inflightPages.has(page)) return;
    inflightPages.add(page);
    const gen = generation;
    try {
      const result = await query(page * HISTORY_PAGE, HISTORY_PAGE);
      // A history file that is not read (a FIFO, a device at its name) is an error, not "nothing sent yet".
      if (result.unreadable) {
        if (gen === generation) update({ total: null, error: result.unreadable });
        return;
      }
      fill(gen, result);
    } catch (error) {
      if (gen === generation) update({ error: messageOf(error) });
    } finally {
      if (gen === generation) inflightPages.delete(page);
    }
  };

  /** Asks for the pages of rows `start`..`end` that are not loaded yet. */
  const ensureRange = (start: number, end: number) => {
    const h = slice.get();
    const last = h.total === null ? start : Math.min(end, h.total - 1);
    for (let page = Math.floor(Math.max(0, start) / HISTORY_PAGE); page <= Math.floor(Math.max(0, last) / HISTORY_PAGE); page++) {
      const from = page * HISTORY_PAGE;
      const to = Math.min(from + HISTORY_PAGE, h.total ?? from + 1);
      let missing = h.total === null;
      for (let i = from; i < to && !missing; i++) if (h.entries[i] === undefined) missing = true;
      if (missing) void loadPage(page);
    }
  };

  /** Every entry, in chunks (the chart needs them all); chunks the list already holds are skipped. */
  const loadAll = (): Promise<void> => {
    if (slice.get().allLoaded) return Promise.resolve();
    loadingAll ??= (async () => {
      const gen = generation;
      let offset = 0;
      try {
        for (;;) {
          const h = slice.get();
          if (gen !== generation) return;
          if (h.total !== null && offset >= h.total) break;
          if (h.total !== null && h.entries.length === h.total) {
            let complete = true;
            for (let i = offset; i < Math.min(offset + HISTORY_CHUNK, h.total) && complete; i++) if (h.entries[i] === undefined) complete = false;
            if (complete) {
              offset += HISTORY_CHUNK;
              continue;
            }
          }
          const result = await query(offset, HISTORY_CHUNK);
          fill(gen, result);
          if (result.entries.length === 0) break;
          offset += HISTORY_CHUNK;
        }
      } catch (error) {
        if (gen === generation) update({ error: messageOf(error) });
      } finally {
        if (gen === generation) loadingAll = null;
      }
    })();
    return loadingAll;
  };

  const reload = async () => {
    reset(null);
    await loadPage(0);
  };

  const search = async (filter: HistoryFilter) => {
    const wanted = normalizeFilter(filter);
    generation++;
    inflightPages.clear();
    loadingAll = null;
    const gen = generation;
    update({ filter: wanted, searching: true });
    try {
      const result = await query(0, HISTORY_PAGE);
      if (gen !== generation) return;
      const { unfiltered, outcomes } = result;
      slice.set({
        ...EMPTY_HISTORY,
        filter: wanted,
        unfiltered,
        outcomes,
        total: result.total,
        entries: new Array<HistorySummary | undefined>(result.total).fill(undefined),
      });
      fill(gen, result);
    } catch (error) {
      if (gen === generation) update({ searching: false, error: messageOf(error) });
    }
  };

  /** An entry the agent pushed: the attempt on top replaced, or a new one prepended; under a search, asked again. */
  const onEntry = (entry: HistorySummary) => {
    const h = slice.get();
    if (h.total === null) return;
    if (isFiltered(h.filter)) {
      // Whether it matches may depend on its bytes, which the event does not carry: ask again.
      if (searchRefresh) clearTimeout(searchRefresh);
      searchRefresh = setTimeout(() => {
        searchRefresh = null;
        void search(slice.get().filter);
      }, SEARCH_REFRESH_MS);
      return;
    }
    const outcomes = h.outcomes ? { ...h.outcomes } : null;
    const count = (counted: HistorySummary | undefined, by: number) => {
      const group = counted ? OUTCOME_GROUP[counted.outcome] : null;
      if (outcomes && group) outcomes[group] += by;
    };
    if (h.entries[0]?.id === entry.id) {
      const next = h.entries.slice();
      count(next[0], -1);
      count(entry, 1);
      next[0] = entry;
      slice.set({ ...h, entries: next, outcomes });
    } else {
      count(entry, 1);
      slice.set({
        ...h,
        total: h.total + 1,
        entries: [entry, ...h.entries],
        loadedCount: h.loadedCount + 1,
        unfiltered: (h.unfiltered ?? h.total) + 1,
        outcomes,
      });
    }
  };

  const dispose = () => {
    if (searchRefresh) clearTimeout(searchRefresh);
  };

  return { onEntry, ensureRange, loadAll, reload, search, dispose };
}
