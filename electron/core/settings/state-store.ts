import { promises as fs, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { s, optional, validate, type Infer } from '../schema/dsl';

/**
 * Everything the agent remembers between runs, in one versioned JSON file written atomically by
 * `conf` (the library electron-store is built on; the desktop shell passes an electron-store
 * instance with the same API). Validated on load; a damaged file is set aside and reported, never
 * a crash; a read-only folder keeps working in memory and says so.
 */
export const STATE_VERSION = 2;

const instant = s.object({ wall: s.int(0, Number.MAX_SAFE_INTEGER), bootId: s.string(/^[\x20-\x7e]{1,80}$/, 80), sinceBoot: s.int(0, Number.MAX_SAFE_INTEGER) });
const attempt = s.object({
  at: s.string(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/, 32),
  ok: s.bool(),
  status: optional(s.int(100, 599)),
  errorClass: optional(s.string(/^[a-z0-9-]{1,32}$/, 32)),
  message: s.string(/^[^\u0000-\u001f]{0,200}$/, 200),
});
const scheduleRecord = s.object({
  lastSuccess: optional(instant),
  lastSeen: optional(s.object({ at: instant, sinceSuccess: s.int(0, Number.MAX_SAFE_INTEGER) })),
  nextDueAt: optional(s.int(0, Number.MAX_SAFE_INTEGER)),
  consecutiveFailures: s.int(0, 1_000_000),
  lastAttempt: optional(attempt),
});
const anyText = (max: number) => s.string(/^[^\u0000-\u001f]*$/, max);

export const stateSchema = s.object({
  version: s.int(STATE_VERSION, STATE_VERSION),
  instanceId: optional(s.string(/^[0-9a-f-]{36}$/, 36)),
  firstStartAt: s.int(0, Number.MAX_SAFE_INTEGER),
  consent: s.object({
    choice: optional(s.enum(['share', 'decline'])),
    answeredAt: optional(s.int(0, Number.MAX_SAFE_INTEGER)),
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
  }),
});

export type PersistedState = Infer<typeof stateSchema>;

export function freshState(now: number): PersistedState {
  return { version: STATE_VERSION, firstStartAt: now, consent: {}, schedules: {}, settings: { historyRetentionDays: 365 } };
}

/** One step per old version, applied in order; each takes the previous shape and returns the next. */
const MIGRATIONS: Record<number, (old: Record<string, any>) => Record<string, any>> = {
  // v1 kept a single `schedule` and a boolean `sharing`; v2 keys schedules by server and stores the wizard's answer.
  1: (old) => ({
    ...old,
    version: 2,
    consent: { ...(typeof old.sharing === 'boolean' ? { choice: old.sharing ? 'share' : 'decline' } : {}), ...(old.consent ?? {}) },
    schedules: old.schedules ?? {},
    sharing: undefined,
    schedule: undefined,
  }),
};

export function migrate(raw: Record<string, any>): Record<string, any> {
  let current = raw;
  let version = typeof current.version === 'number' ? current.version : 1;
  while (version < STATE_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) break;
    current = JSON.parse(JSON.stringify(step(current)));
    version = current.version;
  }
  return current;
}

/** The store API shared by `conf` and electron-store. */
export interface BackingStore {
  store: Record<string, unknown>;
}

export interface StateStoreOptions {
  dir: string;
  now: () => number;
  /** The desktop shell passes an electron-store here; headless uses `conf`. */
  createBacking?: (dir: string) => BackingStore;
}

export class StateStore {
  private state: PersistedState;
  readonly warnings: string[] = [];
  private backing: BackingStore | null = null;

  constructor(private readonly options: StateStoreOptions) {
    this.state = this.load();
  }

  get file(): string {
    return path.join(this.options.dir, 'state.json');
  }

  private load(): PersistedState {
    const now = this.options.now();
    let raw: unknown = undefined;
    let damaged = false;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') damaged = true;
    }
    let state: PersistedState | null = null;
    if (raw !== undefined && !damaged) {
      const checked = validate(stateSchema, migrate(raw as Record<string, any>), { unknownKeys: 'drop' });
      if (checked.ok) state = checked.value;
      else damaged = true;
    }
    if (damaged) {
      const aside = `${this.file}.damaged-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
      try {
        renameSync(this.file, aside);
        this.warnings.push(`The settings file was damaged; it was set aside as ${path.basename(aside)} and fresh settings were started. Please answer the sharing question again.`);
      } catch {
        this.warnings.push('The settings file is damaged and could not be set aside; fresh settings are used in memory.');
      }
      state = freshState(now);
      state.consent.mustAskAgain = true;
    }
    state ??= freshState(now);
    try {
      this.backing = (this.options.createBacking ?? defaultBacking)(this.options.dir);
      // A copy: the store library may add its own keys to the object it is given.
      this.backing.store = structuredClone(state) as unknown as Record<string, unknown>;
    } catch {
      this.backing = null;
      this.warnings.push('The data folder is not writable: settings are kept in memory only and will be lost when Candor stops.');
    }
    return state;
  }

  get(): PersistedState {
    return this.state;
  }

  /** Applies a change and persists it; on a write failure the change still holds in memory. */
  update(change: (draft: PersistedState) => void): PersistedState {
    const draft = structuredClone(this.state);
    change(draft);
    const checked = validate(stateSchema, draft, { unknownKeys: 'reject' });
    if (!checked.ok) throw new Error(`invalid state change at ${checked.path}: ${checked.reason}`);
    this.state = checked.value;
    if (this.backing) {
      try {
        this.backing.store = structuredClone(this.state) as unknown as Record<string, unknown>;
      } catch {
        this.backing = null;
        this.warnings.push('The data folder became read-only: settings changes are kept in memory only.');
      }
    }
    return this.state;
  }
}

function defaultBacking(dir: string): BackingStore {
  return new Conf<Record<string, unknown>>({ cwd: dir, configName: 'state', clearInvalidConfig: false, projectName: 'candor' });
}

/**
 * Replaces (or, with null, removes) a file only its owner can read: written beside it and renamed,
 * so a crash leaves the old secret or the new one, never half of one.
 */
export async function writePrivateFile(dir: string, file: string, data: string | Uint8Array | null): Promise<void> {
  if (data === null) {
    await fs.rm(file, { force: true });
    return;
  }
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${file}.tmp`;
  await fs.writeFile(temp, data, { mode: 0o600 });
  await fs.rename(temp, file);
}

/** Where secrets live when the platform offers nothing better: a file only the owner can read. */
export interface SecretStore {
  kind: 'os-keychain' | 'private-file';
  get(): Promise<string | null>;
  set(secret: string | null): Promise<void>;
}

export function privateFileSecretStore(dir: string): SecretStore {
  const file = path.join(dir, 'server-password');
  return {
    kind: 'private-file',
    async get() {
      try {
        return (await fs.readFile(file, 'utf8')).replace(/\r?\n$/, '') || null;
      } catch {
        return null;
      }
    },
    set: (secret) => writePrivateFile(dir, file, secret || null),
  };
}
