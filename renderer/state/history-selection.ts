import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { HistoryEntry, HistorySummary } from '../../shared/api-contract';
import { messageOf } from './messages';
import { useApi } from './context';

/** How long the selection must rest before an entry's bytes are fetched (arrow keys move fast). */
const SETTLE_MS = 120;

/**
 * Which history entry is selected, and its full bytes once the selection settles. A row picked
 * before it was loaded is asked for and selected the moment it arrives; only the answer for the
 * entry still selected is kept.
 */
export function useHistorySelection(entries: readonly (HistorySummary | undefined)[], ensureRange: (start: number, end: number) => void) {
  const api = useApi();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [pendingIndex, setPendingIndex] = useState<number | null>(null);
  const [entry, setEntry] = useState<HistoryEntry | null>(null);
  const [entryError, setEntryError] = useState<string | null>(null);
  const loadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const requested = useRef<string | null>(null);

  useEffect(
    () => () => {
      if (loadTimer.current) clearTimeout(loadTimer.current);
    },
    [],
  );

  const selectedIndex = useMemo(() => {
    if (selectedId === null) return pendingIndex;
    const i = entries.findIndex((e) => e?.id === selectedId);
    return i === -1 ? null : i;
  }, [entries, selectedId, pendingIndex]);

  const openEntry = useCallback(
    (id: string) => {
      requested.current = id;
      if (loadTimer.current) clearTimeout(loadTimer.current);
      // Arrow keys move quickly through the list: fetch the bytes once the user settles.
      loadTimer.current = setTimeout(() => {
        api.getHistoryEntry({ id }).then(
          (full) => {
            if (requested.current === id) {
              setEntry(full);
              setEntryError(null);
            }
          },
          (error) => {
            if (requested.current === id) setEntryError(messageOf(error));
          },
        );
      }, SETTLE_MS);
    },
    [api],
  );

  const select = useCallback(
    (index: number) => {
      const e = entries[index];
      if (!e) {
        setPendingIndex(index);
        setSelectedId(null);
        ensureRange(index, index);
        return;
      }
      setPendingIndex(null);
      setSelectedId(e.id);
    },
    [entries, ensureRange],
  );

  // A row picked before it was loaded is selected the moment it arrives (while rendering, as React
  // adjusts state to new props); the bytes of whatever is selected are then fetched.
  const arrived = pendingIndex !== null ? entries[pendingIndex] : undefined;
  if (arrived) {
    setPendingIndex(null);
    setSelectedId(arrived.id);
  }
  useEffect(() => {
    if (selectedId !== null) openEntry(selectedId);
  }, [selectedId, openEntry]);

  return { selectedIndex, select, entry, entryError, setEntryError };
}
