import { ApiError, type ApiInput, type ConnectionCheck, type ConnectionTestResult, type LocalServerGuess, type SettingsView } from '../../shared/api-contract';
import type { AgentContext } from '../context';
import { checkEndpoint } from '../net/endpoint';
import { collectServerFacts, normalizeBaseUrl, type ServerTarget } from '../sources/music-server';
import { defaultSources } from '../sources/source-set';
import { PROBLEMS, problemMessage, SourceProblem, type ProblemCode } from '../sources/problems';
import { decideLocation, locationView, type AddressPlace } from '../sources/server-location';
import { MAX_SECRET_BYTES, OddFileError, readRegularText } from '../storage/regular-file';
import { StorageError } from '../storage/storage-error';
import type { SecretStore } from './secret-store';
import type { PersistedState } from '../state/state-schema';

/** Navidrome's collector: Candor's payload is compatible with it. */
export const DEFAULT_ENDPOINT = 'https://insights.navidrome.org/collect';
/** Navidrome's default port, for "find my server". */
export const NAVIDROME_DEFAULT_URL = 'http://127.0.0.1:4533';

/** Causes that mean the server itself was not reached (as opposed to reached and refusing). */
const NOT_REACHED = new Set<ProblemCode>(['bad-url', 'credentials-in-url', 'unreachable', 'host-not-found', 'timeout', 'tls', 'not-a-music-server']);

/** The origin (scheme, host, port) a password belongs to; null for what is not an address. */
export function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** A server address as it is stored, or an `ApiError` saying what is wrong with it (quoting it, unless it holds a password). */
function checkedServerUrl(url: string): string {
  try {
    return normalizeBaseUrl(url);
  } catch (error) {
    const code = error instanceof SourceProblem ? error.code : 'bad-url';
    throw new ApiError('invalid-input', code === 'bad-url' ? problemMessage('bad-url', url) : PROBLEMS[code]);
  }
}

/**
 * The agent's settings: what the config file fixes, what the user stored, and the server password.
 * Everything is read from the state on disk at the moment it is needed.
 */
export class SettingsService {
  /** The stored password as last read, with the save it came from: status must not re-read the keychain each time. */
  private secretRead: { stamp: string; value: Promise<string | null> } | null = null;

  constructor(
    private readonly ctx: AgentContext,
    readonly secrets: SecretStore,
  ) {}

  /** The config file as it is now (a stat; parsed again only when it changed). */
  private get config() {
    return this.ctx.deps.config.current();
  }

  endpoint(state: PersistedState = this.ctx.store.read()): string {
    return this.config.endpoint ?? state.settings.endpoint ?? DEFAULT_ENDPOINT;
  }

  retentionDays(state: PersistedState = this.ctx.store.read()): number {
    return this.config.historyRetentionDays ?? state.settings.historyRetentionDays;
  }

  serverUrl(state: PersistedState = this.ctx.store.read()): string | null {
    return this.config.server.url ?? state.settings.serverUrl ?? null;
  }

  async target(): Promise<ServerTarget> {
    const state = this.ctx.store.read();
    const { url, username, configFile } = this.targetOf(state);
    const password = url ? await this.passwordFor(url, state) : null;
    const connection = url && username && password !== null ? { url, username, password } : null;
    // A config file that cannot be read may name a server: "none configured" would not be true.
    return {
      connection,
      url,
      configFile,
      ...(!url && this.config.unreadable && !this.config.missing ? { noConnectionBecause: 'candor-config-unreadable' as const } : {}),
    };
  }

  /**
   * What the server is read with, as settings say now (the password by where it comes from, not its
   * value): when this changes, what was read from the server is about another server, or stale.
   */
  targetKey(state: PersistedState = this.ctx.store.read()): string {
    const c = this.config.server;
    const password = c.password !== undefined ? 'config' : c.passwordFile ? `file:${c.passwordFile}` : `stored:${state.settings.passwordSavedAt ?? 0}`;
    return JSON.stringify({ ...this.targetOf(state), password });
  }

  private targetOf(state: PersistedState): { url: string | null; username: string | null; configFile: string | null } {
    const c = this.config.server;
    return {
      url: this.serverUrl(state),
      username: c.username ?? state.settings.serverUsername ?? null,
      configFile: c.configFile ?? state.settings.serverConfigFile ?? null,
    };
  }

  /**
   * The password for a server address. One from the config file goes where the config says; one
   * typed in Candor goes only to the origin (scheme, host, port) it was typed for: a changed
   * address, or a test against another one, needs it typed again.
   */
  private async passwordFor(url: string, state: PersistedState): Promise<string | null> {
    const c = this.config.server;
    if (c.password !== undefined) return c.password;
    if (c.passwordFile) {
      try {
        return (await readRegularText(c.passwordFile, MAX_SECRET_BYTES)).replace(/\r?\n$/, '');
      } catch (error) {
        this.ctx.notices.add(
          error instanceof OddFileError
            ? `The password file named in the config is not read: ${error.message}.`
            : 'The password file named in the config could not be read.',
        );
        return null;
      }
    }
    return this.storedPasswordMatches(url, state) ? this.storedPassword(state) : null;
  }

