import type { AgentEvent, AgentStatus, CandorApi, ConsentState, ScheduleState } from '../../../shared/api-contract';
import type { LogLevel, Logger } from '../../../core/platform';
import { POLICY_CATEGORIES, PRESETS } from '../../../shared/schema/levels';

/** An agent status with sensible defaults: sharing on, answered in the wizard, one good send. */
export function agentStatus(overrides: { consent?: Partial<ConsentState>; schedule?: Partial<ScheduleState> } = {}): AgentStatus {
  return {
    shell: 'desktop',
    agentVersion: '0.1.0',
    instanceId: '0b7e6f1c-8a51-4c6f-a0f5-3d0f0f7a9b21',
    consent: {
      sharing: true,
      level: 'full',
      categories: [...POLICY_CATEGORIES],
      decidedBy: 'wizard',
      locked: false,
      decidedByLabel: 'your answer in Candor',
      storedChoice: 'share',
      storedCategories: [...POLICY_CATEGORIES],
      paused: null,
      ...overrides.consent,
    },
    schedule: {
      nextDueAt: '2026-01-02T12:30:00.000Z',
      lastSuccessAt: '2026-01-01T12:00:00.000Z',
      lastAttempt: { at: '2026-01-01T12:00:00.000Z', ok: true, status: 204, message: 'accepted (HTTP 204)' },
      consecutiveFailures: 0,
      ...overrides.schedule,
    },
    scheduler: { role: 'keeper', keptBy: { label: 'the desktop app', pid: 4242, since: '2026-01-01T11:00:00.000Z' } },
    sources: [],
    serverLocation: null,
    settings: {
      server: { url: null, username: null, configFile: null, passwordStorage: 'none', passwordForThisServer: false },
      endpoint: 'https://insights.navidrome.org/collect',
      historyRetentionDays: 365,
      fixedBy: {},
    },
    warnings: [],
  };
}

export const STATUSES = {
  on: agentStatus(),
  off: agentStatus({ consent: { sharing: false, level: 'off', categories: [], storedChoice: 'decline' }, schedule: { nextDueAt: null } }),
  basic: agentStatus({ consent: { level: 'basic', categories: [...PRESETS.basic], storedCategories: [...PRESETS.basic] } }),
  local: agentStatus({ consent: { sharing: false, level: 'local', storedChoice: 'local' }, schedule: { lastSuccessAt: null } }),
  custom: agentStatus({
    consent: { level: 'custom', categories: ['application', 'system', 'library'], storedCategories: ['application', 'system', 'library'] },
  }),
  lockedOff: agentStatus({
    consent: {
      sharing: false,
      level: 'off',
      categories: [],
      decidedBy: 'environment',
      locked: true,
      decidedByLabel: 'DO_NOT_TRACK=1 in the environment',
      storedChoice: 'share',
    },
    schedule: { nextDueAt: null },
  }),
  lockedOn: agentStatus({ consent: { decidedBy: 'config-file', locked: true, decidedByLabel: '[insights] enabled = true in /etc/candor.toml' } }),
  failed: agentStatus({
    schedule: {
      lastAttempt: { at: '2026-01-02T12:31:00.000Z', ok: false, errorClass: 'unreachable', message: 'could not connect' },
      consecutiveFailures: 1,
      nextDueAt: '2026-01-02T12:36:00.000Z',
    },
  }),
  firstRun: agentStatus({
    consent: {
      decidedBy: 'default',
      decidedByLabel: 'the default (sharing is on until you choose)',
      storedChoice: null,
      paused: { reason: 'awaiting-answer' },
    },
    schedule: { nextDueAt: null, lastSuccessAt: null, lastAttempt: null },
  }),
  newFields: agentStatus({ consent: { paused: { reason: 'new-fields', fields: ['os.containerized'] } }, schedule: { nextDueAt: null } }),
} satisfies Record<string, AgentStatus>;

