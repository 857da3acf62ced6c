/**
 * A day's tally kept report by report (added, replaced, deleted) publishes exactly what counting
 * the day's remaining reports at once publishes: the property behind summaries that follow
 * ingestion without reading the day again. Through the stores, see summary-feed.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Payload } from '../../../shared/schema/payload';
import { DayTally, summarizeDay, type SourcedReport } from '../../../collector/summary/aggregate';
import { K_ANONYMITY } from '../../../collector/summary/threshold';
import { bucketOf, NAMED_SOURCES } from '../../../collector/summary/cell';
import { utcDay } from '../../../collector/retention';
import { candorReport } from '../support/harness';
import { fleetReport, seededId, seededRandom } from '../support/fleet';
import { validateReport } from '../../../collector/validation';
import { IMPORT_SOURCE } from '../../../collector/source-tag';

const ctx = { day: utcDay(Date.UTC(2026, 4, 1)), final: true, incomplete: [] };

type Op = { kind: 'write'; instance: number; seed: number; network: number; imported: boolean } | { kind: 'delete'; instance: number };

/** Few instances and few networks, so that replacements, deletions and small groups are common. */
const ops = (networks: number) =>
  fc.array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('write' as const),
          instance: fc.nat(40),
          seed: fc.nat(),
          network: fc.nat(networks - 1),
          // About one report in six imported: counted, but from no source.
          imported: fc.nat(5).map((n) => n === 0),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), instance: fc.nat(40) }) },
    ),
    { maxLength: 150 },
  );

/** Runs `ops` on a tally and on a plain map of each instance's current report. */
function play(list: Op[]): { tally: DayTally; remaining: SourcedReport[] } {
  const tally = new DayTally();
  const current = new Map<number, SourcedReport>();
  for (const op of list) {
    const old = current.get(op.instance);
    if (old) tally.remove(old.report, old.source);
    if (op.kind === 'delete') {
      current.delete(op.instance);
      continue;
    }
    // Some rows come from before source tags existed (null): they count as one source between them.
    const source = op.imported ? IMPORT_SOURCE : op.network === 0 ? null : `net-${op.network}`;
    const entry = { report: fleetReport(seededRandom(op.seed)) as Payload, source };
    tally.add(entry.report, entry.source);
    current.set(op.instance, entry);
  }
  return { tally, remaining: [...current.values()] };
}

