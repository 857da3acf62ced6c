/**
 * The renderer's state: one zustand store over one `CandorApi`. Agent events replace the status
 * and the preview and prepend history entries; history is cached sparsely, page by page, so the
 * list of 10,000 entries can show its first rows after one small request.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  ApiError,
  type AgentEvent,
  type AgentStatus,
  type CandorApi,
  type ConsentState,
  type HistoryFilter,
  type HistoryPage,
  type HistorySummary,
  type OutcomeFilter,
  type PolicyCategory,
  type PreviewView,
  type SendOutcome,
  type StoredChoice,
} from '../../electron/core/api/contract';
import { OUTCOME_GROUP, isFiltered, normalizeFilter } from '../../electron/core/history/history-filter';
import type { FieldInfo } from '../../electron/core/schema/dsl';
import { PAYLOAD_FIELDS } from '../../electron/core/schema/payload';
import type { LinkState } from '../api/http-client';
import { describeLevel } from '../lib/levels';

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

export interface CandorState {
  boot: 'loading' | 'ready' | 'failed';
  bootError: string | null;
  /** 'bridge' when the transport cannot lose its events (Electron IPC). */
  link: LinkState | 'bridge';
  status: AgentStatus | null;
  preview: PreviewView | null;
  previewError: string | null;
  refreshing: boolean;
  catalog: FieldInfo[];
  history: HistoryCache;
  /** The latest message for the polite live region. */
  announcement: { text: string; seq: number };
  sending: boolean;
  lastSend: SendOutcome | null;
  /** The wizard was answered or (when a config setting decides) acknowledged in this session. */
  wizardDone: boolean;

  // Actions are properties, not methods: components take them from the store and call them on their own.
  init: () => Promise<void>;
  dispose: () => void;
  announce: (text: string) => void;
  setStatus: (status: AgentStatus) => void;
  loadPreview: () => Promise<void>;
  refreshPreview: () => Promise<void>;
  /** Saves the answer: `share` or `local` with the categories chosen (all four when none), or `decline`. */
  setConsent: (choice: StoredChoice, categories?: PolicyCategory[]) => Promise<AgentStatus>;
  approveFields: (fields: string[]) => Promise<AgentStatus>;
  sendNow: () => Promise<SendOutcome>;
  resetInstanceId: () => Promise<AgentStatus>;
  finishWizard: () => void;
  ensureHistoryRange: (start: number, end: number) => void;
  loadAllHistory: () => Promise<void>;
  reloadHistory: () => Promise<void>;
  /** Shows only what matches; the list keeps its rows until the answer comes. */
  searchHistory: (filter: HistoryFilter) => Promise<void>;
}

/** What the live region says when the level changes. */
export function levelAnnouncement(consent: ConsentState): string {
  if (consent.level === 'off') return 'Sharing is off. Nothing will be sent.';
  if (consent.level === 'local') return 'Reports are kept on this machine only. Nothing will be sent.';
  return `Sharing is on: ${describeLevel(consent.level, consent.categories)}.`;
}

const levelKey = (consent: ConsentState) => `${consent.level}:${consent.categories.join()}`;

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong while talking to Candor.';
}

/** The same build arrives twice on a refresh (the answer and the pushed event): render it once. */
function samePreview(a: PreviewView | null, b: PreviewView): boolean {
  return a !== null && a.sha256 === b.sha256 && a.builtAt === b.builtAt && a.guard.ok === b.guard.ok && a.omitted.length === b.omitted.length;
}

