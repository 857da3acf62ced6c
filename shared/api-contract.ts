/**
 * The one API contract between the agent and every user interface.
 *
 * The CLI calls the agent through it directly; the Electron preload bridge and the headless web
 * server expose it unchanged (one method = one IPC channel or one POST route); the renderer only
 * ever sees `CandorApi`. Inputs are validated at runtime on the agent's side of every transport
 * with `API_INPUTS`, made from the same schema language as the payload.
 */
import { s, optional, validate, type Infer, type SchemaNode, type FieldInfo } from './schema/dsl';
import { POLICY_CATEGORIES, type LevelName, type PolicyCategory } from './schema/levels';

export type { LevelName, PolicyCategory };

export type ShellKind = 'desktop' | 'headless';

// ---------------------------------------------------------------------------------------------
// Consent

/** Which setting made the current decision, most authoritative first. */
export type ConsentDecider = 'cli-flag' | 'environment' | 'config-file' | 'wizard' | 'default';

/** The stored answer: reports leave (`share`), are built and kept here only (`local`), or nothing (`decline`). */
export type StoredChoice = 'share' | 'decline' | 'local';

export type PauseReason =
  /** Desktop: nothing is sent until the first-run wizard is answered. */
  | 'awaiting-answer'
  /** Headless without an answer: the first report waits after first start so the notice can be read. */
  | 'headless-grace'
  /** This version can send fields the user has not approved yet. */
  | 'new-fields';

export interface ConsentState {
  /** Whether reports may leave this machine at all (before pauses). */
  sharing: boolean;
  /**
   * How much: `full`, `basic` or `custom` (some other set of categories) when reports leave;
   * `local` when the daily report is built and kept in the history only; `off` when nothing is built.
   */
  level: LevelName;
  /** The policy categories a report carries at this level (kept locally at `local`; none at `off`). */
  categories: PolicyCategory[];
  decidedBy: ConsentDecider;
  /** True when a config-level setting decided; the UI cannot change it. */
  locked: boolean;
  /** Human description of the deciding setting, e.g. "DO_NOT_TRACK=1 in the environment". */
  decidedByLabel: string;
  /** The wizard's stored answer, if any (kept even while a config setting overrides it). */
  storedChoice: StoredChoice | null;
  /** The categories stored with that answer (all four when none were chosen). */
  storedCategories: PolicyCategory[];
  /** Set while sharing is on but sending is held back. */
  paused: { reason: PauseReason; until?: string; fields?: string[] } | null;
}

// ---------------------------------------------------------------------------------------------
// Sources and schedule

export type SourceName = 'server' | 'server-config' | 'uptime' | 'host' | 'filesystems';
export interface SourceHealth {
  source: SourceName;
  state: 'ok' | 'partial' | 'failed' | 'skipped';
  /**
   * A fixed explanation, never raw error text. For `bad-url` it quotes the user's own mistyped
   * address, so it is for the user's screen only: never logged, never sent.
   */
  message: string;
  /** Machine-readable cause, e.g. `unauthorized`, `unreachable`, `not-admin`. */
  code?: string;
  /** Payload fields left out because of this source. */
  omitted?: string[];
}

/**
 * Where the music server runs, as decided at the last reading of it: facts about a machine (its
 * OS, processors, memory, filesystems) are sent only when it runs on this one.
 */
export interface ServerLocationView {
  where: 'this-machine' | 'another-machine' | 'unknown';
  /**
   * What decided it: the address (loopback, one of this machine's own, another), the server's process
   * seen here, its config file read here when no address is set, or why it could not be told.
   */
  basis: 'loopback' | 'own-address' | 'server-process' | 'config-file' | 'other-address' | 'mixed-addresses' | 'unresolved' | 'no-server';
  /** One sentence: "The server runs on this machine (its address is one of this machine's own)." */
  message: string;
  /** When not on this machine: what is not sent, and how to include it. */
  advice?: string;
}

