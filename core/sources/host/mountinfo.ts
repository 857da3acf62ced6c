// Mount table from /proc/self/mountinfo. Reading it never touches the mounted
// filesystems, so it answers in milliseconds even while an NFS server is dead,
// and its fstype column is exact (ext4, nfs4, fuse.sshfs) where `df`-based tools
// drop tmpfs, bind and squashfs mounts.

export interface MountEntry {
  mountPoint: string;
  fstype: string;
  /** Mount source (device, `server:/export`, `//server/share`); used only to spot network mounts, never returned. */
  source: string;
}

/** The kernel escapes space, tab, newline and backslash in paths as three octal digits. */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * Line format: `id parent major:minor root mountPoint options [optional…] - fstype source superOptions`.
 * The optional fields vary in number, so the fstype is found after the lone `-`.
 */
export function parseMountinfo(text: string): MountEntry[] {
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    const mountPoint = fields[4];
    const fstype = fields[separator + 1];
    if (separator < 0 || mountPoint === undefined || !fstype) continue;
    mounts.push({
      mountPoint: unescapeMountField(mountPoint),
      fstype,
      source: unescapeMountField(fields[separator + 2] ?? ''),
    });
  }
  return mounts;
}

export function isUnderMountPoint(path: string, mountPoint: string): boolean {
  if (mountPoint === '/') return path.startsWith('/');
  return path === mountPoint || path.startsWith(`${mountPoint}/`);
}

/**
 * The mount that holds `path`: the longest mount point that is a whole-segment
 * prefix. When mounts are stacked on one point the later line is the visible one.
 */
export function findMount(path: string, mounts: readonly MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const mount of mounts) {
    if (!isUnderMountPoint(path, mount.mountPoint)) continue;
    if (!best || mount.mountPoint.length >= best.mountPoint.length) best = mount;
  }
  return best;
}

const NETWORK_FSTYPES = new Set([
  '9p',
  'afs',
  'beegfs',
  'ceph',
  'cifs',
  'coda',
  'davfs',
  'gfs2',
  'glusterfs',
  'gpfs',
  'lustre',
  'ncpfs',
  'nfs',
  'nfs4',
  'ocfs2',
  'orangefs',
  'pvfs2',
  'smb3',
  'smbfs',
]);

/**
 * Mounts we must not stat, statfs or resolve paths inside: their answers depend on
 * a remote server or a userspace daemon that may be gone, and a syscall waiting on
 * them pins a libuv worker thread no timeout can release.
 * - network filesystems, by type or by a `host:/path` / `//host/share` source;
 * - every FUSE mount (sshfs, rclone, gvfs… all hang with their daemon);
 * - autofs, where the first access triggers a mount (often NFS).
 */
export function isUntouchable(mount: MountEntry): boolean {
  const { fstype, source } = mount;
  if (NETWORK_FSTYPES.has(fstype) || fstype === 'autofs') return true;
  if (fstype === 'fuse' || fstype === 'fuseblk' || fstype.startsWith('fuse.')) return true;
  return /^[^/\s]+:/.test(source) || source.startsWith('//');
}
