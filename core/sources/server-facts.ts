import type { SourceHealth } from '../../shared/api-contract';
import type { SensitiveValue } from './sensitive-value';
import { health, problemMessage, SourceProblem, toProblem, type ProblemCode } from './problems';

export interface ServerConnection {
  url: string;
  username: string;
  password: string;
}

export type LibraryCounts = {
  tracks?: number;
  albums?: number;
  artists?: number;
  playlists?: number;
  shares?: number;
  radios?: number;
  libraries?: number;
  activeUsers?: number;
  activePlayers?: Record<string, number>;
  fileSuffixes?: Record<string, number>;
};

/** A payload field the server could not give, and the true reason for that field alone. */
export interface LeftOutField {
  field: string;
  problem: ProblemCode;
}

/** What the server itself can tell, before any host or config facts are added. */
export interface ServerFacts {
  api: 'native-api' | 'subsonic-api';
  serverType?: string;
  version?: string;
  /** Epoch ms the server process started, when it said so, and how we learned it. */
  startedAt?: number;
  startedAtSource?: 'event-stream' | 'prometheus';
  /** Go's `runtime.MemStats.Sys` of the server process, from its Prometheus metrics (`go_memstats_sys_bytes`): Navidrome's own `mem.sys`. */
  goSysBytes?: number;
  library: LibraryCounts;
  hasSmartPlaylists?: boolean;
  unlistedSuffixTracks?: number;
  /** Navidrome's own configuration as its admin endpoint returns it, if exposed. */
  serverConfig?: Record<string, unknown>;
  configProblem?: ProblemCode;
  uptimeProblem?: ProblemCode;
  /**
   * Each field the server answered without, once, with its own reason (`version`, `library.tracks`,
   * `config.hasSmartPlaylists`…). Empty or absent when the server failed as a whole: then `health`
   * says why.
   */
  leftOut?: LeftOutField[];
  health: SourceHealth;
  /** Every identifying string the server showed us, so the guard can prove none is sent. */
  sensitive: SensitiveValue[];
}

/** How far Candor goes through a large library before leaving a count out (tests shrink these). */
export interface CollectLimits {
  /** Rows per page when a count needs a listing (search3 songs, album lists). */
  pageSize: number;
  /** Pages per listing: 200 × 500 covers 100,000 tracks. */
  maxPages: number;
  /** Wall time for one listing, all pages together. */
  listingBudgetMs: number;
}

export const DEFAULT_LIMITS: CollectLimits = { pageSize: 500, maxPages: 200, listingBudgetMs: 20_000 };

export const REQUEST_TIMEOUT_MS = 5000;

/** The client name Candor gives itself on the Subsonic API, so its own visits are never counted as a player. */
export const CANDOR_CLIENT = 'candor';

/**
 * Suffixes counted by name, on every interface alike (a report must mean the same whatever answered):
 * the native API can only ask about suffixes one by one, so the list is fixed: the audio formats
 * Navidrome plays, by their usual file extensions. Each is counted exactly (aif never includes aifc or
 * aiff); tracks in any other format are counted, not named, in `unlistedSuffixTracks`, so an odd
 * extension can never carry a word of someone's choosing into a report.
 */
export const PROBED_SUFFIXES = [
  'mp3',
  'flac',
  'm4a',
  'm4b',
  'aac',
  'alac',
  'ogg',
  'oga',
  'opus',
  'wav',
  'wma',
  'aiff',
  'aif',
  'ape',
  'wv',
  'dsf',
  'dff',
  'mpc',
  'mka',
  'webm',
  'mp4',
  'tta',
  'shn',
  'spx',
] as const;

/** Problems that explain a partial read best come first; the expected gaps of an interface last. */
const TELLING_ORDER: ProblemCode[] = [
  'unauthorized',
  'rate-limited',
  'timeout',
  'unreachable',
  'host-not-found',
  'tls',
  'server-error',
  'not-admin',
  'library-too-large',
  'search-all-unsupported',
  'not-a-music-server',
  'endpoint-missing',
  'version-unknown',
];

/** Collects the fields a read left out, each once with the first reason found for it. */
export class LeftOutLedger {
  private readonly fields = new Map<string, ProblemCode>();

  leaveOut(field: string, problem: ProblemCode): void {
    if (!this.fields.has(field)) this.fields.set(field, problem);
  }

  /** Runs one part of a read: a failure leaves its fields out with the failure's reason; nothing throws through. */
  async attempt<T>(fields: string[], run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      const problem = toProblem(error);
      for (const field of fields) this.leaveOut(field, problem);
      return undefined;
    }
  }

  has(field: string): boolean {
    return this.fields.has(field);
  }

  list(): LeftOutField[] {
    return [...this.fields].map(([field, problem]) => ({ field, problem }));
  }

  health(): SourceHealth {
    if (this.fields.size === 0) return health('server', 'ok');
    const problems = [...this.fields.values()];
    const code = TELLING_ORDER.find((p) => problems.includes(p)) ?? problems[0]!;
    return health('server', 'partial', code, [...this.fields.keys()]);
  }
}

/** The server as a whole could not be read: every dependent source gets the same true cause. */
export function failedFacts(api: ServerFacts['api'], error: unknown, sensitive: SensitiveValue[]): ServerFacts {
  const code = toProblem(error);
  const shown = error instanceof SourceProblem ? error.shown : undefined;
  return {
    api,
    library: {},
    configProblem: code,
    uptimeProblem: code,
    leftOut: [],
    health: { ...health('server', 'failed', code), message: problemMessage(code, shown) },
    sensitive,
  };
}

/** A JSON object from a server, not yet checked: every field is read with a type test before use. */
export type JsonObject = Record<string, unknown>;

export function parseJson(text: string): JsonObject | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as JsonObject) : null;
  } catch {
    return null;
  }
}
