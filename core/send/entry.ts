import type { ConsentState, Trigger } from '../../shared/api-contract';
import { countsOf, type StoredEntry } from '../history/history-store';
import type { BuiltReport } from '../report/builder';

/** What every history entry of a report says, whatever became of it (sent, kept, exported…). */
export type EntryBase = Omit<StoredEntry, 'durationMs' | 'outcome' | 'message'>;

export function entryBase(
  uuid: string,
  at: number,
  trigger: Trigger,
  endpoint: string,
  built: BuiltReport,
  consent: Pick<ConsentState, 'level' | 'categories'>,
): EntryBase {
  return {
    id: uuid.replace(/-/g, '').slice(0, 20),
    at: new Date(at).toISOString(),
    trigger,
    level: consent.level,
    categories: consent.categories,
    endpoint,
    sha256: built.report.sha256,
    size: built.report.size,
    body: built.report.text,
    counts: countsOf(built.report.text),
  };
}
