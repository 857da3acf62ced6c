import { useSyncExternalStore } from 'react';
import { formatAbsolute, formatRelative } from '../helpers/format';

// One shared ticker for every relative time on screen.
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 30_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** The shared time, at most 30 s old even while no ticker runs (a freshly mounted time is exact enough). */
function snapshot(): number {
  const current = Date.now();
  if (current - now >= 30_000) now = current;
  return now;
}

export function useNow(): number {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

/**
 * "3 hours ago", with the absolute local date as the tooltip and in `dateTime`. `past` marks
 * something that has happened: the shared clock may lag it by a few seconds, and it still reads
 * "just now", never "in a moment".
 */
export function TimeAgo({ at, absolute = false, past = false }: { at: string; absolute?: boolean; past?: boolean }) {
  const now = useNow();
  const relative = formatRelative(at, past ? Math.max(now, Date.parse(at)) : now);
  const full = formatAbsolute(at);
  return (
    <time dateTime={at} title={full}>
      {absolute ? `${relative} (${full})` : relative}
    </time>
  );
}
