import { describe, expect, it } from 'vitest';
import { findMount, isUntouchable, parseMountinfo, unescapeMountField } from '../../../../core/sources/host/mountinfo';
import { magicForKernelType, magicFromStatfsType, navidromeFsName } from '../../../../core/sources/host/fs-names';

const MOUNTINFO = [
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '40 27 0:40 / /mnt/My\\040Music rw shared:5 master:2 - ext4 /dev/sdb1 rw',
  '41 27 0:41 / /mnt/tab\\011and\\134slash rw - xfs /dev/sdc1 rw',
  '42 27 254:0 /srv/music /music rw - ext4 /dev/vda rw',
  '43 27 0:43 / /srv/nas rw - nfs4 nas.local:/export/music rw',
  '44 27 0:44 / /srv/ssh rw - fuse.sshfs me@box:/music rw',
  '45 27 0:45 / /srv/smb rw - cifs //nas/music rw',
  '46 43 0:46 / /srv/nas/scratch rw - tmpfs tmpfs rw',
  '47 27 0:47 / /srv/nasty rw - btrfs /dev/sdd rw',
  'garbage line',
  '',
].join('\n');

describe('parseMountinfo', () => {
  const mounts = parseMountinfo(MOUNTINFO);

  it('skips malformed lines and reads fstype after the separator whatever the optional fields', () => {
    expect(mounts).toHaveLength(10);
    expect(mounts.map((m) => m.fstype)).toEqual(['proc', 'ext4', 'ext4', 'xfs', 'ext4', 'nfs4', 'fuse.sshfs', 'cifs', 'tmpfs', 'btrfs']);
  });

  it('decodes octal escapes in mount points', () => {
    expect(mounts[2]?.mountPoint).toBe('/mnt/My Music');
    expect(mounts[3]?.mountPoint).toBe('/mnt/tab\tand\\slash');
    expect(unescapeMountField('a\\012b')).toBe('a\nb');
  });

  it.each([
    ['/mnt/My Music/Album', '/mnt/My Music', 'ext4'],
    ['/mnt/My', '/', 'ext4'],
    ['/music/a', '/music', 'ext4'],
    ['/srv/nas/x', '/srv/nas', 'nfs4'],
    ['/srv/nas/scratch/y', '/srv/nas/scratch', 'tmpfs'],
    ['/srv/nasty/z', '/srv/nasty', 'btrfs'],
    ['/srv/nas', '/srv/nas', 'nfs4'],
    ['/proc/self', '/proc', 'proc'],
  ])('%s lives on %s (longest whole-segment prefix)', (path, mountPoint, fstype) => {
    expect(findMount(path, mounts)).toMatchObject({ mountPoint, fstype });
  });

  it('takes the later of two mounts stacked on one point', () => {
    const stacked = parseMountinfo(`${MOUNTINFO}\n50 27 0:50 / /srv/nasty rw - tmpfs tmpfs rw`);
    expect(findMount('/srv/nasty/z', stacked)?.fstype).toBe('tmpfs');
  });

  it('flags network, FUSE and autofs mounts as untouchable, by type or by source', () => {
    const byPoint = (p: string) => mounts.find((m) => m.mountPoint === p);
    expect(['/srv/nas', '/srv/ssh', '/srv/smb'].map((p) => isUntouchable(byPoint(p)!))).toEqual([true, true, true]);
    expect(['/', '/music', '/srv/nas/scratch'].map((p) => isUntouchable(byPoint(p)!))).toEqual([false, false, false]);
    expect(isUntouchable({ mountPoint: '/x', fstype: 'weirdfs', source: 'server:/share' })).toBe(true);
    expect(isUntouchable({ mountPoint: '/x', fstype: 'autofs', source: 'systemd-1' })).toBe(true);
  });
});

describe('Navidrome filesystem names', () => {
  it.each([
    ['ext4', 'amd64', 'ext2/ext3/ext4'],
    ['ext3', 'amd64', 'ext2/ext3/ext4'],
    ['nfs4', 'amd64', 'nfs'],
    ['overlay', 'amd64', 'overlayfs'],
    ['fuse.sshfs', 'amd64', 'fuse'],
    ['fuseblk', 'arm64', 'fuse'],
    ['smb3', 'amd64', 'cifs'],
    ['9p', 'amd64', 'v9fs'],
    ['hfsplus', 'amd64', 'hfs+'],
    ['ntfs3', 'amd64', 'ntfs'],
    ['devtmpfs', 'amd64', 'tmpfs'],
    ['btrfs', 'arm', 'btrfs'],
    ['cifs', '386', 'cifs'],
    ['bcachefs', 'amd64', 'virtiofs'],
    ['ramfs', 'amd64', 'unknown(0x858458f6)'],
    ['ramfs', 'arm', 'unknown(0x-7a7ba70a)'],
    ['bcachefs', 'arm', 'unknown(0x-35bae5b2)'],
    ['devpts', 'arm', 'unknown(0x1cd1)'],
  ])('%s on %s is %s', (fstype, arch, name) => {
    const magic = magicForKernelType(fstype);
    expect(magic).toBeDefined();
    expect(navidromeFsName(magic!, arch)).toBe(name);
  });

  it('has no magic for types it does not know', () => {
    expect(magicForKernelType('mysteryfs')).toBeUndefined();
    expect(magicForKernelType('constructor')).toBeUndefined();
  });

  it('takes the low 32 bits of a sign-extended statfs type', () => {
    expect(magicFromStatfsType(0xffffffff9123683en)).toBe(0x9123683e);
    expect(magicFromStatfsType(0xef53n)).toBe(0xef53);
    expect(navidromeFsName(magicFromStatfsType(-0x6edc97c2n), 'arm')).toBe('btrfs');
  });
});
