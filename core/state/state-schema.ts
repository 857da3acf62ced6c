import { s, optional, type Infer } from '../../shared/schema/dsl';
import { POLICY_CATEGORIES } from '../../shared/schema/levels';

/**
 * The shape of `state.json`: everything the agent remembers between runs, shared by every process
 * that uses the data folder. Versioned; older files are migrated on read.
 */
export const STATE_VERSION = 3;

const WALL_MS = s.int(0, Number.MAX_SAFE_INTEGER);
const instant = s.object({ wall: WALL_MS, bootId: s.string(/^[\x20-\x7e]{1,80}$/, 80), sinceBoot: WALL_MS });
const attempt = s.object({
  at: s.string(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/, 32),
  ok: s.bool(),
  status: optional(s.int(100, 599)),
  errorClass: optional(s.string(/^[a-z0-9-]{1,32}$/, 32)),
  message: s.string(/^[^\u0000-\u001f]{0,200}$/, 200),
});
const scheduleRecord = s.object({
  lastSuccess: optional(instant),
  lastSeen: optional(s.object({ at: instant, sinceSuccess: WALL_MS })),
  nextDueAt: optional(WALL_MS),
  consecutiveFailures: s.int(0, 1_000_000),
  lastAttempt: optional(attempt),
  /** A report on the wire right now, and who sent it: a crash leaves it here as a possible delivery. */
  inFlight: optional(
    s.object({
      id: s.string(/^[A-Za-z0-9_-]{1,64}$/, 64),
      at: instant,
      pid: s.int(0, 4_294_967_295),
      startTicks: optional(s.int(0, Number.MAX_SAFE_INTEGER)),
    }),
  ),
  /** Attempts whose answer never came (the collector may have stored them), since the last success. */
  unanswered: optional(s.array(instant, 16)),
});
const anyText = (max: number) => s.string(/^[^\u0000-\u001f]*$/, max);

export const stateSchema = s.object({
  version: s.int(STATE_VERSION, STATE_VERSION),
  instanceId: optional(s.string(/^[0-9a-f-]{36}$/, 36)),
  /** When `candor run`, `candor serve` or the desktop app first started: the headless grace period counts from it. */
  firstStartAt: optional(WALL_MS),
  consent: s.object({
    /** `share`: reports leave; `local`: built daily and kept here only; `decline`: nothing is built. */
    choice: optional(s.enum(['share', 'decline', 'local'])),
    /** With `share` or `local`: the policy categories chosen (none stored: all four). */
    categories: optional(s.array(s.enum(POLICY_CATEGORIES), POLICY_CATEGORIES.length)),
    answeredAt: optional(WALL_MS),
    approvedFields: optional(s.array(s.string(/^[A-Za-z0-9_.]{1,128}$/, 128), 1000)),
    /** Set when a damaged file lost the answer: ask again rather than fall back to the default. */
    mustAskAgain: optional(s.bool()),
  }),
  /** Per server (keyed by a local hash of its address): the daily rule is per server. */
  schedules: s.map(/^[0-9a-f]{16}$/, scheduleRecord, 64),
  settings: s.object({
    serverUrl: optional(anyText(2048)),
    serverUsername: optional(anyText(256)),
    serverConfigFile: optional(anyText(4096)),
    endpoint: optional(anyText(2048)),
    historyRetentionDays: s.int(1, 3650),
    /** The origin (scheme://host:port) the stored password was typed for: it is sent nowhere else. */
    passwordOrigin: optional(anyText(2048)),
    /** When the stored password last changed, so every process reads the new one. */
    passwordSavedAt: optional(WALL_MS),
  }),
  /**
   * The process keeping the schedule, and the earliest it sends (its start-up delay or take-over
   * wait): every process shows the next report at the time it will really go.
   */
  keeper: optional(
    s.object({
      notBefore: WALL_MS,
      pid: s.int(0, 4_294_967_295),
      bootId: s.string(/^[\x20-\x7e]{1,80}$/, 80),
      startTicks: optional(s.int(0, Number.MAX_SAFE_INTEGER)),
    }),
  ),
  /** The name a damaged settings file was set aside under, until the question is answered again. */
  setAsideAs: optional(s.string(/^state\.json\.damaged-[0-9A-Za-z-]{1,40}$/, 64)),
});

export type PersistedState = Infer<typeof stateSchema>;
export type PersistedSchedule = PersistedState['schedules'][string];

/** What an empty or missing file means: nothing answered, nothing sent. */
export function freshState(): PersistedState {
  return { version: STATE_VERSION, consent: {}, schedules: {}, settings: { historyRetentionDays: 365 } };
}

/** A state file of some older version, before it is checked: any shape at all. */
type RawState = Record<string, unknown>;

/** One step per old version, applied in order; each takes the previous shape and returns the next. */
const MIGRATIONS: Record<number, (old: RawState) => RawState> = {
  // v1 kept a single `schedule` and a boolean `sharing`; v2 keys schedules by server and stores the wizard's answer.
  1: (old) => ({
    ...old,
    version: 2,
    consent: { ...(typeof old.sharing === 'boolean' ? { choice: old.sharing ? 'share' : 'decline' } : {}), ...(isObject(old.consent) ? old.consent : {}) },
    schedules: old.schedules ?? {},
    sharing: undefined,
    schedule: undefined,
  }),
  // v3 adds the `local` answer and the chosen categories; a v2 answer means what it meant (all four).
  2: (old) => ({ ...old, version: 3 }),
};

export function migrate(raw: RawState): RawState {
  let current = raw;
  let version = typeof current.version === 'number' ? current.version : 1;
  while (version < STATE_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) break;
    current = JSON.parse(JSON.stringify(step(current))) as RawState;
    version = typeof current.version === 'number' ? current.version : STATE_VERSION;
  }
  return current;
}

function isObject(value: unknown): value is RawState {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * From a file that failed validation, the one answer that must survive: a "no". Anything else is
 * asked again; a "yes" is never assumed from a damaged file.
 */
export function salvageDecline(raw: unknown, text: string): boolean {
  if (raw && typeof raw === 'object') {
    const value = raw as { consent?: { choice?: unknown }; sharing?: unknown };
    if (value.consent && typeof value.consent === 'object' && value.consent.choice === 'decline') return true;
    if (value.sharing === false) return true;
  }
  return /"choice"\s*:\s*"decline"/.test(text) || /"sharing"\s*:\s*false/.test(text);
}
