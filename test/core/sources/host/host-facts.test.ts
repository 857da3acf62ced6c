import fsp from 'node:fs/promises';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { readHostFacts } from '../../../../core/sources/host';
import { cgroupNamesRuntime } from '../../../../core/sources/host/container';
import { goArch, goOS } from '../../../../core/sources/host/go-names';
import { countCpuList, parseOsRelease } from '../../../../core/sources/host/host-facts';
import { mountLine, removeTree, writeTree } from './fixtures';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map(removeTree));
});

/** A fake host: `files` relative to one root that serves as rootDir, with proc/ and etc/ inside. */
async function fakeHost(files: Record<string, string>) {
  const root = await writeTree(files);
  roots.push(root);
  return {
    rootDir: root,
    procRoot: `${root}/proc`,
    etcRoot: `${root}/etc`,
    platform: 'linux' as const,
    arch: 'x64',
    cpuCount: () => 3,
  };
}

const ROOT_EXT4 = mountLine(20, '/', 'ext4', '/dev/sda1');

describe('parseOsRelease', () => {
  it('reads quoted and unquoted ID / VERSION_ID, ignoring look-alike keys', () => {
    const text = 'NAME="Ubuntu"\nID_LIKE=debian\nVERSION="24.04 LTS"\nID=ubuntu\nVERSION_ID="24.04"\n';
    expect(parseOsRelease(text)).toEqual({ distro: 'ubuntu', version: '24.04' });
  });

  it('keeps Navidrome quirks: last line wins, single quotes and spaces stay', () => {
    const text = "ID=first\nID='alpine'\nVERSION_ID= 3.20\n";
    expect(parseOsRelease(text)).toEqual({ distro: "'alpine'", version: ' 3.20' });
  });

  it('gives empty strings when the keys are absent', () => {
    expect(parseOsRelease('NAME=Arch\n')).toEqual({ distro: '', version: '' });
  });
});

describe('Go names', () => {
  it.each([
    ['x64', 'LE', 'amd64'],
    ['ia32', 'LE', '386'],
    ['arm', 'LE', 'arm'],
    ['arm64', 'LE', 'arm64'],
    ['ppc64', 'LE', 'ppc64le'],
    ['ppc64', 'BE', 'ppc64'],
    ['mipsel', 'LE', 'mipsle'],
    ['riscv64', 'LE', 'riscv64'],
    ['s390x', 'BE', 's390x'],
    ['loong64', 'LE', 'loong64'],
    ['wasm', 'LE', 'wasm'],
  ] as const)('arch %s (%s) is %s', (node, endian, go) => {
    expect(goArch(node, endian)).toBe(go);
  });

  it.each([
    ['win32', 'windows'],
    ['darwin', 'darwin'],
    ['linux', 'linux'],
    ['freebsd', 'freebsd'],
    ['sunos', 'solaris'],
    ['haiku', 'haiku'],
  ])('platform %s is %s', (node, go) => {
    expect(goOS(node)).toBe(go);
  });
});

describe('readHostFacts', () => {
  it('reads distro and version from the fixture os-release and maps names', async () => {
    const host = await fakeHost({ 'etc/os-release': 'ID="fedora"\nVERSION_ID=41\n', 'proc/self/mountinfo': ROOT_EXT4 });
    const facts = await readHostFacts({ ...host, arch: 'arm64' });
    expect(facts.os).toMatchObject({ type: 'linux', arch: 'arm64', distro: 'fedora', version: '41' });
  });

  it('omits distro and version when os-release is missing, as Navidrome does', async () => {
    const host = await fakeHost({ 'proc/self/mountinfo': ROOT_EXT4 });
    const facts = await readHostFacts(host);
    expect(facts.os).not.toHaveProperty('distro');
    expect(facts.os).not.toHaveProperty('version');
  });

  it('counts CPUs from the affinity list, falling back to cpuCount', async () => {
    const pinned = await fakeHost({ 'proc/self/status': 'Name:\tx\nCpus_allowed_list:\t0-3,8,10-11\n' });
    expect((await readHostFacts(pinned)).os.numCPU).toBe(7);
    const unknown = await fakeHost({});
    expect((await readHostFacts(unknown)).os.numCPU).toBe(3);
    expect(countCpuList('0-3,x')).toBe(0);
  });

  it('reads the macOS product version from SystemVersion.plist', async () => {
    const plist = '<plist><dict><key>ProductName</key><string>macOS</string>' + '<key>ProductVersion</key>\n\t<string>14.5</string></dict></plist>';
    const host = await fakeHost({ 'System/Library/CoreServices/SystemVersion.plist': plist });
    const facts = await readHostFacts({ ...host, platform: 'darwin', arch: 'arm64' });
    expect(facts.os).toMatchObject({ type: 'darwin', arch: 'arm64', version: '14.5', containerized: false });
    expect(facts.os).not.toHaveProperty('distro');
  });

  it('uses the kernel build as the Windows version', async () => {
    const host = await fakeHost({});
    const facts = await readHostFacts({ ...host, platform: 'win32', osRelease: () => '10.0.26100' });
    expect(facts.os).toMatchObject({ type: 'windows', version: '10.0.26100', containerSignals: [] });
  });
});

