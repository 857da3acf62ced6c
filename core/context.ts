import type { ShellKind } from '../shared/api-contract';
import type { Switch } from './consent/switch';
import type { EventHub, Notices } from './events';
import type { HistoryStore } from './history/history-store';
import type { HttpClient } from './net/http-client';
import type { Clock, Logger, Random } from './platform';
import type { SourceSet } from './sources/source-set';
import type { ScheduleOptions } from './schedule/schedule';
import type { ConfigSource } from './settings/config-source';
import type { DeletionKeys } from './state/deletion-keys';
import type { SecretStore } from './settings/secret-store';
import type { StateStore } from './state/state-store';
import type { LockProvider } from './storage/file-lock';
import type { FolderLock } from './storage/folder-lock';
import type { ProcessIdentity } from './storage/process-identity';

/** What the agent is given: everything from the outside world, so tests can drive it. */
export interface AgentDeps {
  home: string;
  shell: ShellKind;
  /** How this process is named to other processes: "candor run", "candor serve", "the desktop app". */
  processLabel?: string;
  env: Record<string, string | undefined>;
  /** `--share` / `--no-share` (or `--share=<value>`). */
  cliShare?: Switch;
  /** Candor's config file, read at each decision (a stat; parsed again only when it changed). */
  config: ConfigSource;
  clock: Clock;
  random: Random;
  logger: Logger;
  http: HttpClient;
  sources?: SourceSet;
  secrets?: SecretStore;
  /** The cross-process lock kind; the OS lock by default. */
  locks?: LockProvider;
  schedule?: Partial<ScheduleOptions>;
  /** How often a standby process tries to take over the schedule, and how often the folder is re-checked when file watching is unavailable. */
  pollMs?: { lease?: number; folder?: number };
  /** Off in tests that prove the stat fallback works alone. */
  watchFiles?: boolean;
  agentVersion?: string;
}

/** The shared pieces every part of the agent works with. */
export interface AgentContext {
  deps: AgentDeps;
  lock: FolderLock;
  store: StateStore;
  history: HistoryStore;
  events: EventHub;
  notices: Notices;
  deletionKeys: DeletionKeys;
  /** This process, as lock and lease holders are named. */
  owner(): ProcessIdentity;
}
