import fsp from 'node:fs/promises';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { filesystemType } from '../../../../core/sources/host';
import type { HostFs } from '../../../../core/sources/host/deps';
import { magicFromStatfsType, navidromeFsName } from '../../../../core/sources/host/fs-names';
import { goArch } from '../../../../core/sources/host/go-names';
import { enoent, mountLine, never, recordingFs, removeTree, writeTree, type FsCall } from './fixtures';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map(removeTree));
});

const NETWORK_POINTS = ['/mnt/nfs', '/mnt/ssh', '/mnt/smb', '/mnt/smb3', '/mnt/9p', '/mnt/weird-remote'];

const TABLE = [
  mountLine(1, '/', 'ext4', '/dev/sda1'),
  mountLine(2, '/home', 'btrfs', '/dev/sda2', 'shared:2 master:1'),
  mountLine(3, '/srv/music', 'ext4', '/dev/sda1', ''), // a bind mount shows the source fs
  mountLine(4, '/var/lib/docker/overlay2/x/merged', 'overlay', 'overlay'),
  mountLine(5, '/dev/shm', 'tmpfs', 'tmpfs'),
  mountLine(6, '/mnt/nfs', 'nfs4', 'nas:/export'),
  mountLine(7, '/mnt/ssh', 'fuse.sshfs', 'me@box:/music'),
  mountLine(8, '/mnt/smb', 'cifs', '//nas/music'),
  mountLine(9, '/mnt/smb3', 'smb3', '//nas/music'),
  mountLine(10, '/mnt/9p', '9p', 'hostshare'),
  mountLine(11, '/mnt/weird-remote', 'mysteryfs', 'far:/away'),
  mountLine(12, '/mnt/nfs/local\\040cache', 'tmpfs', 'tmpfs'),
  mountLine(13, '/opt/odd', 'mysteryfs', '/dev/sdz'),
].join('\n');

/** Fixture /proc with `mountinfo`, plus an fs that records every call and never touches real paths. */
async function setup(mountinfo: string | undefined, overrides: Partial<HostFs> = {}) {
  const root = await writeTree(mountinfo === undefined ? { 'proc/.keep': '' } : { 'proc/self/mountinfo': mountinfo });
  roots.push(root);
  const links = new Map<string, string>([
    ['/home/me/Music', '/mnt/nfs/music'],
    ['/home/me/cache', '/dev/shm/cache'],
    ['/data', '/srv/music'],
  ]);
  const { fs, calls } = recordingFs({
    realpath: (p) => Promise.resolve(p),
    lstat: (p) => Promise.resolve({ isSymbolicLink: () => links.has(p) }),
    readlink: async (p) => links.get(p) ?? Promise.reject(Object.assign(new Error('EINVAL'), { code: 'EINVAL' })),
    statfs: () => Promise.resolve({ type: 0x12345678n }),
    ...overrides,
  });
  return { deps: { procRoot: `${root}/proc`, platform: 'linux' as const, arch: 'x64', fs }, calls };
}

function touchedUnder(calls: FsCall[], points: string[]): FsCall[] {
  return calls.filter((c) => c.method !== 'readFile' && points.some((p) => c.path === p || c.path.startsWith(`${p}/`)));
}

