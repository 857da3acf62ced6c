/**
 * The renderer's state: one zustand store over one `CandorApi`. Agent events replace the status
 * and the preview and go to the history list's cache (history-cache.ts), which the store holds.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  type AgentEvent,
  type AgentStatus,
  type CandorApi,
  type ConsentState,
  type HistoryFilter,
  type PolicyCategory,
  type PreviewView,
  type SendOutcome,
  type StoredChoice,
} from '../../shared/api-contract';
import type { FieldInfo } from '../../shared/schema/dsl';
import { PAYLOAD_FIELDS } from '../../shared/schema/payload';
import type { LinkState } from '../api/http-client';
import { describeLevel } from '../helpers/levels';
import { EMPTY_HISTORY, createHistoryCache, type HistoryCache } from './history-cache';
import { messageOf } from './messages';

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

/** The same build arrives twice on a refresh (the answer and the pushed event): render it once. */
function samePreview(a: PreviewView | null, b: PreviewView): boolean {
  return a !== null && a.sha256 === b.sha256 && a.builtAt === b.builtAt && a.guard.ok === b.guard.ok && a.omitted.length === b.omitted.length;
}

export interface StoreOptions {
  link?: (listener: (state: LinkState) => void) => () => void;
  /** Persists "the locked wizard was acknowledged" (best effort; per browser profile). */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
}

const ACK_KEY = 'candor.lockAcknowledged';

export function createCandorStore(api: CandorApi, options: StoreOptions = {}): StoreApi<CandorState> {
  const cleanups: Array<() => void> = [];
  /** Counts the previews pushed by the agent: an answer to a read that began before a push is older than it. */
  let previewsPushed = 0;

  const store = createStore<CandorState>()((set, get) => {
    const history = createHistoryCache(api, { get: () => get().history, set: (cache) => set({ history: cache }) });

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
        case 'history':
          history.onEntry(event.entry);
          break;
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
        history.dispose();
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

      ensureHistoryRange: (start, end) => history.ensureRange(start, end),
      loadAllHistory: () => history.loadAll(),
      reloadHistory: () => history.reload(),
      searchHistory: (filter) => history.search(filter),
    };
  });
  return store;
}
