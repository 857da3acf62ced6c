/**
 * The fake agent's music server and its connection settings: which addresses answer, which
 * credentials it accepts, and the rule the agent keeps for a stored password (it goes only to the
 * origin it was saved for). Addresses are checked by the core's own `normalizeBaseUrl`, and every
 * problem is told in the core's fixed wording.
 */
import {
  ApiError,
  type ApiInput,
  type ConnectionCheck,
  type ConnectionTestResult,
  type PreviewView,
  type ServerLocationView,
  type SettingsView,
  type ShellKind,
  type SourceHealth,
} from '../../shared/api-contract';
import { isLoopbackHost } from '../../core/net/loopback';
import { originOf } from '../../core/settings/settings-service';
import { normalizeBaseUrl } from '../../core/sources/server-address';
import { PROBLEMS, problemMessage, SourceProblem } from '../../core/sources/problems';
import { decideLocation, locationView, notFromHere, type HostFactPath, type ServerLocation } from '../../core/sources/server-location';

export type FakeServerState = 'ok' | 'unreachable' | 'unauthorized' | 'not-admin' | 'config-hidden' | 'not-configured' | 'timeout';

export interface FakeServerOptions {
  server?: { url: string | null; username: string | null; password: string | null; configFile?: string | null };
  serverState?: FakeServerState;
  /** Credentials the fake music server accepts, and the addresses where one answers. */
  serverAccepts?: { username: string; password: string };
  reachableUrls?: string[];
  /** This machine's own non-loopback addresses: a server at any other (non-loopback) address runs on another machine. */
  ownAddresses?: string[];
}

/** What the agent says when a test against another address has no password of its own. */
export const PASSWORD_FOR_THIS_ADDRESS = 'Type the password for this address: a saved password is only ever sent to the server it was saved for.';

const VERSION = '0.58.0 (fa2cf362)';

type ServerProblem = Exclude<FakeServerState, 'ok' | 'config-hidden' | 'not-admin'>;

/** What kept the server from giving its facts, or null when it answered. */
function problemOf(state: FakeServerState): ServerProblem | null {
  return state === 'ok' || state === 'config-hidden' || state === 'not-admin' ? null : state;
}

/** The address as the agent stores it, or the agent's refusal. */
function checkedUrl(url: string): string {
  try {
    return normalizeBaseUrl(url);
  } catch (error) {
    const code = error instanceof SourceProblem ? error.code : 'bad-url';
    throw new ApiError('invalid-input', code === 'bad-url' ? problemMessage('bad-url', url) : PROBLEMS[code]);
  }
}

export class FakeMusicServer {
  state: FakeServerState;
  private url: string | null;
  private username: string | null;
  private password: string | null;
  /** The origin the stored password was saved for. */
  private passwordOrigin: string | null;
  private configFile: string | null;

  constructor(
    private readonly options: FakeServerOptions,
    /** Settings fixed by the config file (`server.password` means a password from the config, valid for any address). */
    private readonly fixedBy: () => Record<string, string>,
  ) {
    const server = { url: 'http://127.0.0.1:4533', username: 'admin', password: 'correct horse', configFile: null, ...options.server };
    this.url = server.url;
    this.username = server.username;
    this.password = server.password;
    this.passwordOrigin = server.password && server.url ? originOf(server.url) : null;
    this.configFile = server.configFile ?? null;
    this.state = options.serverState ?? (this.url ? 'ok' : 'not-configured');
  }

  /** Whether the server answers with its facts (possibly without its settings). */
  get answers(): boolean {
    return problemOf(this.state) === null;
  }

  /** The password the agent would send to `url`: one from the config anywhere, a stored one only to its own origin. */
  private passwordFor(url: string | null): string | null {
    if (this.fixedBy()['server.password']) return this.options.serverAccepts?.password ?? 'correct horse';
    return this.password !== null && url !== null && originOf(url) === this.passwordOrigin ? this.password : null;
  }

  private judge(url: string | null, username: string | null, password: string | null): FakeServerState {
    if (!url || !username) return 'not-configured';
    const reachable = this.options.reachableUrls ?? ['http://127.0.0.1:4533', 'http://localhost:4533'];
    if (!reachable.includes(url.replace(/\/+$/, ''))) return 'unreachable';
    const accepts = this.options.serverAccepts ?? { username: 'admin', password: 'correct horse' };
    if (username !== accepts.username || password !== accepts.password) return 'unauthorized';
    return 'ok';
  }

  view(shell: ShellKind): SettingsView['server'] {
    const fromConfig = Boolean(this.fixedBy()['server.password']);
    return {
      url: this.url,
      username: this.username,
      configFile: this.configFile,
      passwordStorage: fromConfig ? 'config-file' : this.password ? (shell === 'desktop' ? 'os-keychain' : 'private-file') : 'none',
      passwordForThisServer: fromConfig || (this.password !== null && this.url !== null && originOf(this.url) === this.passwordOrigin),
    };
  }

  /** Saves a change like the agent: a new password belongs to the address it is saved with. */
  update(server: NonNullable<ApiInput<'updateSettings'>['server']>, refuse: (key: string) => void): void {
    let url: string | null | undefined;
    if (server.url !== undefined) {
      refuse('server.url');
      url = server.url === '' ? null : checkedUrl(server.url);
    }
    if (server.username !== undefined) refuse('server.username');
    if (server.configFile !== undefined) refuse('server.configFile');
    if (server.password !== undefined) refuse('server.password');
    if (url !== undefined) this.url = url;
    if (server.username !== undefined) this.username = server.username || null;
    if (server.configFile !== undefined) this.configFile = server.configFile || null;
    if (server.password !== undefined) {
      this.password = server.password || null;
      this.passwordOrigin = this.password && this.url ? originOf(this.url) : null;
    }
    this.state = this.judge(this.url, this.username, this.passwordFor(this.url));
  }

