import { posix } from 'node:path';
import { Deadline, errorCode, HostTimeoutError, withDefaults, type HostDeps } from './deps';
import { goArch } from './go-names';
import { magicForKernelType, magicFromStatfsType, navidromeFsName } from './fs-names';
import { findMount, isUntouchable, parseMountinfo, type MountEntry } from './mountinfo';

export type FilesystemTypeResult = { ok: true; type: string } | { ok: false; reason: 'not-found' | 'not-on-this-host' | 'timeout' | 'unsupported' | 'error' };

/** Symlink hops allowed before giving up, as Linux's own limit (ELOOP). */
const MAX_SYMLINKS = 40;

/**
 * The filesystem holding `path`, named as Navidrome names it. Never throws.
 *
 * Only Linux is answered: Navidrome reads f_fstypename on macOS and
 * GetVolumeInformation on Windows, and Node exposes neither without a child process.
 */
export async function filesystemType(path: string, deps?: Partial<HostDeps>): Promise<FilesystemTypeResult> {
  const d = withDefaults(deps);
  if (d.platform !== 'linux') return { ok: false, reason: 'unsupported' };
  if (!isAbsoluteLocalPath(path)) return { ok: false, reason: 'not-on-this-host' };

  const deadline = new Deadline(d.timeoutMs);
  const arch = goArch(d.arch, d.endianness);
  // Navidrome cleans the path lexically (filepath.Abs + Clean) before statfs; so do we.
  const absolute = posix.resolve(path);
  try {
    const mounts = await readMounts(d, deadline);
    if (!mounts) {
      // No mount table (procfs not mounted): statfs is the only source left. It is
      // the one case where a hung network mount could still cost a worker thread.
      return { ok: true, type: await statfsName(absolute, d, deadline, arch) };
    }
    const mount = await locateMount(absolute, mounts, d, deadline);
    const magic = mount ? magicForKernelType(mount.mount.fstype) : undefined;
    if (magic !== undefined) return { ok: true, type: navidromeFsName(magic, arch) };
    // An fstype we cannot name (or a path outside every listed mount, as in a chroot):
    // ask statfs, but only on a fully resolved path that nothing remote can make hang.
    if (mount && (isUntouchable(mount.mount) || mount.realPath === undefined)) {
      return { ok: false, reason: 'unsupported' };
    }
    return { ok: true, type: await statfsName(mount?.realPath ?? absolute, d, deadline, arch) };
  } catch (error) {
    return failure(error);
  }
}

/**
 * Paths from a server's config only describe this host when they are absolute POSIX
 * paths: relative ones depend on the server's working directory (unknown here),
 * and drive letters, UNC paths or URLs name something elsewhere.
 */
function isAbsoluteLocalPath(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !path.includes('\0');
}

async function readMounts(d: HostDeps, deadline: Deadline): Promise<MountEntry[] | undefined> {
  try {
    const mounts = parseMountinfo(await deadline.run(d.fs.readFile(posix.join(d.procRoot, 'self/mountinfo'), 'utf8')));
    return mounts.length > 0 ? mounts : undefined;
  } catch (error) {
    if (error instanceof HostTimeoutError) throw error;
    return undefined;
  }
}

interface LocatedMount {
  mount: MountEntry;
  /** Set when the path was fully resolved (so statfs on it stays on local filesystems). */
  realPath?: string;
}

/**
 * Mount points in mountinfo are real paths, so symlinks in `absolute` must be
 * resolved before matching. realpath(3) is one opaque call that may wander into a
 * network mount through a symlink, so it is used only when the table has nothing
 * untouchable; otherwise we walk component by component and stop at the edge of
 * an untouchable mount, answering from the table for whatever lies beyond it.
 */
async function locateMount(absolute: string, mounts: MountEntry[], d: HostDeps, deadline: Deadline): Promise<LocatedMount | undefined> {
  const lexical = findMount(absolute, mounts);
  if (lexical && isUntouchable(lexical)) return { mount: lexical };
  if (!mounts.some(isUntouchable)) {
    const realPath = await deadline.run(d.fs.realpath(absolute));
    const mount = findMount(realPath, mounts);
    return mount && { mount, realPath };
  }
  return walkToMount(absolute, mounts, d, deadline);
}

async function walkToMount(absolute: string, mounts: MountEntry[], d: HostDeps, deadline: Deadline): Promise<LocatedMount | undefined> {
  const pending = absolute.split('/').filter(Boolean);
  let resolved = '/';
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      resolved = posix.dirname(resolved);
      continue;
    }
    const candidate = posix.join(resolved, part);
    const here = findMount(candidate, mounts);
    if (here && isUntouchable(here)) {
      // Symlinks beyond this point cannot be followed safely; the rest of the
      // path is matched as written (it may still reach a local mount stacked inside).
      return { mount: findMount(posix.join(candidate, ...pending), mounts) ?? here };
    }
    const stats = await deadline.run(d.fs.lstat(candidate));
    if (!stats.isSymbolicLink()) {
      resolved = candidate;
      continue;
    }
    if (++hops > MAX_SYMLINKS) throw Object.assign(new Error('too many symlinks'), { code: 'ELOOP' });
    const target = await deadline.run(d.fs.readlink(candidate));
    pending.unshift(...target.split('/').filter(Boolean));
    if (target.startsWith('/')) resolved = '/';
  }
  const mount = findMount(resolved, mounts);
  return mount && { mount, realPath: resolved };
}

async function statfsName(path: string, d: HostDeps, deadline: Deadline, arch: string): Promise<string> {
  const stats = await deadline.run(d.fs.statfs(path, { bigint: true }));
  return navidromeFsName(magicFromStatfsType(stats.type), arch);
}

function failure(error: unknown): FilesystemTypeResult {
  if (error instanceof HostTimeoutError) return { ok: false, reason: 'timeout' };
  const code = errorCode(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'not-found' };
  return { ok: false, reason: 'error' };
}
