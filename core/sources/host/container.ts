import { posix } from 'node:path';
import { existsWithin, readTextOrUndefined, type Deadline, type HostDeps } from './deps';
import { findMount, parseMountinfo } from './mountinfo';

/**
 * Evidence that this process runs in a container:
 * - `navidrome-image`: `/.nddockerenv`, the marker Navidrome's own Docker image
 *   creates; it is the *only* thing Navidrome's `containerized` looks at, so a
 *   caller mirroring Navidrome's field exactly should test for this signal.
 * - `dockerenv`: `/.dockerenv`, created by Docker, but also left behind in VMs and
 *   chroots built from Docker images, so on its own it does not count.
 * - `containerenv`: `/run/.containerenv`, created by Podman.
 * - `systemd-container`: `/run/systemd/container`, written by systemd inside nspawn/LXC.
 * - `cgroup`: our cgroup path names a container runtime (cgroup v1, or v2 without a namespace).
 * - `overlay-root`: `/` is an overlay/aufs mount, the usual image storage.
 */
export type ContainerSignal = 'navidrome-image' | 'dockerenv' | 'containerenv' | 'systemd-container' | 'cgroup' | 'overlay-root';

export interface ContainerVerdict {
  containerized: boolean;
  containerSignals: ContainerSignal[];
}

const RUNTIME_CGROUP = /\/(docker|libpod|crio|cri-containerd)[-/][0-9a-f]{12,}|\/kubepods[./]|\/lxc(\.payload)?[./]|\/actions_job\//;

const OVERLAY_ROOT_TYPES = new Set(['overlay', 'aufs', 'fuse.fuse-overlayfs']);

export async function detectContainer(d: HostDeps, deadline: Deadline): Promise<ContainerVerdict> {
  if (d.platform !== 'linux') return { containerized: false, containerSignals: [] };
  const markers: Array<[ContainerSignal, string]> = [
    ['navidrome-image', '.nddockerenv'],
    ['dockerenv', '.dockerenv'],
    ['containerenv', 'run/.containerenv'],
    ['systemd-container', 'run/systemd/container'],
  ];
  const [markerHits, cgroup, mountinfo] = await Promise.all([
    Promise.all(markers.map(([, file]) => existsWithin(d, posix.join(d.rootDir, file), deadline))),
    readTextOrUndefined(d, posix.join(d.procRoot, 'self/cgroup'), deadline),
    readTextOrUndefined(d, posix.join(d.procRoot, 'self/mountinfo'), deadline),
  ]);

  const signals = markers.filter((_, i) => markerHits[i]).map(([signal]) => signal);
  if (cgroup && cgroupNamesRuntime(cgroup)) signals.push('cgroup');
  const root = mountinfo
    ? findMount(
        '/',
        parseMountinfo(mountinfo).filter((m) => m.mountPoint === '/'),
      )
    : undefined;
  if (root && OVERLAY_ROOT_TYPES.has(root.fstype)) signals.push('overlay-root');

  return {
    containerized: signals.some((signal) => signal !== 'dockerenv'),
    containerSignals: signals,
  };
}

/** Lines are `hierarchy:controllers:path`; only the path says where we run. */
export function cgroupNamesRuntime(cgroupFile: string): boolean {
  return cgroupFile.split('\n').some((line) => RUNTIME_CGROUP.test(line.split(':').slice(2).join(':')));
}