  testConnection(input: { url: string; username: string; password?: string }): ConnectionTestResult {
    let url: string;
    try {
      url = checkedUrl(input.url);
    } catch (error) {
      return { ok: false, checks: [{ name: 'reach', state: 'failed', message: (error as ApiError).message }] };
    }
    const password = input.password ?? this.passwordFor(url);
    if (password === null) return { ok: false, checks: [{ name: 'login', state: 'failed', message: PASSWORD_FOR_THIS_ADDRESS }] };
    const state = this.judge(url, input.username, password);
    const checks: ConnectionCheck[] = [];
    if (state === 'unreachable' || state === 'not-configured') {
      checks.push({ name: 'reach', state: 'failed', message: PROBLEMS.unreachable });
      return { ok: false, checks };
    }
    checks.push({ name: 'reach', state: 'ok', message: 'The server answered.' });
    const location = locationView(this.locate(url));
    if (state === 'unauthorized') {
      checks.push({ name: 'login', state: 'failed', message: PROBLEMS.unauthorized });
      return { ok: false, serverType: 'navidrome', serverVersion: VERSION, checks, location };
    }
    checks.push(
      { name: 'login', state: 'ok', message: 'Signed in.' },
      { name: 'admin', state: 'ok', message: 'The user is an administrator.' },
      { name: 'library', state: 'ok', message: 'All library counts read.' },
      { name: 'config', state: 'ok', message: "The server's settings were read." },
      { name: 'uptime', state: 'ok', message: "The server's start time was read." },
    );
    return { ok: true, serverType: 'navidrome', serverVersion: VERSION, checks, location };
  }

  /** Where a server at `url` runs, decided by the core from its address alone (no process is visible to the fake). */
  private locate(url: string | null): ServerLocation {
    if (!url) return decideLocation(null, null);
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return decideLocation(isLoopbackHost(host) ? 'loopback' : (this.options.ownAddresses ?? []).includes(host) ? 'own-address' : 'other-address', null);
  }

  /** Whether the machine facts describe the server (it runs here). */
  get onThisMachine(): boolean {
    return this.locate(this.url).where === 'this-machine';
  }

  location(): ServerLocationView {
    return locationView(this.locate(this.url));
  }

  /** Why a machine fact is left out of a report about a server elsewhere, in the core's words. */
  notFromHere(path: HostFactPath): string {
    return notFromHere(this.locate(this.url), path);
  }

  sources(): SourceHealth[] {
    const s = this.state;
    const problem = problemOf(s);
    const server: SourceHealth = problem
      ? {
          source: 'server',
          state: problem === 'not-configured' ? 'skipped' : 'failed',
          message: PROBLEMS[problem],
          code: problem,
          omitted: ['version', 'library'],
        }
      : s === 'not-admin'
        ? { source: 'server', state: 'partial', message: PROBLEMS['not-admin'], code: 'not-admin', omitted: ['library.activeUsers'] }
        : { source: 'server', state: 'ok', message: 'Read successfully.' };
    const configProblem = s === 'config-hidden' ? 'config-hidden' : (problem ?? 'not-configured');
    const config: SourceHealth =
      s === 'ok' || s === 'not-admin'
        ? { source: 'server-config', state: 'ok', message: 'Read successfully.' }
        : {
            source: 'server-config',
            state: s === 'not-configured' ? 'skipped' : 'failed',
            message: PROBLEMS[configProblem],
            code: configProblem,
            omitted: ['config', 'fs'],
          };
    return [
      server,
      config,
      problem
        ? { source: 'uptime', state: 'failed', message: PROBLEMS['start-time-unknown'], code: 'start-time-unknown', omitted: ['uptime'] }
        : { source: 'uptime', state: 'ok', message: 'Read successfully.' },
      this.onThisMachine
        ? { source: 'host', state: 'ok', message: 'Read successfully.' }
        : { source: 'host', state: 'skipped', message: this.location().message },
      !this.onThisMachine
        ? { source: 'filesystems', state: 'skipped', message: this.location().message }
        : problem || s === 'config-hidden'
          ? {
              source: 'filesystems',
              state: 'skipped',
              message: "Skipped: the folders are named in the server's settings, which could not be read.",
              code: 'not-configured',
            }
          : { source: 'filesystems', state: 'ok', message: 'Read successfully.' },
    ];
  }

  /** Fields the sources could not give, and why (before the level's choice is applied). */
  omitted(facts: { server: boolean; serverConfig: boolean; instanceId: string | null }): PreviewView['omitted'] {
    const out: PreviewView['omitted'] = [];
    const s = this.state;
    const problem = problemOf(s);
    const reason = problem ? PROBLEMS[problem] : null;
    if (!facts.server && reason) {
      out.push({ path: 'version', reason }, { path: 'uptime', reason: PROBLEMS['start-time-unknown'] }, { path: 'library', reason });
    }
    if (!this.onThisMachine) {
      for (const path of ['os', 'mem', 'fs', 'candor.hostMemory'] as const) out.push({ path, reason: this.notFromHere(path) });
    }
    if (!facts.serverConfig) {
      const r = s === 'config-hidden' ? PROBLEMS['config-hidden'] : (reason ?? PROBLEMS['not-configured']);
      out.push({ path: 'config', reason: r });
      if (this.onThisMachine) for (const folder of ['music', 'data', 'cache', 'backup']) out.push({ path: `fs.${folder}.type`, reason: r });
    }
    if (!facts.instanceId) out.push({ path: 'id', reason: 'No anonymous ID yet: one is made when you agree to share.' });
    return out;
  }
}