  /** Whether the stored password was saved for this address's origin (one saved before origins were kept belongs to the address of then). */
  private storedPasswordMatches(url: string, state: PersistedState): boolean {
    const savedFor = state.settings.passwordOrigin ?? (state.settings.serverUrl ? originOf(state.settings.serverUrl) : null);
    return savedFor !== null && savedFor === originOf(url);
  }

  /** The stored password, read again only when another process (or this one) saved a new one. */
  private storedPassword(state: PersistedState): Promise<string | null> {
    const stamp = String(state.settings.passwordSavedAt ?? 0);
    if (this.secretRead?.stamp !== stamp) this.secretRead = { stamp, value: this.secrets.get().catch(() => null) };
    return this.secretRead.value;
  }

  /** Settings fixed by the config file, by key, with the file that fixed them. */
  fixedBy(): Record<string, string> {
    const c = this.config;
    const where = c.path ? `the config file ${c.path}` : 'the config file';
    const fixed: Record<string, string> = {};
    if (c.endpoint !== undefined) fixed.endpoint = where;
    if (c.server.url !== undefined) fixed['server.url'] = where;
    if (c.server.username !== undefined) fixed['server.username'] = where;
    if (c.server.password !== undefined || c.server.passwordFile) fixed['server.password'] = where;
    if (c.server.configFile !== undefined) fixed['server.configFile'] = where;
    if (c.historyRetentionDays !== undefined) fixed.historyRetentionDays = where;
    return fixed;
  }

  async view(state: PersistedState): Promise<SettingsView> {
    const c = this.config;
    const fromConfig = c.server.password !== undefined || Boolean(c.server.passwordFile);
    const stored = !fromConfig && (await this.storedPassword(state)) !== null;
    const { url, username, configFile } = this.targetOf(state);
    return {
      server: {
        url,
        username,
        configFile,
        passwordStorage: fromConfig ? 'config-file' : stored ? this.secrets.kind : 'none',
        passwordForThisServer: fromConfig || (stored && url !== null && this.storedPasswordMatches(url, state)),
      },
      endpoint: this.endpoint(state),
      historyRetentionDays: this.retentionDays(state),
      fixedBy: this.fixedBy(),
    };
  }

  /** Validates and saves a change; says what changed so the agent can re-read the server. */
  async update(input: ApiInput<'updateSettings'>): Promise<void> {
    const fixed = this.fixedBy();
    const refuse = (key: string) => {
      if (fixed[key]) throw new ApiError('locked', `${key} is set by ${fixed[key]} and cannot be changed here.`);
    };
    if (input.endpoint !== undefined) {
      refuse('endpoint');
      const checked = checkEndpoint(input.endpoint);
      if (!checked.ok) throw new ApiError('invalid-input', checked.reason);
    }
    let url: string | undefined;
    if (input.server?.url !== undefined && input.server.url !== '') {
      refuse('server.url');
      url = checkedServerUrl(input.server.url);
    }
    if (input.server?.username !== undefined) refuse('server.username');
    if (input.server?.configFile !== undefined) refuse('server.configFile');
    if (input.historyRetentionDays !== undefined) refuse('historyRetentionDays');
    const state = this.ctx.store.read();
    const passwordOrigin = originOf(url ?? this.serverUrl(state) ?? '');
    if (input.server?.password !== undefined) {
      refuse('server.password');
      try {
        await this.secrets.set(input.server.password === '' ? null : input.server.password);
      } catch {
        throw new ApiError('unavailable', 'The password could not be stored (is the data folder writable?).');
      }
    }
    try {
      await this.ctx.store.update((d) => {
        const set = <K extends keyof typeof d.settings>(key: K, value: (typeof d.settings)[K] | undefined) => {
          if (value === undefined) return;
          if (value === '') delete d.settings[key];
          else d.settings[key] = value;
        };
        // Changing the address: a password saved before origins were kept stays with the old one.
        const previous = d.settings.serverUrl ? originOf(d.settings.serverUrl) : null;
        if (url !== undefined && !d.settings.passwordOrigin && previous) d.settings.passwordOrigin = previous;
        set('serverUrl', input.server?.url === undefined ? undefined : input.server.url === '' ? '' : url);
        set('serverUsername', input.server?.username);
        set('serverConfigFile', input.server?.configFile);
        set('endpoint', input.endpoint);
        set('historyRetentionDays', input.historyRetentionDays);
        if (input.server?.password !== undefined) {
          d.settings.passwordSavedAt = this.ctx.deps.clock.now();
          if (input.server.password === '' || !passwordOrigin) delete d.settings.passwordOrigin;
          else d.settings.passwordOrigin = passwordOrigin;
        }
      });
    } catch (error) {
      if (error instanceof StorageError) throw new ApiError('unavailable', `The settings could not be saved: ${error.message}.`);
      throw error;
    }
  }