/** A CandorApi that records calls and answers from a status the test controls. */
export function fakeApi(initial: AgentStatus = STATUSES.on) {
  let status = structuredClone(initial);
  const calls: Array<{ method: string; input: unknown }> = [];
  const listeners = new Set<(event: AgentEvent) => void>();
  let releaseSend: (() => void) | null = null;
  const record = (method: string, input?: unknown) => void calls.push({ method, input });
  const api: CandorApi = {
    getStatus: () => (record('getStatus'), Promise.resolve(structuredClone(status))),
    getPreview: () => {
      record('getPreview');
      return Promise.resolve({
        text: '{}',
        sha256: '0'.repeat(64),
        size: 2,
        builtAt: '2026-01-01T00:00:00.000Z',
        changesSinceLastSent: null,
        omitted: [],
        guard: { ok: true },
        serverLocation: { where: 'unknown', basis: 'no-server', message: 'No server is set, so Candor cannot tell which machine it runs on.' },
      });
    },
    refreshPreview: async () => api.getPreview(),
    getFieldCatalog: () => (record('getFieldCatalog'), Promise.resolve([])),
    listHistory: (input) => (
      record('listHistory', input),
      Promise.resolve({
        total: 0,
        offset: input.offset,
        entries: [],
        unfiltered: 0,
        outcomes: { sent: 0, failed: 0, 'not-sent': 0, exported: 0, 'kept-locally': 0 },
      })
    ),
    getHistoryEntry: async (input) => {
      record('getHistoryEntry', input);
      const { ApiError } = await import('../../../shared/api-contract');
      throw new ApiError('not-found', 'No history entry with that id.');
    },
    exportHistory: () => (record('exportHistory'), Promise.resolve('')),
    setConsent: (input) => {
      record('setConsent', input);
      const categories = input.choice === 'decline' ? [] : [...(input.categories ?? PRESETS.full)];
      const level = input.choice === 'decline' ? 'off' : input.choice === 'local' ? 'local' : categories.length === 4 ? 'full' : 'basic';
      const storedCategories = input.choice === 'decline' ? status.consent.storedCategories : categories;
      status = {
        ...status,
        consent: { ...status.consent, sharing: input.choice === 'share', level, categories, storedChoice: input.choice, storedCategories, paused: null },
      };
      return Promise.resolve(structuredClone(status));
    },
    approveFields: (input) => (record('approveFields', input), Promise.resolve(structuredClone(status))),
    sendNow: async () => {
      record('sendNow');
      await new Promise<void>((resolve) => (releaseSend = resolve));
      return { ok: true, message: 'Sent: accepted (HTTP 204).' };
    },
    exportReport: (input) => {
      record('exportReport', input);
      const entry = {
        id: 'x',
        at: '2026-01-01T00:00:00.000Z',
        trigger: 'export' as const,
        endpoint: 'https://insights.navidrome.org/collect',
        sha256: '0'.repeat(64),
        size: 2,
        durationMs: 0,
        outcome: 'exported' as const,
        message: 'written to a file',
      };
      return Promise.resolve({ fileName: 'candor-report.json', text: '{}', sha256: '0'.repeat(64), level: status.consent.level, entry });
    },
    deleteRemoteData: () => (
      record('deleteRemoteData'),
      Promise.resolve({ ok: true, message: 'The collector holds nothing of this machine any more.', ids: 1 })
    ),
    verifyRemoteData: () => (
      record('verifyRemoteData'),
      Promise.resolve({
        ok: true,
        message: 'The collector holds nothing about this machine.',
        endpoint: status.settings.endpoint,
        checkedAt: '2026-01-01T00:00:00.000Z',
        ids: 1,
        asked: 'answered' as const,
        held: [],
        missing: [],
      })
    ),
    resetInstanceId: () => (record('resetInstanceId'), Promise.resolve(structuredClone(status))),
    updateSettings: (input) => (record('updateSettings', input), Promise.resolve(structuredClone(status))),
    testConnection: (input) => (record('testConnection', input), Promise.resolve({ ok: true, checks: [] })),
    detectLocalServer: () => (record('detectLocalServer'), Promise.resolve(null)),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  return {
    api,
    calls,
    listeners,
    setStatus(next: AgentStatus) {
      status = structuredClone(next);
    },
    /** Lets a pending `sendNow` finish. */
    finishSend() {
      releaseSend?.();
      releaseSend = null;
    },
    emit(event: AgentEvent) {
      for (const listener of listeners) listener(event);
    },
  };
}

/** A logger that keeps every line, so tests can assert nothing sensitive is logged. */
export function recordingLogger(): Logger & { lines: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> = [];
  return {
    lines,
    log(level, message, fields) {
      lines.push({ level, message, ...(fields ? { fields } : {}) });
    },
  };
}

/** Lets promise chains finish. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
