import { useSyncExternalStore } from 'react';
import { formatAbsolute, formatRelative } from '../lib/format';

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

export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now, () => now);
}

/** "3 hours ago", with the absolute local date as the tooltip and in `dateTime`. */
export function TimeAgo({ at, absolute = false }: { at: string; absolute?: boolean }) {
  const current = useNow();
  // `current` ticks every 30 s; Date.now() keeps a freshly mounted time exact.
  const relative = formatRelative(at, Math.max(current, Date.now()));
  const full = formatAbsolute(at);
  return (
    <time dateTime={at} title={full}>
      {absolute ? `${relative} (${full})` : relative}
    </time>
  );
}
