import { readFileSync } from 'node:fs';

/**
 * Who holds a lock or a lease: enough to tell, from another process, whether that holder is still
 * alive. A pid alone is not enough (pids are reused, and a reboot resets them): the boot id and the
 * process's start tick pin it down.
 */
export interface ProcessIdentity {
  pid: number;
  bootId: string;
  /** The process's start time in clock ticks since boot (Linux `/proc/<pid>/stat` field 22), when known. */
  startTicks?: number;
  /** Wall-clock ms when the holder took the lock or lease: shown to people. */
  since: number;
  /** What the holder is, in words: "candor run", "candor serve", "the desktop app". */
  label: string;
}

export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

export function thisProcess(bootId: string, since: number, label: string): ProcessIdentity {
  const startTicks = processStartTicks(process.pid);
  return { pid: process.pid, bootId, ...(startTicks !== undefined ? { startTicks } : {}), since, label };
}

/** Whether the process an identity names is still running (this boot, same pid, same start). */
export function isAlive(holder: ProcessIdentity, currentBootId: string): boolean {
  if (holder.bootId !== currentBootId) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (holder.startTicks === undefined) return true;
  const ticks = processStartTicks(holder.pid);
  return ticks === undefined || ticks === holder.startTicks;
}

export function parseIdentity(text: string): ProcessIdentity | null {
  try {
    const value = JSON.parse(text) as Partial<ProcessIdentity> | null;
    if (!value || typeof value !== 'object') return null;
    if (!Number.isInteger(value.pid) || typeof value.bootId !== 'string' || typeof value.since !== 'number' || typeof value.label !== 'string') return null;
    return {
      pid: value.pid!,
      bootId: value.bootId,
      ...(Number.isInteger(value.startTicks) ? { startTicks: value.startTicks! } : {}),
      since: value.since,
      label: value.label.slice(0, 64),
    };
  } catch {
    return null;
  }
}