describe('filesystemType from a fixture mountinfo', () => {
  it.each([
    ['/srv/music/Album', 'ext2/ext3/ext4'],
    ['/home/me', 'btrfs'],
    ['/var/lib/docker/overlay2/x/merged/etc', 'overlayfs'],
    ['/dev/shm/a', 'tmpfs'],
    ['/mnt/nfs/music', 'nfs'],
    ['/mnt/ssh', 'fuse'],
    ['/mnt/smb/a/b', 'cifs'],
    ['/mnt/smb3/a', 'cifs'],
    ['/mnt/9p/a', 'v9fs'],
    ['/mnt/nfs/local cache/x', 'tmpfs'],
    ['/srv/music/../music/./x', 'ext2/ext3/ext4'],
  ])('%s is %s', async (path, type) => {
    const { deps } = await setup(TABLE);
    expect(await filesystemType(path, deps)).toEqual({ ok: true, type });
  });

  it('never stats, statfs-es or resolves anything on a network or FUSE mount', async () => {
    const { deps, calls } = await setup(TABLE);
    const paths = ['/mnt/nfs/music', '/mnt/ssh/x', '/mnt/smb/y', '/mnt/smb3', '/mnt/9p/z', '/home/me/Music/Album', '/mnt/weird-remote/a'];
    const results = await Promise.all(paths.map((p) => filesystemType(p, deps)));
    expect(results.map((r) => (r.ok ? r.type : r.reason))).toEqual(['nfs', 'fuse', 'cifs', 'cifs', 'v9fs', 'nfs', 'unsupported']);
    expect(touchedUnder(calls, NETWORK_POINTS)).toEqual([]);
    expect(calls.filter((c) => c.method === 'statfs' || c.method === 'realpath')).toEqual([]);
  });

  it('follows local symlinks step by step when untouchable mounts exist', async () => {
    const { deps, calls } = await setup(TABLE);
    expect(await filesystemType('/home/me/cache/x', deps)).toEqual({ ok: true, type: 'tmpfs' });
    expect(await filesystemType('/data/Album', deps)).toEqual({ ok: true, type: 'ext2/ext3/ext4' });
    expect(calls.some((c) => c.method === 'readlink' && c.path === '/home/me/cache')).toBe(true);
  });

  it('uses one realpath call when no mount is untouchable', async () => {
    const localOnly = TABLE.split('\n')
      .filter((line) => !/nfs|sshfs|cifs|smb3|9p|far:/.test(line))
      .join('\n');
    const { deps, calls } = await setup(localOnly, { realpath: () => Promise.resolve('/dev/shm/real') });
    expect(await filesystemType('/anything/here', deps)).toEqual({ ok: true, type: 'tmpfs' });
    expect(calls.filter((c) => c.method !== 'readFile').map((c) => c.method)).toEqual(['realpath']);
  });

  it('asks statfs about a local fstype it cannot name, on the resolved path', async () => {
    const { deps, calls } = await setup(TABLE, { statfs: () => Promise.resolve({ type: 0x2fc12fc1n }) });
    expect(await filesystemType('/opt/odd/x', deps)).toEqual({ ok: true, type: 'zfs' });
    expect(calls.filter((c) => c.method === 'statfs').map((c) => c.path)).toEqual(['/opt/odd/x']);
  });

  it('formats unknown magics the way Go does, including a 32-bit wrap', async () => {
    const { deps } = await setup(TABLE, { statfs: () => Promise.resolve({ type: 0xffffffff858458f6n }) });
    expect(await filesystemType('/opt/odd', { ...deps, arch: 'arm' })).toEqual({ ok: true, type: 'unknown(0x-7a7ba70a)' });
    expect(await filesystemType('/opt/odd', deps)).toEqual({ ok: true, type: 'unknown(0x858458f6)' });
  });

  it('falls back to statfs when there is no mountinfo', async () => {
    const { deps, calls } = await setup(undefined, { statfs: () => Promise.resolve({ type: 0x58465342n }) });
    expect(await filesystemType('/srv', deps)).toEqual({ ok: true, type: 'xfs' });
    expect(calls.map((c) => c.method)).toEqual(['readFile', 'statfs']);
  });
});

describe('filesystemType failures', () => {
  it('times out, without throwing, when statfs never settles', async () => {
    const { deps } = await setup(TABLE, { statfs: never });
    const started = performance.now();
    const result = await filesystemType('/opt/odd', { ...deps, timeoutMs: 150 });
    const elapsed = performance.now() - started;
    expect(result).toEqual({ ok: false, reason: 'timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
  });

  it('times out when resolving the path hangs', async () => {
    const { deps } = await setup(TABLE, { lstat: never });
    expect(await filesystemType('/srv/music', { ...deps, timeoutMs: 100 })).toEqual({ ok: false, reason: 'timeout' });
  });

  it('times out when even the mount table hangs', async () => {
    const { deps } = await setup(TABLE, { readFile: never });
    expect(await filesystemType('/srv/music', { ...deps, timeoutMs: 100 })).toEqual({ ok: false, reason: 'timeout' });
  });

  it('reports a missing folder as not-found', async () => {
    const { deps } = await setup(TABLE, { lstat: async (p) => Promise.reject(enoent(p)) });
    expect(await filesystemType('/srv/music/gone', deps)).toEqual({ ok: false, reason: 'not-found' });
  });

  it('reports other errors as error', async () => {
    const denied = Object.assign(new Error('EACCES'), { code: 'EACCES' });
    const { deps } = await setup(TABLE, { lstat: async () => Promise.reject(denied) });
    expect(await filesystemType('/srv/music', deps)).toEqual({ ok: false, reason: 'error' });
  });

  it.each(['music', './data', 'C:\\Music', '\\\\nas\\music', 'smb://nas/music', '//nas/music'])('%s does not name a place on this host', async (path) => {
    const { deps, calls } = await setup(TABLE);
    expect(await filesystemType(path, deps)).toEqual({ ok: false, reason: 'not-on-this-host' });
    expect(calls).toEqual([]);
  });

  it('is unsupported off Linux', async () => {
    const { deps, calls } = await setup(TABLE);
    expect(await filesystemType('/Users/me/Music', { ...deps, platform: 'darwin' })).toEqual({
      ok: false,
      reason: 'unsupported',
    });
    expect(calls).toEqual([]);
  });
});

describe.runIf(process.platform === 'linux')('filesystemType on this machine', () => {
  it.each([os.tmpdir(), '/proc', '/', process.cwd(), '/dev/shm'])('%s agrees with statfs', async (folder) => {
    const exists = await fsp.access(folder).then(
      () => true,
      () => false,
    );
    if (!exists) return;
    const result = await filesystemType(folder);
    const magic = magicFromStatfsType((await fsp.statfs(folder, { bigint: true })).type);
    expect(result).toEqual({ ok: true, type: navidromeFsName(magic, goArch(process.arch, os.endianness())) });
  });

  it('names /proc proc', async () => {
    expect(await filesystemType('/proc')).toEqual({ ok: true, type: 'proc' });
  });
});
