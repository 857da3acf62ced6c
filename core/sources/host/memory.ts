import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { withDefaults, type HostDeps } from './deps';

export interface HostMemory {
  /** Bytes of RAM the kernel manages. */
  hostTotal: number;
  /** Bytes available to new work without swapping (MemAvailable). */
  hostAvailable: number;
}

/**
 * Host memory, cheap enough for the live preview's tick: one small procfs read, no child process
 * (systeminformation's mem() is spawn-free too, but adds its own parsing of many fields we do not
 * need). The read is synchronous on purpose: procfs is kernel memory, never a disk or a network,
 * so it cannot hang, and it takes about 15 µs; the asynchronous way is several thread-pool round trips
 * (open, stat, reads, close), about ten times as long, queued behind any slow filesystem call in the pool.
 */
export function readMemory(deps?: Partial<HostDeps>): Promise<HostMemory> {
  const d = withDefaults(deps);
  if (d.platform === 'linux') {
    const parsed = parseMeminfo(readTextSync(posix.join(d.procRoot, 'meminfo')));
    if (parsed) return Promise.resolve(parsed);
  }
  return Promise.resolve({ hostTotal: d.totalMem(), hostAvailable: d.freeMem() });
}

function readTextSync(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * MemAvailable appeared in Linux 3.14; on older kernels the usual estimate is
 * free + buffers + page cache. Returns undefined when MemTotal is missing.
 */
export function parseMeminfo(text: string): HostMemory | undefined {
  const kib = new Map<string, number>();
  for (const match of text.matchAll(/^(\w+):\s+(\d+) kB$/gm)) {
    kib.set(match[1] as string, Number(match[2]));
  }
  const total = kib.get('MemTotal');
  if (total === undefined) return undefined;
  const available = kib.get('MemAvailable') ?? (kib.get('MemFree') ?? 0) + (kib.get('Buffers') ?? 0) + (kib.get('Cached') ?? 0);
  return { hostTotal: total * 1024, hostAvailable: available * 1024 };
}