describe('container signals', () => {
  const cases: Array<[string, Record<string, string>, string[], boolean]> = [
    ['a bare VM', { 'proc/self/mountinfo': ROOT_EXT4, 'proc/self/cgroup': '0::/user.slice\n' }, [], false],
    ['a lone /.dockerenv (VM built from an image)', { '.dockerenv': '', 'proc/self/mountinfo': ROOT_EXT4 }, ['dockerenv'], false],
    ['Navidrome image marker', { '.nddockerenv': '' }, ['navidrome-image'], true],
    ['Podman', { 'run/.containerenv': '' }, ['containerenv'], true],
    ['systemd-nspawn', { 'run/systemd/container': 'systemd-nspawn\n' }, ['systemd-container'], true],
    [
      'Docker on cgroup v1 with overlay root',
      {
        '.dockerenv': '',
        'proc/self/cgroup': `12:memory:/docker/${'ab'.repeat(32)}\n0::/\n`,
        'proc/self/mountinfo': [ROOT_EXT4, mountLine(30, '/', 'overlay', 'overlay', '')].join('\n'),
      },
      ['dockerenv', 'cgroup', 'overlay-root'],
      true,
    ],
    ['the host side of dockerd', { 'proc/self/cgroup': '0::/system.slice/docker.service\n' }, [], false],
  ];

  it.each(cases)('%s', async (_, files, signals, containerized) => {
    const facts = await readHostFacts(await fakeHost(files));
    expect(facts.os.containerSignals).toEqual(signals);
    expect(facts.os.containerized).toBe(containerized);
  });

  it('recognises runtime cgroup paths', () => {
    expect(cgroupNamesRuntime(`0::/system.slice/docker-${'f'.repeat(64)}.scope`)).toBe(true);
    expect(cgroupNamesRuntime('11:cpu:/kubepods/besteffort/pod1/abc')).toBe(true);
    expect(cgroupNamesRuntime('0::/lxc.payload.web')).toBe(true);
    expect(cgroupNamesRuntime('0::/init.scope')).toBe(false);
  });
});

describe('readHostFacts on this machine', () => {
  it('returns plausible facts made only of known fields and tokens', async () => {
    const facts = await readHostFacts();
    expect(facts.os.numCPU).toBeGreaterThan(0);
    expect(Object.keys(facts)).toEqual(['os']);
    const allowed = ['type', 'arch', 'numCPU', 'distro', 'version', 'containerized', 'containerSignals'];
    expect(Object.keys(facts.os).filter((key) => !allowed.includes(key))).toEqual([]);
    const tokens = ['navidrome-image', 'dockerenv', 'containerenv', 'systemd-container', 'cgroup', 'overlay-root'];
    expect(facts.os.containerSignals.filter((signal) => !tokens.includes(signal))).toEqual([]);
    // The free-text fields come from os-release, never from the host's identity.
    const release = await fsp.readFile('/etc/os-release', 'utf8').catch(() => '');
    if (facts.os.distro) expect(release).toContain(facts.os.distro);
    expect(`${facts.os.type} ${facts.os.arch}`).not.toContain(os.hostname());
  });
});