  async testConnection(input: { url: string; username: string; password?: string }): Promise<ConnectionTestResult> {
    let address: string;
    try {
      address = checkedServerUrl(input.url);
    } catch (error) {
      return { ok: false, checks: [{ name: 'reach', state: 'failed', message: (error as ApiError).message }] };
    }
    const password = input.password ?? (await this.passwordFor(address, this.ctx.store.read()));
    if (password === null) {
      return {
        ok: false,
        checks: [
          { name: 'login', state: 'failed', message: 'Type the password for this address: a saved password is only ever sent to the server it was saved for.' },
        ],
      };
    }
    // Where it runs is decided as a report decides it, beside the reading of it.
    const sources = this.ctx.deps.sources ?? defaultSources(this.ctx.deps.http);
    const [facts, place, visible] = await Promise.all([
      collectServerFacts(this.ctx.deps.http, { url: input.url, username: input.username, password }, this.ctx.deps.clock.now()),
      sources.serverAddress(address).catch((): AddressPlace => 'unresolved'),
      sources.serverProcess().catch(() => null),
    ]);
    const checks: ConnectionCheck[] = [];
    const failed = facts.health.state === 'failed';
    const code = facts.health.code as ProblemCode | undefined;
    const unreachable = failed && code !== undefined && NOT_REACHED.has(code);
    checks.push({ name: 'reach', state: unreachable ? 'failed' : 'ok', message: unreachable ? facts.health.message : 'The server answered.' });
    if (!unreachable) {
      checks.push({ name: 'login', state: failed ? 'failed' : 'ok', message: failed ? facts.health.message : 'Signed in.' });
      if (!failed) {
        const subsonicOnly = facts.api === 'subsonic-api';
        const notAdmin = facts.leftOut?.some((l) => l.problem === 'not-admin') ?? facts.health.code === 'not-admin';
        checks.push(
          subsonicOnly
            ? { name: 'admin', state: 'skipped', message: 'Only a Subsonic API answered: it has no administrator check.' }
            : { name: 'admin', state: notAdmin ? 'failed' : 'ok', message: notAdmin ? PROBLEMS['not-admin'] : 'The user is an administrator.' },
        );
        const libraryLeftOut = (facts.leftOut ?? []).filter((l) => l.field.startsWith('library.')).map((l) => `${l.field} (${PROBLEMS[l.problem]})`);
        checks.push({
          name: 'library',
          state: Object.keys(facts.library).length > 0 ? 'ok' : 'failed',
          message: libraryLeftOut.length ? `Counts read, except ${libraryLeftOut.join('; ')}.` : 'All library counts read.',
        });
        checks.push(
          facts.configProblem === 'config-not-navidrome'
            ? { name: 'config', state: 'skipped', message: PROBLEMS['config-not-navidrome'] }
            : {
                name: 'config',
                state: facts.serverConfig ? 'ok' : 'failed',
                message: facts.serverConfig ? "The server's settings were read." : PROBLEMS[facts.configProblem ?? 'config-hidden'],
              },
        );
        checks.push({
          name: 'uptime',
          state: facts.startedAt ? 'ok' : 'failed',
          message: facts.startedAt ? "The server's start time was read." : PROBLEMS[facts.uptimeProblem ?? 'start-time-unknown'],
        });
      }
    }
    return {
      ok: !failed,
      ...(facts.serverType ? { serverType: facts.serverType } : {}),
      ...(facts.version ? { serverVersion: facts.version } : {}),
      checks,
      ...(unreachable ? {} : { location: locationView(decideLocation(place, visible, facts.startedAt)) }),
    };
  }

  async detectLocalServer(): Promise<LocalServerGuess | null> {
    try {
      const res = await this.ctx.deps.http.request({
        method: 'GET',
        url: `${NAVIDROME_DEFAULT_URL}/rest/ping?f=json&v=1.16.1&c=candor`,
        timeoutMs: 1500,
        maxBytes: 16 * 1024,
      });
      const body = (JSON.parse(res.body) as { 'subsonic-response'?: unknown } | null)?.['subsonic-response'];
      if (body && typeof body === 'object') {
        const type = (body as { type?: unknown }).type;
        return { url: NAVIDROME_DEFAULT_URL, ...(typeof type === 'string' ? { serverType: type } : {}) };
      }
    } catch {
      // Nothing listening, or not a music server: say "not found".
    }
    return null;
  }
}
