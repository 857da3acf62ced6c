/**
 * The exact report for any set of categories, without changing the choice: what the level picker
 * shows for the level it points at. The current level's report is the store's live preview (asking
 * the agent for it would rebuild and publish it again); any other is asked for once and kept while
 * the picker is open, so moving back and forth between levels shows each one at once.
 */
import { useEffect, useRef, useState } from 'react';
import type { PolicyCategory, PreviewView } from '../../shared/api-contract';
import { liveLevel } from '../helpers/levels';
import { useApi, useCandor } from './context';
import { messageOf } from './messages';

export interface LevelPreviewState {
  /** The report for the categories asked, or null (none asked, or not read yet). */
  preview: PreviewView | null;
  /** True while the report shown is not yet the one asked for. */
  loading: boolean;
  error: string | null;
}

export function useLevelPreview(categories: readonly PolicyCategory[] | null): LevelPreviewState {
  const api = useApi();
  const live = useCandor((s) => s.preview);
  const liveKey = useCandor((s) => (s.status ? liveLevel(s.status.consent).categories.join() : null));
  const cache = useRef(new Map<string, PreviewView>());
  const [fetched, setFetched] = useState<{ key: string; preview: PreviewView | null; error: string | null } | null>(null);
  const key = categories ? categories.join() : null;
  const isLive = key !== null && key === liveKey && live !== null;

  useEffect(() => {
    if (key === null || isLive) return undefined;
    const known = cache.current.get(key);
    if (known) {
      setFetched({ key, preview: known, error: null });
      return undefined;
    }
    let current = true;
    api.getPreview({ categories: key.split(',') as PolicyCategory[] }).then(
      (preview) => {
        cache.current.set(key, preview);
        if (current) setFetched({ key, preview, error: null });
      },
      (error) => {
        if (current) setFetched({ key, preview: null, error: messageOf(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [api, key, isLive]);

  if (key === null) return { preview: null, loading: false, error: null };
  if (isLive) return { preview: live, loading: false, error: null };
  const done = fetched?.key === key;
  // While the next level's report is on its way, the last one stays (marked as loading) rather than flashing away.
  return { preview: fetched?.preview ?? null, loading: !done, error: done ? fetched.error : null };
}
