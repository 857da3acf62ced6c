import { posix } from 'node:path';
import { Deadline, readTextOrUndefined, withDefaults, type HostDeps } from './deps';

export interface ServerProcess {
  pid: number;
  rssBytes: number;
  startTime: Date;
}

export interface ProcStat {
  comm: string;
  state: string;
  /** Clock ticks after boot. */
  startTicks: number;
  rssPages: number;
}

/** The kernel keeps 15 characters of a process name (TASK_COMM_LEN - 1). */
const COMM_LENGTH = 15;
/** Reads in flight at once, so a scan of /proc never fills the libuv pool. */
const SCAN_CONCURRENCY = 8;
/** Used only when VmRSS is unreadable; 64 KiB-page arm64 kernels would read low. */
const ASSUMED_PAGE_SIZE = 4096;

/**
 * A local server process found through procfs (Linux only; elsewhere null, as
 * listing processes there would need a child process). When several match the
 * oldest wins: Navidrome's scanner runs as a child `navidrome` process, and a
 * child always starts after its parent. Never throws.
 */
export async function findServerProcess(deps?: Partial<HostDeps>, names: readonly string[] = ['navidrome']): Promise<ServerProcess | null> {
  const d = withDefaults(deps);
  if (d.platform !== 'linux') return null;
  const deadline = new Deadline(d.timeoutMs);
  const wanted = new Set(names.map((name) => name.slice(0, COMM_LENGTH)));
  try {
    const pids = (await deadline.run(d.fs.readdir(d.procRoot))).filter((entry) => /^\d+$/.test(entry));
    const stats = await mapLimit(pids, SCAN_CONCURRENCY, async (pid) => {
      const text = await readTextOrUndefined(d, posix.join(d.procRoot, pid, 'stat'), deadline);
      const stat = text === undefined ? undefined : parseProcStat(text);
      return stat && wanted.has(stat.comm) && stat.state !== 'Z' && stat.state !== 'X' ? { pid: Number(pid), stat } : undefined;
    });
    const [server] = stats
      .filter((m): m is { pid: number; stat: ProcStat } => m !== undefined)
      .sort((a, b) => a.stat.startTicks - b.stat.startTicks || a.pid - b.pid);
    if (!server) return null;

    const [procStat, status] = await Promise.all([
      readTextOrUndefined(d, posix.join(d.procRoot, 'stat'), deadline),
      readTextOrUndefined(d, posix.join(d.procRoot, String(server.pid), 'status'), deadline),
    ]);
    const bootSeconds = procStat && /^btime (\d+)$/m.exec(procStat)?.[1];
    if (!bootSeconds) return null;
    const vmRssKib = status && /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return {
      pid: server.pid,
      rssBytes: vmRssKib ? Number(vmRssKib) * 1024 : server.stat.rssPages * ASSUMED_PAGE_SIZE,
      // btime has one-second resolution, so the start time is good to about a second.
      startTime: new Date((Number(bootSeconds) + server.stat.startTicks / d.clockTicksPerSecond) * 1000),
    };
  } catch {
    return null;
  }
}

/**
 * `/proc/PID/stat`: `pid (comm) state(3) … starttime(22) vsize rss(24) …`.
 * comm may hold spaces and parentheses, so fields are counted from the last `)`.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const [state, startTicks, rssPages] = [fields[0], fields[19], fields[21]];
  if (!state || startTicks === undefined || rssPages === undefined) return undefined;
  return {
    comm: text.slice(open + 1, close),
    state,
    startTicks: Number(startTicks),
    rssPages: Number(rssPages),
  };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