export type ErrorClass =
  | 'timeout'
  | 'unreachable'
  | 'dns'
  | 'connection-reset'
  | 'tls'
  | 'http-4xx'
  | 'http-5xx'
  | 'rate-limited'
  | 'refused-by-guard'
  | 'invalid-endpoint'
  /** The sender stopped before an answer came: the collector may have stored the report. */
  | 'no-answer'
  /** Nothing left: the music server could not be read, and a report without it is never sent (see `REQUIRED_FIELDS`). */
  | 'server-not-read'
  /** The collector answered 2xx, but its receipt (the sha256 of what it received) is not the sha256 of what was sent. */
  | 'receipt-mismatch'
  | 'unexpected';

export interface AttemptResult {
  at: string;
  ok: boolean;
  status?: number;
  errorClass?: ErrorClass;
  /** One line, fixed wording per error class: safe to show, log and store. */
  message: string;
}

export interface ScheduleState {
  nextDueAt: string | null;
  lastSuccessAt: string | null;
  lastAttempt: AttemptResult | null;
  consecutiveFailures: number;
}

/** Which process keeps the daily schedule: exactly one at a time on a data folder. */
export interface SchedulerView {
  /** `keeper`: this process; `standby`: another one does (or will, when it can); `stopped`: this process does not run a schedule. */
  role: 'keeper' | 'standby' | 'stopped';
  /** The process keeping the schedule now, if any. */
  keptBy: { label: string; pid: number; since: string } | null;
}

// ---------------------------------------------------------------------------------------------
// Status, settings

export type SecretStorageKind = 'os-keychain' | 'private-file' | 'config-file' | 'none';

export interface SettingsView {
  server: {
    url: string | null;
    username: string | null;
    configFile: string | null;
    passwordStorage: SecretStorageKind;
    /** A password is stored for this very address (it is never sent to another): when false, the UI asks for it. */
    passwordForThisServer: boolean;
  };
  endpoint: string;
  historyRetentionDays: number;
  /** Settings fixed by the config file or environment, by key (e.g. `endpoint`), with the deciding setting. */
  fixedBy: Record<string, string>;
}

export interface AgentStatus {
  shell: ShellKind;
  agentVersion: string;
  instanceId: string | null;
  consent: ConsentState;
  schedule: ScheduleState;
  scheduler: SchedulerView;
  sources: SourceHealth[];
  /** Where the server runs, as decided at the last reading of it; null before the first. */
  serverLocation: ServerLocationView | null;
  settings: SettingsView;
  /** Problems the user should know about that did not stop the agent (corrupt file set aside, read-only folder…). */
  warnings: string[];
  /**
   * Why the data folder cannot be written now, naming it ("the data folder /srv/candor is read-only"):
   * nothing can be saved or sent meanwhile, so no shell offers an answer that could not be kept.
   */
  cannotWrite?: string;
}

// ---------------------------------------------------------------------------------------------
// Preview and history

export interface FieldChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

export interface PreviewView {
  /** The exact bytes the next report would send. */
  text: string;
  sha256: string;
  size: number;
  builtAt: string;
  /** Differences from the last report actually sent (empty when nothing was sent yet). */
  changesSinceLastSent: FieldChange[] | null;
  /** Fields left out, and why. */
  omitted: Array<{ path: string; reason: string }>;
  /** Verdict of the privacy guard on these bytes. */
  guard: { ok: true } | { ok: false; field: string; reason: string };
  /** Which machine the report's machine facts describe, or why they are left out. */
  serverLocation: ServerLocationView;
}