describe('a tally kept report by report', () => {
  it.each([3, 8, 16])('publishes what a recount of the remaining reports publishes (%i networks)', (networks) => {
    let undecided = 0;
    let runs = 0;
    fc.assert(
      fc.property(ops(networks), (list) => {
        runs++;
        const { tally, remaining } = play(list);
        const expected = JSON.stringify(summarizeDay(remaining, ctx));
        const kept = tally.result(ctx);
        // Undecided only when deletions left a cell unable to tell its sources; the summarizer then recounts.
        if (kept === null) undecided++;
        else expect(JSON.stringify(kept)).toBe(expected);
        // Stored and read back, the same tally publishes the same bytes.
        const reread = DayTally.fromStored(tally.stored());
        expect(reread === null ? null : JSON.stringify(reread.result(ctx))).toBe(kept === null ? 'null' : expected);
      }),
      { numRuns: 150 },
    );
    expect(undecided).toBeLessThan(runs / 10);
  });

  it('says when a cell can no longer tell its sources, instead of guessing, and a recount decides', () => {
    const tally = new DayTally();
    const named = Array.from({ length: 8 }, (_, i) => ({ report: candorReport({ version: '0.58.0' }), source: `net-${i}` }));
    const unnamed = Array.from({ length: 3 }, () => ({ report: candorReport({ version: '0.58.0' }), source: 'net-x' }));
    for (const r of [...named, ...unnamed]) tally.add(r.report, r.source);
    expect(tally.result(ctx)!.versions.values).toEqual([{ value: '0.58.0', count: 11 }]);
    // The first eight networks are named in each cell; net-x's three reports wait in one bucket.
    // With five named networks gone, those three may come from one network or from three.
    for (const r of named.slice(0, 5)) tally.remove(r.report, r.source);
    expect(tally.result(ctx)).toBeNull();
    // Four networks in truth: withheld.
    expect(summarizeDay([...named.slice(5), ...unnamed], ctx).versions.values).toEqual([{ value: 'Other', count: 6 }]);
  });

  it('stops counting a bucket as a source once its reports are taken back', () => {
    const tally = new DayTally();
    const named = Array.from({ length: NAMED_SOURCES }, (_, i) => ({ report: candorReport({ version: '0.58.0' }), source: `net-${i}` }));
    // Three further networks, each in a bucket of its own: three more sources, certainly.
    const further: { report: Payload; source: string }[] = [];
    for (let i = 0; further.length < 3; i++) {
      const source = `far-${i}`;
      if (!further.some((r) => bucketOf(r.source) === bucketOf(source))) further.push({ report: candorReport({ version: '0.58.0' }), source });
    }
    for (const r of [...named, ...further]) tally.add(r.report, r.source);
    for (const r of named.slice(K_ANONYMITY - 1)) tally.remove(r.report, r.source);
    // K_ANONYMITY - 1 named networks and three buckets: published.
    expect(tally.result(ctx)!.versions.values).toEqual([{ value: '0.58.0', count: K_ANONYMITY + 2 }]);
    // The buckets emptied, K_ANONYMITY - 1 networks are left: withheld, as a recount says.
    for (const r of further) tally.remove(r.report, r.source);
    const left = named.slice(0, K_ANONYMITY - 1);
    expect(tally.result(ctx)!.versions.values).toEqual([{ value: 'Other', count: K_ANONYMITY - 1 }]);
    expect(summarizeDay(left, ctx).versions.values).toEqual([{ value: 'Other', count: K_ANONYMITY - 1 }]);
  });

  it('counts imported reports in their cells but as no source, added and taken back', () => {
    const tally = new DayTally();
    const networks = Array.from({ length: K_ANONYMITY - 1 }, (_, i) => ({ report: candorReport({ version: '0.58.0' }), source: `net-${i}` }));
    const imports = Array.from({ length: 6 }, () => ({ report: candorReport({ version: '0.58.0' }), source: IMPORT_SOURCE }));
    for (const r of [...networks, ...imports]) tally.add(r.report, r.source);
    // Ten reports from four networks and imports: withheld, however many imports.
    expect(tally.result(ctx)!.versions.values).toEqual([{ value: 'Other', count: 10 }]);
    const fifth = { report: candorReport({ version: '0.58.0' }), source: 'net-4' };
    tally.add(fifth.report, fifth.source);
    expect(tally.result(ctx)!.versions.values).toEqual([{ value: '0.58.0', count: 11 }]);
    // Imports taken back leave the cell decided, and stored and read back it stays the same.
    for (const r of imports.slice(0, 4)) tally.remove(r.report, r.source);
    expect(tally.result(ctx)!.versions.values).toEqual([{ value: '0.58.0', count: 7 }]);
    expect(JSON.stringify(DayTally.fromStored(tally.stored())!.result(ctx))).toBe(JSON.stringify(tally.result(ctx)));
    // One import more taken back than was counted is a fault, not a silent zero.
    for (const r of imports.slice(4)) tally.remove(r.report, r.source);
    tally.remove(imports[0]!.report, IMPORT_SOURCE);
    expect(tally.result(ctx)).toBeNull();
  });

  it('refuses a tally that takes back a report it never counted, or a stored one that does not add up', () => {
    const tally = new DayTally();
    tally.add(candorReport(), 'net-1');
    tally.remove(candorReport({ version: '9.9.9' }), 'net-1');
    expect(tally.result(ctx)).toBeNull();
    const stored = new DayTally();
    for (let i = 0; i < K_ANONYMITY; i++) stored.add(candorReport(), `net-${i}`);
    expect(DayTally.fromStored(stored.stored())).not.toBeNull();
    expect(DayTally.fromStored(stored.stored().replace('"instances":5', '"instances":"5"'))).toBeNull();
    expect(DayTally.fromStored(stored.stored().replace(/\[5,\[/, '[6,['))).toBeNull();
    expect(DayTally.fromStored(stored.stored().replace(/"format":\d+/, '"format":1'))).toBeNull();
  });

  it('is fed, here and in the scale bench, with fleet reports that all pass the payload schema', () => {
    const random = seededRandom(42);
    for (let i = 0; i < 2_000; i++) {
      const report = fleetReport(random, seededId(random));
      expect(validateReport(JSON.parse(JSON.stringify(report)), 16)).toMatchObject({ ok: true });
    }
  });
});
