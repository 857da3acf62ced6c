/**
 * The history search every shell uses (shared/history-filter.ts), through the
 * history store that answers `listHistory`: outcome groups, faceted counts, dates, text in the
 * exact bytes, and a kept answer that follows the file.
 */
import { describe, expect, it } from 'vitest';
import { OUTCOME_FILTERS, type HistoryOutcome } from '../../../shared/api-contract';
import { OUTCOME_GROUP, dateBound, filterHistory } from '../../../shared/history-filter';
import { HistoryStore, type StoredEntry } from '../../../core/history/history-store';
import { tempHome } from '../../support/agent-harness';
import { folderLock } from '../../support/storage';

const T0 = Date.UTC(2026, 10, 20, 12);
const HOUR = 3_600_000;

function entry(n: number, outcome: HistoryOutcome, extra: Partial<StoredEntry> = {}): StoredEntry {
  return {
    id: `e${n}`,
    at: new Date(T0 + n * HOUR).toISOString(),
    trigger: 'schedule',
    level: 'full',
    endpoint: 'https://insights.example.org/collect',
    sha256: 'f'.repeat(64),
    size: 10,
    durationMs: 5,
    outcome,
    message: `m${n}`,
    body: `{"n":${n},"os":{"type":"Linux"}}`,
    ...extra,
  };
}

describe('outcome groups', () => {
  it('put every outcome in one group, or none for an attempt still on the wire', () => {
    expect(OUTCOME_GROUP).toEqual({
      sent: 'sent',
      failed: 'failed',
      'no-answer': 'failed',
      refused: 'not-sent',
      'not-sent': 'not-sent',
      exported: 'exported',
      'kept-locally': 'kept-locally',
      sending: null,
    });
    expect(new Set(Object.values(OUTCOME_GROUP).filter(Boolean))).toEqual(new Set(OUTCOME_FILTERS));
  });
});

describe('filterHistory', () => {
  const entries = [
    entry(0, 'sent'),
    entry(1, 'failed', { level: 'basic' }),
    entry(2, 'no-answer', { body: '{"player":"NavidromeUI"}' }),
    entry(3, 'refused'),
    entry(4, 'sending'),
    entry(5, 'kept-locally', { level: 'local' }),
  ];
  const run = (filter: Parameters<typeof filterHistory>[1]) => {
    const r = filterHistory(entries, filter, (e) => e.body);
    return { ids: r.matches.map((e) => e.id), outcomes: r.outcomes };
  };

  it('counts each outcome group among what passes the other parts (so each choice shows what it would add)', () => {
    expect(run({ outcomes: ['failed'], levels: ['full'] })).toEqual({
      ids: ['e2'],
      outcomes: { sent: 1, failed: 1, 'not-sent': 1, exported: 0, 'kept-locally': 0 },
    });
    // Nothing asked: everything, the attempt on the wire included.
    expect(run({}).ids).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    expect(run({ outcomes: [] }).ids).toHaveLength(6);
  });

  it('finds text in the exact bytes, as a literal, in any case', () => {
    expect(run({ text: 'navidromeui' }).ids).toEqual(['e2']);
    expect(run({ text: 'linux"' }).ids).toEqual(['e0', 'e1', 'e3', 'e4', 'e5']);
    expect(run({ text: '.*' }).ids).toEqual([]);
  });

  it('includes both ends of a date range', () => {
    expect(run({ since: new Date(T0 + HOUR).toISOString(), until: new Date(T0 + 3 * HOUR).toISOString() }).ids).toEqual(['e1', 'e2', 'e3']);
  });
});

describe('dateBound', () => {
  it('reads a day as its first and last local millisecond, a time as an instant, anything else as nothing', () => {
    const start = dateBound('2026-11-25', 'start')!;
    const end = dateBound('2026-11-25', 'end')!;
    expect(new Date(start).getDate()).toBe(25);
    expect(new Date(start).getHours()).toBe(0);
    expect(Date.parse(end) - Date.parse(start)).toBe(24 * HOUR - 1);
    expect(dateBound('2026-11-25T16:05:00+01:00', 'end')).toBe('2026-11-25T15:05:00.000Z');
    expect(dateBound('2026-11-25T16:05Z', 'start')).toBe('2026-11-25T16:05:00.000Z');
    for (const bad of ['2026-02-30', '25/11/2026', 'today', '2026-11-25T25:00Z', '']) expect(dateBound(bad, 'start'), bad).toBeNull();
  });
});

describe('HistoryStore.page with a filter', () => {
  it('answers page by page, with the counts, and follows new entries and a pending attempt that ends', async () => {
    const dir = tempHome('candor-filter-');
    let live = true;
    const store = await HistoryStore.open({
      dir,
      retentionDays: 3650,
      maxEntries: 1000,
      now: () => T0 + 100 * HOUR,
      lock: folderLock(dir),
      inFlight: () => live,
    });
    for (let n = 0; n < 5; n++) await store.append(entry(n, n % 2 ? 'failed' : 'sent'));
    const filter = { outcomes: ['failed' as const] };
    expect(store.page(0, 1, filter)).toMatchObject({ total: 2, unfiltered: 5, entries: [{ id: 'e3' }], outcomes: { sent: 3, failed: 2 } });
    expect(store.page(1, 10, filter).entries.map((e) => e.id)).toEqual(['e1']);

    await store.append({ ...entry(9, 'failed', { message: 'sending…' }), pending: true });
    // On the wire in a live process: "sending", in no group yet.
    expect(store.page(0, 10, filter)).toMatchObject({ total: 2, unfiltered: 6 });
    live = false;
    // Its sender gone: "no answer", a failure (the file did not change, the answer did).
    expect(store.page(0, 10, filter).entries.map((e) => [e.id, e.outcome])).toEqual([
      ['e9', 'no-answer'],
      ['e3', 'failed'],
      ['e1', 'failed'],
    ]);
    await store.append(entry(9, 'sent'));
    expect(store.page(0, 10, filter).total).toBe(2);
    expect(store.page(0, 10, { outcomes: ['sent'] }).entries[0]).toMatchObject({ id: 'e9', outcome: 'sent' });
  });
});
