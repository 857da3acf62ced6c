// Filesystem names as Navidrome reports them. Navidrome (Linux) calls statfs and
// names the magic number from its own table, so several kernel filesystems share
// one name (ext2/ext3/ext4; every FUSE subtype is just "fuse") and unlisted magics
// come out as `unknown(0x…)`. We read the type from mountinfo instead, translate
// the kernel's name to the magic its statfs would return, and name that magic
// with the same table, so both routes give Navidrome's exact string.

/**
 * Navidrome's names by the value Go sees in Statfs_t.Type. The negative keys are
 * what 32-bit builds see (Type is int32 there, so magics above 0x7fffffff wrap).
 */
const NAVIDROME_NAME_BY_GO_VALUE = new Map<number, string>([
  [0x5346414f, 'afs'],
  [0x187, 'autofs'],
  [0x61756673, 'aufs'],
  [0x9123683e, 'btrfs'],
  [0xc36400, 'ceph'],
  [0xff534d42, 'cifs'],
  [0x28cd3d45, 'cramfs'],
  [0x64626720, 'debugfs'],
  [0xf15f, 'ecryptfs'],
  [0x2011bab0, 'exfat'],
  [0xef53, 'ext2/ext3/ext4'],
  [0xf2f52010, 'f2fs'],
  [0x6a656a63, 'fakeowner'],
  [0x65735546, 'fuse'],
  [0x4244, 'hfs'],
  [0x482b, 'hfs+'],
  [0x9660, 'iso9660'],
  [0x3153464a, 'jfs'],
  [0x6969, 'nfs'],
  [0x5346544e, 'ntfs'],
  [0x7366746e, 'ntfs'],
  [0x794c7630, 'overlayfs'],
  [0x9fa0, 'proc'],
  [0x517b, 'smb'],
  [0xfe534d42, 'smb2'],
  [0x73717368, 'squashfs'],
  [0x62656572, 'sysfs'],
  [0x01021994, 'tmpfs'],
  [0x01021997, 'v9fs'],
  [0x786f4256, 'vboxsf'],
  [0x4d44, 'vfat'],
  // This magic is bcachefs's in the kernel headers; Navidrome labels it virtiofs
  // (real virtiofs answers statfs with the FUSE magic). We mirror, not correct.
  [0xca451a4e, 'virtiofs'],
  [0x58465342, 'xfs'],
  [0x2fc12fc1, 'zfs'],
  [0x7c7c6673, 'prlfs'],
  [-0x6edc97c2, 'btrfs'],
  [-0x1acb2be, 'smb2'],
  [-0xacb2be, 'cifs'],
  [-0xd0adff0, 'f2fs'],
]);

const FUSE_MAGIC = 0x65735546;

/**
 * The magic statfs returns for each mountinfo fstype (uapi/linux/magic.h and the
 * filesystems' own statfs). Types missing here are named by statfs instead.
 */
const MAGIC_BY_KERNEL_TYPE: Record<string, number> = {
  afs: 0x5346414f,
  aufs: 0x61756673,
  autofs: 0x187,
  bcachefs: 0xca451a4e,
  binfmt_misc: 0x42494e4d,
  bpf: 0xcafe4a11,
  btrfs: 0x9123683e,
  ceph: 0xc36400,
  cgroup: 0x27e0eb,
  cgroup2: 0x63677270,
  // smb3 is an alias registered by the same client; both report CIFS_SUPER_MAGIC.
  cifs: 0xff534d42,
  smb3: 0xff534d42,
  coda: 0x73757245,
  configfs: 0x62656570,
  cramfs: 0x28cd3d45,
  debugfs: 0x64626720,
  devpts: 0x1cd1,
  // devtmpfs is built on shmem, which answers statfs as tmpfs.
  devtmpfs: 0x01021994,
  ecryptfs: 0xf15f,
  efivarfs: 0xde5e81e4,
  erofs: 0xe0f5e1e2,
  exfat: 0x2011bab0,
  ext2: 0xef53,
  ext3: 0xef53,
  ext4: 0xef53,
  f2fs: 0xf2f52010,
  fakeowner: 0x6a656a63,
  fuse: FUSE_MAGIC,
  fuseblk: FUSE_MAGIC,
  fusectl: 0x65735543,
  gfs2: 0x01161970,
  hfs: 0x4244,
  hfsplus: 0x482b,
  hugetlbfs: 0x958458f6,
  iso9660: 0x9660,
  jfs: 0x3153464a,
  lustre: 0x0bd00bd0,
  mqueue: 0x19800202,
  msdos: 0x4d44,
  nfs: 0x6969,
  nfs4: 0x6969,
  nilfs2: 0x3434,
  nsfs: 0x6e736673,
  ntfs: 0x5346544e,
  // ntfs3 stores the ASCII "ntfs" as its magic, the second NTFS entry in Navidrome's table.
  ntfs3: 0x7366746e,
  ocfs2: 0x7461636f,
  orangefs: 0x20030528,
  overlay: 0x794c7630,
  prl_fs: 0x7c7c6673,
  proc: 0x9fa0,
  pstore: 0x6165676c,
  ramfs: 0x858458f6,
  reiserfs: 0x52654973,
  romfs: 0x7275,
  securityfs: 0x73636673,
  smbfs: 0x517b,
  squashfs: 0x73717368,
  sysfs: 0x62656572,
  tmpfs: 0x01021994,
  tracefs: 0x74726163,
  udf: 0x15013346,
  v9fs: 0x01021997,
  '9p': 0x01021997,
  vboxsf: 0x786f4256,
  vfat: 0x4d44,
  // virtiofs is a FUSE transport and reuses FUSE's statfs.
  virtiofs: FUSE_MAGIC,
  xfs: 0x58465342,
  zfs: 0x2fc12fc1,
};

/** GOARCHes whose syscall.Statfs_t.Type is int32 (every other Linux port: int64 or uint32). */
const GOARCH_WITH_SIGNED_32BIT_FSTYPE = new Set(['386', 'arm', 'mips', 'mipsle']);

/** Names a statfs magic exactly as Navidrome built for `goarch` would. */
export function navidromeFsName(magic: number, goarch: string): string {
  const unsigned = magic >>> 0;
  const goValue = GOARCH_WITH_SIGNED_32BIT_FSTYPE.has(goarch) ? unsigned | 0 : unsigned;
  return NAVIDROME_NAME_BY_GO_VALUE.get(goValue) ?? `unknown(0x${goHex(goValue)})`;
}

/** Go's %x puts the sign before the digits, hence `unknown(0x-6edc97c2)`. */
function goHex(value: number): string {
  return value < 0 ? `-${(-value).toString(16)}` : value.toString(16);
}

/** The statfs magic for a mountinfo fstype, if we know it without asking statfs. */
export function magicForKernelType(fstype: string): number | undefined {
  if (fstype.startsWith('fuse.')) return FUSE_MAGIC;
  return Object.hasOwn(MAGIC_BY_KERNEL_TYPE, fstype) ? MAGIC_BY_KERNEL_TYPE[fstype] : undefined;
}

/** statfs hands Node the kernel's signed long widened to 64 bits; the magic is its low 32 bits. */
export function magicFromStatfsType(type: bigint): number {
  return Number(BigInt.asUintN(32, type));
}
