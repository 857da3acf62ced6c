/** Why `candor serve` could not start, as one line a CLI can print. */
import { ApiError } from '../../shared/api-contract';

export type ServeErrorCode = 'port-in-use' | 'permission-denied' | 'not-loopback' | 'bad-host' | 'bad-port' | 'no-ui' | 'listen-failed';

export class ServeError extends Error {
  constructor(
    readonly code: ServeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServeError';
  }
}

export function listenError(error: NodeJS.ErrnoException, host: string, port: number): ServeError {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ServeError(
        'port-in-use',
        `Port ${port} on ${host} is already in use (another candor serve?). Choose another with --port, or --port 0 for any free port.`,
      );
    case 'EACCES':
    case 'EPERM':
      return new ServeError(
        'permission-denied',
        `Not allowed to listen on port ${port} on ${host}. Ports below 1024 need special rights; choose a higher one with --port.`,
      );
    case 'EADDRNOTAVAIL':
      return new ServeError('bad-host', `${host} is not an address of this machine.`);
    default:
      return new ServeError('listen-failed', `Could not listen on ${host}:${port} (${error.code ?? 'unknown error'}).`);
  }
}

/** For callers that want ApiError-shaped failures, e.g. a CLI printing one line. */
export function describeServeError(error: unknown): string {
  if (error instanceof ServeError) return error.message;
  if (error instanceof ApiError) return error.message;
  return 'The admin UI could not be started.';
}
