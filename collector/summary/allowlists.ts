/**
 * Client-supplied strings appear in a summary only when at least K_ANONYMITY instances reported
 * them that day, or when they are on one of these lists of well-known, non-identifying names.
 * Everything else is counted as "Other". Schema enums (OS, architecture) are allowlisted by the schema.
 */
export const K_ANONYMITY = 5;
export const OTHER = 'Other';

export const KNOWN_FS_TYPES: ReadonlySet<string> = new Set([
  // Linux names as Navidrome reports them (core/metrics/insights_linux.go) and as Candor does.
  'afs', 'autofs', 'aufs', 'btrfs', 'ceph', 'cifs', 'cramfs', 'ecryptfs', 'exfat', 'ext2/ext3/ext4', 'ext2', 'ext3', 'ext4',
  'f2fs', 'fakeowner', 'fuse', 'fuseblk', 'hfs', 'hfs+', 'iso9660', 'jfs', 'nfs', 'nfs4', 'ntfs', 'ntfs3', 'overlayfs', 'overlay',
  'smb', 'smb2', 'smb3', 'squashfs', 'tmpfs', 'v9fs', 'vboxsf', 'vfat', 'virtiofs', 'xfs', 'zfs', 'prlfs', 'mergerfs', 'bcachefs',
  // macOS and Windows.
  'apfs', 'smbfs', 'msdos', 'macfuse', 'osxfuse', 'NTFS', 'ReFS', 'FAT32', 'FAT', 'exFAT',
]);

export const KNOWN_SUFFIXES: ReadonlySet<string> = new Set([
  'mp3', 'flac', 'm4a', 'm4b', 'mp4', 'aac', 'alac', 'ogg', 'oga', 'opus', 'wav', 'wma', 'aif', 'aiff', 'ape', 'wv', 'dsf', 'dff',
  'mpc', 'mka', 'webm', 'tta', 'mp2', 'spx',
]);

export const KNOWN_PLAYERS: ReadonlySet<string> = new Set([
  'NavidromeUI', 'Symfonium', 'DSub', 'DSub2000', 'Ultrasonic', 'substreamer', 'Tempo', 'Tempus', 'feishin', 'Feishin', 'Sonixd',
  'Amperfy', 'supersonic', 'Supersonic', 'Submariner', 'Jamstash', 'Sublime Music', 'Youamp', 'Narjo', 'Castafiore',
  'Aonsoku', 'Arpeggi', 'Other',
]);

export const KNOWN_SERVER_TYPES: ReadonlySet<string> = new Set([
  'navidrome', 'gonic', 'airsonic', 'airsonic-advanced', 'subsonic', 'supysonic', 'ampache', 'funkwhale', 'lms', 'nextcloud-music',
]);

export const KNOWN_DISTROS: ReadonlySet<string> = new Set([
  'debian', 'ubuntu', 'alpine', 'fedora', 'arch', 'archarm', 'centos', 'rhel', 'rocky', 'almalinux', 'opensuse-leap',
  'opensuse-tumbleweed', 'raspbian', 'linuxmint', 'nixos', 'gentoo', 'void', 'manjaro', 'manjaro-arm', 'pop', 'endeavouros',
  'amzn', 'ol', 'photon', 'freebsd', 'truenas', 'unraid', 'openwrt', 'slackware', 'elementary', 'zorin', 'kali', 'pureos',
]);