export const TRIGGERS = ['schedule', 'manual', 'retry', 'export'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** What became of an attempt (see `HistorySummary.outcome`); a history line with any other is not an entry (history/history-line.ts). */
export const OUTCOMES = ['sent', 'failed', 'refused', 'no-answer', 'not-sent', 'sending', 'kept-locally', 'exported'] as const;
export type HistoryOutcome = (typeof OUTCOMES)[number];

export interface HistorySummary {
  id: string;
  at: string;
  trigger: Trigger;
  /** How much the report carried, as chosen then (entries from before levels existed have none: they were `full`). */
  level?: LevelName;
  categories?: PolicyCategory[];
  endpoint: string;
  sha256: string;
  size: number;
  durationMs: number;
  /**
   * `no-answer`: the request left but no answer came (timeout, cut connection, or Candor stopped):
   * the collector may have stored it. `sending`: on the wire right now, in some Candor process.
   * `kept-locally`: built at the `local` level and kept here only. `exported`: written to a file
   * for a machine without internet (`candor export`). `not-sent`: nothing left because the music
   * server could not be read (a report must carry `REQUIRED_FIELDS`); `message` gives the cause in words.
   */
  outcome: HistoryOutcome;
  status?: number;
  errorClass?: ErrorClass;
  message: string;
  /**
   * The collector's receipt: the sha256 of the bytes it says it received (its 2xx answer's
   * `sha256`). Absent when it gave none (Navidrome's collector does not). A receipt that differs
   * from `sha256` makes the attempt `failed` (`receipt-mismatch`), never `sent`.
   */
  receipt?: string;
  /** A few library counts from the body, for charts over time. */
  counts?: { tracks?: number; albums?: number; artists?: number };
}

export interface HistoryEntry extends HistorySummary {
  /** The exact bytes sent (or that would have been sent, for refused attempts). */
  body: string;
}

/**
 * What a history search may ask for; every part is optional and the parts combine (AND). Outcomes
 * are grouped as people ask for them (history-filter.ts): `failed` includes attempts that got no
 * answer and receipt mismatches; `not-sent` includes reports the privacy guard refused.
 */
export const OUTCOME_FILTERS = ['sent', 'failed', 'not-sent', 'exported', 'kept-locally'] as const;
export type OutcomeFilter = (typeof OUTCOME_FILTERS)[number];
/** The levels an entry can have been made at (nothing is built at `off`). */
export const ENTRY_LEVELS = ['full', 'basic', 'custom', 'local'] as const;
export type EntryLevel = (typeof ENTRY_LEVELS)[number];

export interface HistoryFilter {
  /** Any of these outcomes (none or absent: any outcome). */
  outcomes?: OutcomeFilter[];
  /** Any of these levels (entries from before levels existed are `full`). */
  levels?: EntryLevel[];
  /** From this instant on (ISO 8601, inclusive). */
  since?: string;
  /** Up to this instant (ISO 8601, inclusive). */
  until?: string;
  /** Text inside the exact bytes, any case. */
  text?: string;
}

export interface HistoryPage {
  /** Entries that match the filter (all of them without one). */
  total: number;
  offset: number;
  entries: HistorySummary[];
  /** Entries in the history, whatever the filter. */
  unfiltered: number;
  /** Of the entries that match everything but the outcomes asked for, how many fall in each outcome group. */
  outcomes: Record<OutcomeFilter, number>;
  /** Why the history file is not read at all (a FIFO, a device or a huge file at its name): the page is then empty. */
  unreadable?: string;
}

export interface ConnectionCheck {
  name: 'reach' | 'login' | 'admin' | 'library' | 'config' | 'uptime';
  state: 'ok' | 'failed' | 'skipped';
  message: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  serverType?: string;
  serverVersion?: string;
  checks: ConnectionCheck[];
  /** Where the tested server runs, when it answered. */
  location?: ServerLocationView;
}

export interface SendOutcome {
  ok: boolean;
  message: string;
  entry?: HistorySummary;
}

/** A report written to a file for a machine without internet (`candor export`). */
export interface ExportedReport {
  /** A file name to suggest: `candor-report-<date>-<sha256 prefix>.json`. */
  fileName: string;
  /** The file's exact contents: the report's bytes, their sha256, the level and categories. */
  text: string;
  sha256: string;
  level: LevelName;
  entry: HistorySummary;
}

export interface DeletionOutcome {
  ok: boolean;
  message: string;
  /** How many anonymous ids (this one and earlier ones still within the collector's retention) were asked about. */
  ids: number;
}

/** One report the collector holds under one of this machine's anonymous ids, compared with the local history. */
export interface HeldReportCheck {
  instanceId: string;
  /** The UTC day it is stored under (YYYY-MM-DD). */
  day: string;
  /** The collector's receipt for it; null for a report stored before the collector kept receipts. */
  sha256: string | null;
  /** When the collector will delete it (absent for a report stored under another key: the collector does not say). */
  expiresAt?: string;
  /**
   * `sent-from-here`: the bytes of a history entry that left this machine (sent, exported, or an
   * attempt that got no answer). `not-from-here`: no entry of this machine has these bytes (someone
   * who knows the id sent it, or the row is damaged). `different-bytes`: the receipt a failed attempt
   * got: the collector keeps bytes other than those sent.
   */
  verdict: 'sent-from-here' | 'not-from-here' | 'different-bytes';
  /** The history entry it matches. */
  entry?: { id: string; at: string; outcome: HistoryOutcome };
  /** Stored under this machine's key (false: under another key, or none). */
  ownKey: boolean;
}

/** A report sent from here (within the collector's retention) that the collector does not hold. */
export interface MissingReportCheck {
  entry: { id: string; at: string; outcome: HistoryOutcome; sha256: string };
  /** `replaced`: a later report of the same UTC day took its place (newest wins); `missing`: deleted or never stored. */
  reason: 'replaced' | 'missing';
}

/** `candor verify`: what the collector holds about this machine, compared with the local history. */
export interface VerifyReport {
  /** True when the collector answered for every id and everything it holds was sent from here. */
  ok: boolean;
  /** Every part of the finding, in words: the first line is the verdict. */
  message: string;
  endpoint: string;
  checkedAt: string;
  /** Anonymous ids asked about (this one and earlier ones still within the collector's retention). */
  ids: number;
  /** Whether the collector could be asked: `unsupported` when it offers no such check (Navidrome's). */
  asked: 'answered' | 'unreachable' | 'unsupported' | 'nothing-to-ask';
  held: HeldReportCheck[];
  missing: MissingReportCheck[];
}

export interface LocalServerGuess {
  url: string;
  serverType?: string;
}

export type AgentEvent = { type: 'status'; status: AgentStatus } | { type: 'preview'; preview: PreviewView } | { type: 'history'; entry: HistorySummary };

// ---------------------------------------------------------------------------------------------
// Runtime-validated inputs

const text = (max: number) => s.string(/^[^\u0000-\u001f\u007f]*$/, max);
const categoryList = () => s.array(s.enum(POLICY_CATEGORIES), POLICY_CATEGORIES.length);
/** Which categories to show the report for (by default: those of the current choice). */
const previewChoice = () => s.object({ categories: optional(categoryList()) });
const instant = () => s.string(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/, 40);
const historyFilter = () =>
  s.object({
    outcomes: optional(s.array(s.enum(OUTCOME_FILTERS), OUTCOME_FILTERS.length)),
    levels: optional(s.array(s.enum(ENTRY_LEVELS), ENTRY_LEVELS.length)),
    since: optional(instant()),
    until: optional(instant()),
    text: optional(text(256)),
  });

export const API_INPUTS = {
  getStatus: null,
  getPreview: optional(previewChoice()),
  refreshPreview: optional(previewChoice()),
  getFieldCatalog: null,
  listHistory: s.object({ offset: s.int(0, 10_000_000), limit: s.int(1, 1000), filter: optional(historyFilter()) }),
  getHistoryEntry: s.object({ id: s.string(/^[A-Za-z0-9_-]{1,64}$/, 64) }),
  exportHistory: null,
  setConsent: s.object({ choice: s.enum(['share', 'decline', 'local']), categories: optional(categoryList()) }),
  approveFields: s.object({ fields: s.array(s.string(/^[A-Za-z0-9_.]{1,128}$/, 128), 1000) }),
  sendNow: null,
  exportReport: optional(previewChoice()),
  deleteRemoteData: null,
  verifyRemoteData: null,
  resetInstanceId: null,
  updateSettings: s.object({
    server: optional(
      s.object({
        url: optional(text(2048)),
        username: optional(text(256)),
        /** Write-only: never returned by any method. Empty string removes the stored password. */
        password: optional(text(1024)),
        configFile: optional(text(4096)),
      }),
    ),
    endpoint: optional(text(2048)),
    historyRetentionDays: optional(s.int(1, 3650)),
  }),
  testConnection: s.object({ url: text(2048), username: text(256), password: optional(text(1024)) }),
  detectLocalServer: null,
} as const satisfies Record<string, SchemaNode | null>;

export type ApiMethod = keyof typeof API_INPUTS;
type InputOf<N> = N extends SchemaNode ? Infer<N> : void;
export type ApiInput<M extends ApiMethod> = InputOf<(typeof API_INPUTS)[M]>;

interface ApiOutputs {
  getStatus: AgentStatus;
  getPreview: PreviewView;
  refreshPreview: PreviewView;
  getFieldCatalog: FieldInfo[];
  listHistory: HistoryPage;
  getHistoryEntry: HistoryEntry;
  exportHistory: string;
  setConsent: AgentStatus;
  approveFields: AgentStatus;
  sendNow: SendOutcome;
  exportReport: ExportedReport;
  deleteRemoteData: DeletionOutcome;
  verifyRemoteData: VerifyReport;
  resetInstanceId: AgentStatus;
  updateSettings: AgentStatus;
  testConnection: ConnectionTestResult;
  detectLocalServer: LocalServerGuess | null;
}
export type ApiOutput<M extends ApiMethod> = ApiOutputs[M];

/** What every shell exposes and the renderer consumes. */
export type CandorApi = {
  [M in ApiMethod]: ApiInput<M> extends void
    ? () => Promise<ApiOutput<M>>
    : (typeof API_INPUTS)[M] extends { optional: true }
      ? (input?: ApiInput<M>) => Promise<ApiOutput<M>>
      : (input: ApiInput<M>) => Promise<ApiOutput<M>>;
} & {
  /** Live state pushed by the agent. Returns a function that unsubscribes. */
  subscribe(listener: (event: AgentEvent) => void): () => void;
};

export const API_METHODS = Object.keys(API_INPUTS) as ApiMethod[];

export function isApiMethod(name: string): name is ApiMethod {
  return Object.hasOwn(API_INPUTS, name);
}

// ---------------------------------------------------------------------------------------------
// Errors cross every transport as data and are rebuilt as `ApiError` on the other side.

export type ApiErrorCode = 'invalid-input' | 'unknown-method' | 'not-found' | 'locked' | 'unavailable' | 'internal';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type ApiEnvelope<T> = { ok: true; result: T } | { ok: false; error: { code: ApiErrorCode; message: string } };

/** Checks a method name and its input at a transport boundary; throws `ApiError('invalid-input')`. */
export function checkApiInput(method: string, input: unknown): { method: ApiMethod; input: unknown } {
  if (!isApiMethod(method)) throw new ApiError('unknown-method', `unknown method ${JSON.stringify(method).slice(0, 64)}`);
  const node = API_INPUTS[method];
  if (node === null) {
    if (input !== undefined && input !== null) throw new ApiError('invalid-input', `${method} takes no input`);
    return { method, input: undefined };
  }
  if (node.optional && (input === undefined || input === null)) return { method, input: undefined };
  const result = validate(node, input, { unknownKeys: 'reject', maxDepth: 4 });
  if (!result.ok) throw new ApiError('invalid-input', `${method}: ${result.path || 'input'} ${result.reason}`);
  return { method, input: result.value };
}

/** Runs a call and wraps its result or error for a transport. */
export async function toEnvelope<T>(run: () => Promise<T>): Promise<ApiEnvelope<T>> {
  try {
    return { ok: true, result: await run() };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: { code: error.code, message: error.message } };
    // Unexpected errors may carry paths or addresses: never forward their text.
    return { ok: false, error: { code: 'internal', message: 'internal error (see the Candor log)' } };
  }
}

export function fromEnvelope<T>(envelope: ApiEnvelope<T>): T {
  if (envelope.ok) return envelope.result;
  throw new ApiError(envelope.error.code, envelope.error.message);
}

/** Calls the agent by method name: the one dispatcher every transport uses. */
export async function dispatch(api: CandorApi, method: string, input: unknown): Promise<unknown> {
  const checked = checkApiInput(method, input);
  const fn = api[checked.method] as (input?: unknown) => Promise<unknown>;
  return fn.call(api, checked.input);
}
