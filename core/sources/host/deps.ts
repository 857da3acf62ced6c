import fsp from 'node:fs/promises';
import os from 'node:os';

/**
 * The few `fs/promises` calls host facts need. `node:fs/promises` satisfies it;
 * tests pass fakes that record calls or never settle.
 */
export interface HostFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  readdir(path: string): Promise<string[]>;
  access(path: string): Promise<void>;
  lstat(path: string): Promise<{ isSymbolicLink(): boolean }>;
  readlink(path: string): Promise<string>;
  realpath(path: string): Promise<string>;
  statfs(path: string, options: { bigint: true }): Promise<{ type: bigint }>;
}

/** Everything the host readers touch, so tests can aim them at fixture trees. */
export interface HostDeps {
  /** Where procfs is mounted (`/proc`). */
  procRoot: string;
  /** Where `os-release` lives (`/etc`). */
  etcRoot: string;
  /** Root for marker files such as `/.dockerenv` and macOS's SystemVersion.plist. */
  rootDir: string;
  platform: NodeJS.Platform;
  /** Node's `process.arch` name (x64, arm64...). */
  arch: string;
  /** Node reports `ppc64` for both byte orders; Go calls the little-endian one `ppc64le`. */
  endianness: 'BE' | 'LE';
  /** Fallback CPU count when `/proc/self/status` has no `Cpus_allowed_list`. */
  cpuCount: () => number;
  /** Kernel release string; on Windows it is the build number (`10.0.26100`). */
  osRelease: () => string;
  totalMem: () => number;
  freeMem: () => number;
  fs: HostFs;
  /** Time budget for one call's filesystem work, in ms. */
  timeoutMs: number;
  /**
   * USER_HZ, the unit of `starttime` in `/proc/PID/stat`. Node cannot ask
   * sysconf(_SC_CLK_TCK); every mainstream Linux port uses 100, so that is the default.
   */
  clockTicksPerSecond: number;
}

export const DEFAULT_TIMEOUT_MS = 1500;

export function defaultHostDeps(): HostDeps {
  return {
    procRoot: '/proc',
    etcRoot: '/etc',
    rootDir: '/',
    platform: process.platform,
    arch: process.arch,
    endianness: os.endianness(),
    cpuCount: () => os.availableParallelism(),
    osRelease: () => os.release(),
    totalMem: () => os.totalmem(),
    freeMem: () => os.freemem(),
    fs: fsp,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    clockTicksPerSecond: 100,
  };
}

export function withDefaults(deps: Partial<HostDeps> = {}): HostDeps {
  return { ...defaultHostDeps(), ...deps };
}

export class HostTimeoutError extends Error {
  constructor(ms: number) {
    super(`host filesystem call did not settle within ${ms} ms`);
    this.name = 'HostTimeoutError';
  }
}

/**
 * A time budget shared by all filesystem calls of one operation. The timer only
 * frees the caller: a syscall stuck in a libuv worker stays stuck, which is why
 * callers must avoid calls that can hang (network filesystems) in the first place.
 */
export class Deadline {
  private readonly end: number;

  constructor(private readonly budgetMs: number) {
    this.end = performance.now() + budgetMs;
  }

  run<T>(work: Promise<T>): Promise<T> {
    const left = this.end - performance.now();
    if (left <= 0) {
      work.catch(() => {}); // settles later; nobody listens
      return Promise.reject(new HostTimeoutError(this.budgetMs));
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new HostTimeoutError(this.budgetMs)), left);
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}

/** Reads a text file within the deadline; undefined when it is missing, unreadable or too slow. */
export async function readTextOrUndefined(deps: HostDeps, path: string, deadline: Deadline): Promise<string | undefined> {
  try {
    return await deadline.run(deps.fs.readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function existsWithin(deps: HostDeps, path: string, deadline: Deadline): Promise<boolean> {
  try {
    await deadline.run(deps.fs.access(path));
    return true;
  } catch {
    return false;
  }
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