const EMPTY_HISTORY: HistoryCache = {
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

export interface StoreOptions {
  link?: (listener: (state: LinkState) => void) => () => void;
  /** Persists "the locked wizard was acknowledged" (best effort; per browser profile). */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
}

const ACK_KEY = 'candor.lockAcknowledged';

export function createCandorStore(api: CandorApi, options: StoreOptions = {}): StoreApi<CandorState> {
  const cleanups: Array<() => void> = [];
  const inflightPages = new Set<number>();
  /** Bumped whenever the cache is reset, so answers to older requests are dropped. */
  let generation = 0;
  let loadingAll: Promise<void> | null = null;
  /** Counts the previews pushed by the agent: an answer to a read that began before a push is older than it. */
  let previewsPushed = 0;
  let searchRefresh: ReturnType<typeof setTimeout> | null = null;

  const store = createStore<CandorState>()((set, get) => {
    const fill = (gen: number, { offset, total, entries, unfiltered, outcomes }: HistoryPage) => {
      if (gen !== generation) return;
      const h = get().history;
      if (h.total !== null && h.total !== total) {
        // Entries were added or pruned by something other than an event we saw: start over.
        resetHistory(total);
      }
      const current = get().history;
      const next = current.entries.length === total ? current.entries.slice() : Array.from({ length: total }, (_, i) => current.entries[i]);
      let loaded = current.loadedCount;
      entries.forEach((entry, i) => {
        if (offset + i >= total) return;
        if (next[offset + i] === undefined) loaded++;
        next[offset + i] = entry;
      });
      set({ history: { ...get().history, total, entries: next, loadedCount: loaded, allLoaded: loaded >= total, error: null, unfiltered, outcomes } });
    };

    /** Forgets the rows (and answers still on their way), keeping the search. */
    const resetHistory = (total: number | null) => {
      generation++;
      inflightPages.clear();
      loadingAll = null;
      const { filter, unfiltered, outcomes } = get().history;
      set({
        history: {
          ...EMPTY_HISTORY,
          filter,
          unfiltered,
          outcomes,
          total,
          entries: total === null ? [] : new Array<HistorySummary | undefined>(total).fill(undefined),
        },
      });
    };

    const query = (offset: number, limit: number) => {
      const { filter } = get().history;
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
          if (gen === generation) set({ history: { ...get().history, total: null, error: result.unreadable } });
          return;
        }
        fill(gen, result);
      } catch (error) {
        if (gen === generation) set({ history: { ...get().history, error: messageOf(error) } });
      } finally {
        if (gen === generation) inflightPages.delete(page);
      }
    };

    const onEvent = (event: AgentEvent) => {
      switch (event.type) {
        case 'status': {
          const before = get().status;
          set({ status: event.status });
          if (before && levelKey(before.consent) !== levelKey(event.status.consent)) get().announce(levelAnnouncement(event.status.consent));
          break;
        }
        case 'preview':
          previewsPushed++;
          if (!samePreview(get().preview, event.preview)) set({ preview: event.preview, previewError: null });
          else if (get().previewError) set({ previewError: null });
          break;
        case 'history': {
          const h = get().history;
          if (h.total === null) break;
          if (isFiltered(h.filter)) {
            // Whether it matches may depend on its bytes, which the event does not carry: ask again.
            if (searchRefresh) clearTimeout(searchRefresh);
            searchRefresh = setTimeout(() => {
              searchRefresh = null;
              void get().searchHistory(get().history.filter);
            }, SEARCH_REFRESH_MS);
            break;
          }
          const outcomes = h.outcomes ? { ...h.outcomes } : null;
          const count = (entry: HistorySummary | undefined, by: number) => {
            const group = entry ? OUTCOME_GROUP[entry.outcome] : null;
            if (outcomes && group) outcomes[group] += by;
          };
          if (h.entries[0]?.id === event.entry.id) {
            const next = h.entries.slice();
            count(next[0], -1);
            count(event.entry, 1);
            next[0] = event.entry;
            set({ history: { ...h, entries: next, outcomes } });
          } else {
            count(event.entry, 1);
            set({
              history: {
                ...h,
                total: h.total + 1,
                entries: [event.entry, ...h.entries],
                loadedCount: h.loadedCount + 1,
                unfiltered: (h.unfiltered ?? h.total) + 1,
                outcomes,
              },
            });
          }
          break;
        }
      }
    };

    return {
      boot: 'loading',
      bootError: null,
      link: options.link ? 'connecting' : 'bridge',
      status: null,
      preview: null,
      previewError: null,
      refreshing: false,
      catalog: PAYLOAD_FIELDS,
      history: EMPTY_HISTORY,
      announcement: { text: '', seq: 0 },
      sending: false,
      lastSend: null,
      wizardDone: false,

      async init() {
        set({ boot: 'loading', bootError: null });
        if (cleanups.length === 0) {
          cleanups.push(api.subscribe(onEvent));
          if (options.link) {
            cleanups.push(
              options.link((link) => {
                const was = get().link;
                set({ link });
                // Back after a gap: events may have been missed, so read the state again.
                if (was === 'reconnecting' && link === 'live' && get().boot === 'ready') {
                  api.getStatus().then(
                    (status) => set({ status }),
                    () => undefined,
                  );
                  void get().loadPreview();
                  if (get().history.total !== null) void get().reloadHistory();
                }
              }),
            );
          }
        }
        try {
          const status = await api.getStatus();
          let wizardDone = get().wizardDone;
          try {
            if (status.consent.locked && options.storage?.getItem(ACK_KEY) === status.consent.decidedByLabel) wizardDone = true;
          } catch {
            // storage unavailable: ask again, harmlessly
          }
          set({ status, boot: 'ready', wizardDone });
        } catch (error) {
          set({ boot: 'failed', bootError: messageOf(error) });
          return;
        }
        void api.getFieldCatalog().then(
          (catalog) => set({ catalog }),
          () => undefined, // the bundled schema is the same list
        );
        void get().loadPreview();
      },

      dispose() {
        for (const c of cleanups.splice(0)) c();
        if (searchRefresh) clearTimeout(searchRefresh);
      },

      announce(text) {
        set({ announcement: { text, seq: get().announcement.seq + 1 } });
      },

      setStatus(status) {
        set({ status });
      },

      async loadPreview() {
        const pushedBefore = previewsPushed;
        try {
          const preview = await api.getPreview();
          // A preview pushed while this read was under way is at least as new: keep it.
          if (previewsPushed !== pushedBefore) return;
          set({ preview, previewError: null });
        } catch (error) {
          set({ previewError: messageOf(error) });
        }
      },

      async refreshPreview() {
        if (get().refreshing) return;
        set({ refreshing: true });
        try {
          const preview = await api.refreshPreview();
          set({ ...(samePreview(get().preview, preview) ? {} : { preview }), previewError: null, refreshing: false });
          get().announce('Preview refreshed.');
        } catch (error) {
          set({ previewError: messageOf(error), refreshing: false });
          get().announce(`The preview could not be refreshed: ${messageOf(error)}`);
        }
      },

      async setConsent(choice, categories) {
        const status = await api.setConsent({ choice, ...(categories ? { categories } : {}) });
        set({ status });
        get().announce(levelAnnouncement(status.consent));
        return status;
      },

      async approveFields(fields) {
        const status = await api.approveFields({ fields });
        set({ status });
        get().announce('New fields approved.');
        return status;
      },

      async sendNow() {
        set({ sending: true });
        try {
          const outcome = await api.sendNow();
          set({ sending: false, lastSend: outcome });
          get().announce(outcome.message);
          void api.getStatus().then(
            (status) => set({ status }),
            () => undefined,
          );
          return outcome;
        } catch (error) {
          const outcome = { ok: false, message: messageOf(error) };
          set({ sending: false, lastSend: outcome });
          get().announce(outcome.message);
          return outcome;
        }
      },

      async resetInstanceId() {
        const status = await api.resetInstanceId();
        set({ status });
        get().announce('A new anonymous ID was made.');
        return status;
      },

      finishWizard() {
        const status = get().status;
        if (status?.consent.locked) {
          try {
            options.storage?.setItem(ACK_KEY, status.consent.decidedByLabel);
          } catch {
            // best effort
          }
        }
        set({ wizardDone: true });
      },

      ensureHistoryRange(start, end) {
        const h = get().history;
        const last = h.total === null ? start : Math.min(end, h.total - 1);
        for (let page = Math.floor(Math.max(0, start) / HISTORY_PAGE); page <= Math.floor(Math.max(0, last) / HISTORY_PAGE); page++) {
          const from = page * HISTORY_PAGE;
          const to = Math.min(from + HISTORY_PAGE, h.total ?? from + 1);
          let missing = h.total === null;
          for (let i = from; i < to && !missing; i++) if (h.entries[i] === undefined) missing = true;
          if (missing) void loadPage(page);
        }
      },

      loadAllHistory() {
        if (get().history.allLoaded) return Promise.resolve();
        loadingAll ??= (async () => {
          const gen = generation;
          let offset = 0;
          try {
            for (;;) {
              const h = get().history;
              if (gen !== generation) return;
              if (h.total !== null && offset >= h.total) break;
              // Skip chunks the list already loaded.
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
            if (gen === generation) set({ history: { ...get().history, error: messageOf(error) } });
          } finally {
            if (gen === generation) loadingAll = null;
          }
        })();
        return loadingAll;
      },

      async reloadHistory() {
        resetHistory(null);
        await loadPage(0);
      },

      async searchHistory(filter) {
        const wanted = normalizeFilter(filter);
        generation++;
        inflightPages.clear();
        loadingAll = null;
        const gen = generation;
        set({ history: { ...get().history, filter: wanted, searching: true } });
        try {
          const result = await query(0, HISTORY_PAGE);
          if (gen !== generation) return;
          const { unfiltered, outcomes } = result;
          set({
            history: {
              ...EMPTY_HISTORY,
              filter: wanted,
              unfiltered,
              outcomes,
              total: result.total,
              entries: new Array<HistorySummary | undefined>(result.total).fill(undefined),
            },
          });
          fill(gen, result);
        } catch (error) {
          if (gen === generation) set({ history: { ...get().history, searching: false, error: messageOf(error) } });
        }
      },
    };
  });
  return store;
}
