import type { SourceHealth, SourceName } from '../api/contract';
import { HttpFailure } from '../http';

/**
 * Why a source could not deliver, in fixed wording. Every message here may be shown, logged and
 * kept; none may ever include a value from the server or the network error.
 */
export const PROBLEMS = {
  'not-configured': 'No server is configured yet.',
  'no-password': 'No password is stored for the server user.',
  unauthorized: 'The server refused the user name or password.',
  'not-admin': 'The server user is not an administrator, so some counts cannot be read.',
  unreachable: 'The server could not be reached.',
  timeout: 'The server did not answer in time.',
  tls: 'The secure connection to the server failed (certificate problem).',
  'not-a-music-server': 'The address answered, but not as a Navidrome or Subsonic server.',
  'server-error': 'The server answered with an error.',
  'rate-limited': 'The server asked to slow down (too many sign-ins in a short time); try again in a minute.',
  'endpoint-missing': 'This server version does not offer the needed endpoint.',
  'config-hidden': "The server does not expose its settings (set DevUIShowConfig, or point Candor at the server's config file).",
  'config-file-unreadable': "The server's config file could not be read.",
  'config-file-invalid': "The server's config file is not valid TOML.",
  'sharing-disabled': 'Sharing is disabled on the server, so shares cannot be counted.',
  'start-time-unknown': "The server's start time could not be learned.",
  'not-on-this-host': 'The folder is not on this machine.',
  'fs-timeout': 'Reading the folder timed out (a network mount that is not answering?).',
  'fs-unavailable': "The folder's filesystem could not be read.",
  'not-found': 'The folder does not exist.',
} as const;

export type ProblemCode = keyof typeof PROBLEMS;

export class SourceProblem extends Error {
  constructor(readonly code: ProblemCode) {
    super(PROBLEMS[code]);
    this.name = 'SourceProblem';
  }
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
      case 'http-5xx':
        return 'server-error';
      default:
        return 'unreachable';
    }
  }
  return 'server-error';
}

export function health(source: SourceName, state: SourceHealth['state'], code?: ProblemCode, omitted?: string[], okMessage = 'Read successfully.'): SourceHealth {
  const out: SourceHealth = { source, state, message: code ? PROBLEMS[code] : okMessage };
  if (code) out.code = code;
  if (omitted && omitted.length > 0) out.omitted = omitted;
  return out;
}
