import { posix } from 'node:path';
import { Deadline, readTextOrUndefined, withDefaults, type HostDeps } from './deps';
import { detectContainer, type ContainerSignal } from './container';
import { goArch, goOS } from './go-names';

export interface HostFacts {
  os: {
    /** Go's GOOS name (linux, darwin, windows…). */
    type: string;
    /** Go's GOARCH name (amd64, arm64, 386…). */
    arch: string;
    numCPU: number;
    /** os-release ID on Linux; absent elsewhere, as in Navidrome's report. */
    distro?: string;
    version?: string;
    containerized: boolean;
    containerSignals: ContainerSignal[];
  };
}

/**
 * Static facts about this host, in the shape and spelling of Navidrome's `os`
 * section. Costly enough to cache; never throws. Deliberately avoids
 * systeminformation's osInfo/system: they spawn processes and return the host
 * name, FQDN and machine-id, none of which may reach an anonymous report.
 */
export async function readHostFacts(deps?: Partial<HostDeps>): Promise<HostFacts> {
  const d = withDefaults(deps);
  const deadline = new Deadline(d.timeoutMs);
  const [release, numCPU, container] = await Promise.all([readOsVersion(d, deadline), countCpus(d, deadline), detectContainer(d, deadline)]);
  return {
    os: {
      type: goOS(d.platform),
      arch: goArch(d.arch, d.endianness),
      numCPU,
      ...(release.distro ? { distro: release.distro } : {}),
      ...(release.version ? { version: release.version } : {}),
      ...container,
    },
  };
}

interface OsVersion {
  distro: string;
  version: string;
}

async function readOsVersion(d: HostDeps, deadline: Deadline): Promise<OsVersion> {
  switch (d.platform) {
    case 'linux': {
      const text = await readTextOrUndefined(d, posix.join(d.etcRoot, 'os-release'), deadline);
      return text === undefined ? { distro: '', version: '' } : parseOsRelease(text);
    }
    case 'darwin': {
      // Navidrome runs `sw_vers -productVersion`; sw_vers reads this plist, so we
      // read it directly instead of spawning.
      const plist = await readTextOrUndefined(d, posix.join(d.rootDir, 'System/Library/CoreServices/SystemVersion.plist'), deadline);
      return { distro: '', version: plist ? productVersion(plist) : '' };
    }
    case 'win32':
      // Navidrome parses `cmd /c ver` ("10.0.26100.1742"). Without a child process
      // or the registry we get the same major.minor.build but not the trailing
      // update revision.
      return { distro: '', version: d.osRelease() };
    default:
      return { distro: '', version: '' };
  }
}

/**
 * Reads ID and VERSION_ID the way Navidrome does, quirks included: only lines that
 * start exactly with the key count, the last one wins, double quotes are removed
 * anywhere in the value, nothing is trimmed, and single quotes are kept.
 */
export function parseOsRelease(text: string): OsVersion {
  let distro = '';
  let version = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('VERSION_ID=')) version = line.slice('VERSION_ID='.length).replaceAll('"', '');
    if (line.startsWith('ID=')) distro = line.slice('ID='.length).replaceAll('"', '');
  }
  return { distro, version };
}

export function productVersion(plist: string): string {
  return /<key>ProductVersion<\/key>\s*<string>([^<]*)<\/string>/.exec(plist)?.[1]?.trim() ?? '';
}

/**
 * Go's runtime.NumCPU counts the CPUs in the process's affinity mask on Linux.
 * Cpus_allowed_list is that mask, so reading it matches Go whatever libuv version
 * (and cgroup handling) os.availableParallelism() happens to have.
 */
async function countCpus(d: HostDeps, deadline: Deadline): Promise<number> {
  if (d.platform === 'linux') {
    const status = await readTextOrUndefined(d, posix.join(d.procRoot, 'self/status'), deadline);
    const list = status && /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
    const count = list ? countCpuList(list) : 0;
    if (count > 0) return count;
  }
  return d.cpuCount();
}

/** Counts a kernel CPU list such as `0-3,8,10-11`; 0 when it does not parse. */
export function countCpuList(list: string): number {
  let count = 0;
  for (const range of list.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!match) return 0;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) return 0;
    count += last - first + 1;
  }
  return count;
}
