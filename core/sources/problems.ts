import type { SourceHealth, SourceName } from '../../shared/api-contract';
import { HttpFailure } from '../net/http-client';

/**
 * Why a source could not deliver, in fixed wording. Every message here may be shown, logged and
 * kept; none may ever include a value from the server or the network error.
 */
export const PROBLEMS = {
  'not-configured': 'No server is configured yet.',
  'candor-config-unreadable': "Candor's config file cannot be read, so the server it may name is not known.",
  'no-password': 'No password is stored for the server user.',
  unauthorized: 'The server refused the user name or password.',
  'not-admin': 'The server user is not an administrator, so some counts cannot be read.',
  'bad-url': 'The server address must start with http:// or https://.',
  'credentials-in-url': 'The server address must not hold a user name or password: enter them in their own fields.',
  unreachable: "Nothing answers at the server's address.",
  'host-not-found': "The server's host name could not be found (check the address).",
  timeout: 'The server did not answer in time.',
  tls: 'The secure connection to the server failed (certificate problem).',
  'not-a-music-server': 'The address answered, but not as a Navidrome or Subsonic server.',
  'server-error': 'The server answered with an error.',
  'rate-limited': 'The server asked to slow down (too many sign-ins in a short time); try again in a minute.',
  'token-auth-unsupported': 'The server does not accept token sign-in (the Subsonic way Candor signs in) for this user.',
  'endpoint-missing': 'This server version does not offer the needed endpoint.',
  'version-unknown': 'The server did not give its version in a form Candor can send.',
  'library-too-large': 'The library is too large to go through in the time Candor allows, so this count is left out.',
  'search-all-unsupported': "The server's search does not list all tracks (an empty search found nothing), so file formats cannot be counted.",
  'subsonic-no-users': 'The Subsonic API does not list user accounts, so active users cannot be counted.',
  'subsonic-no-players': 'The Subsonic API does not list the apps that play from the server, so players cannot be counted.',
  'config-hidden': "The server does not expose its settings (set DevUIShowConfig, or point Candor at the server's config file).",
  'config-not-navidrome': 'This server is not Navidrome, and only Navidrome lets Candor read its settings.',
  'native-api-missing': "Navidrome's own API did not answer (only its Subsonic API did), so its settings and start time cannot be read.",
  'config-file-unreadable': "The server's config file could not be read.",
  'config-file-invalid': "The server's config file is not valid TOML.",
  'sharing-disabled': 'Sharing is disabled on the server, so shares cannot be counted.',
  'start-time-unknown': "The server's start time could not be learned.",
  'start-time-not-offered': 'This server does not say when it started, and its process is not visible on this machine.',
  'server-memory-unknown':
    "The server's own memory is not known: its Prometheus metrics cannot be read (Prometheus.Enabled in Navidrome's configuration, at /metrics without a password) and its process is not visible on this machine. Only the machine's memory is reported.",
  'not-on-this-host': 'The folder is not on this machine.',
  'fs-timeout': 'Reading the folder timed out (a network mount that is not answering?).',
  'fs-unavailable': "The folder's filesystem could not be read.",
  'not-found': 'The folder the server names does not exist on this machine (expected when the server runs in a container or elsewhere).',
} as const;

export type ProblemCode = keyof typeof PROBLEMS;

export class SourceProblem extends Error {
  /**
   * `shown` is the user's own input that caused the problem (a mistyped address): it goes into the
   * message on the user's own screen only (`problemMessage`), never into `message`, logs or payloads.
   */
  constructor(
    readonly code: ProblemCode,
    readonly shown?: string,
  ) {
    super(PROBLEMS[code]);
    this.name = 'SourceProblem';
  }
}

/**
 * The fixed wording, plus the user's own value where it helps them fix it ("…https:// (got
 * navidrome.local:4533)."). For local status and "Left out" only: callers that log or store use
 * `PROBLEMS[code]`.
 */
export function problemMessage(code: ProblemCode, shown?: string): string {
  if (shown === undefined) return PROBLEMS[code];
  // Control characters could forge extra lines in a terminal; long values are cut.
  const clean = shown.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  const cut = clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
  return `${PROBLEMS[code].replace(/\.$/, '')} (got ${cut || 'an empty value'}).`;
}

/** Reduces any failure to a problem code, never letting raw error text through. */
export function toProblem(error: unknown): ProblemCode {
  if (error instanceof SourceProblem) return error.code;
  if (error instanceof HttpFailure) {
    switch (error.errorClass) {
      case 'timeout':
        return 'timeout';
      case 'tls':
        return 'tls';
      case 'dns':
        return 'host-not-found';
      case 'http-5xx':
        return 'server-error';
      default:
        return 'unreachable';
    }
  }
  return 'server-error';
}

export function health(
  source: SourceName,
  state: SourceHealth['state'],
  code?: ProblemCode,
  omitted?: string[],
  okMessage = 'Read successfully.',
): SourceHealth {
  const out: SourceHealth = { source, state, message: code ? PROBLEMS[code] : okMessage };
  if (code) out.code = code;
  if (omitted && omitted.length > 0) out.omitted = omitted;
  return out;
}
