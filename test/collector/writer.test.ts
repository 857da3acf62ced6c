/**
 * The writer's queue as memory: a report it has committed and answered is not kept alive by it.
 * Reports it held on to until the queue was next compacted (thousands later) were all copied to the
 * old generation by the garbage collector, which then spent a sixth of every young collection on them.
 * And its pace: an idle writer commits at once, a busy one no sooner than its least interval after
 * the last commit began, with everything that came meanwhile in one commit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../collector/metrics';
import { openStore } from '../../collector/store/open';
import { Writer, type PendingReport } from '../../collector/writer';
import type { Payload } from '../../shared/schema/payload';
import { FakeClock, settle } from '../support/fake-clock';
import { fleetReport, seededRandom } from './support/fleet';
import { captureLogger, newId } from './support/harness';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A report as ingest hands it to the writer. */
function pendingReport(seed: number): PendingReport {
  const id = newId();
  const stored = fleetReport(seededRandom(seed), id) as Payload;
  return {
    day: 20_000,
    instanceId: id,
    receivedAt: 20_000 * 86_400_000 + seed,
    payload: JSON.stringify(stored),
    stored,
    deletionKeyHash: null,
    source: `net-${seed}`,
    receivedSha256: '0'.repeat(64),
  };
}

/** Writes the reports as one batch; weak references to their parsed forms (nothing else holds them here). */
async function writeBatch(writer: Writer, seeds: number[]): Promise<WeakRef<object>[]> {
  const reports = seeds.map(pendingReport);
  const outcomes = await Promise.all(reports.map((r) => writer.enqueueReport(r)!));
  expect(outcomes).toEqual(seeds.map(() => 'inserted'));
  return reports.map((r) => new WeakRef(r.stored));
}

describe('the writer', () => {
  it('keeps no report alive once it has answered it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'candor-writer-'));
    dirs.push(dir);
    const store = await openStore({ kind: 'sqlite', dataDir: dir });
    const clock = new FakeClock(20_000 * 86_400_000);
    const writer = new Writer(store, { capacity: 100, maxBatch: 4, instanceWritesPerDay: 10 }, new Metrics(), captureLogger(), clock);
    const parsed: WeakRef<object>[] = [];
    // Batches one after another (and a deletion between them), as a busy queue takes them.
    for (let batch = 0; batch < 3; batch++) {
      parsed.push(
        ...(await writeBatch(
          writer,
          [0, 1, 2].map((i) => batch * 10 + i),
        )),
      );
      await writer.enqueueDelete(newId(), null);
    }
    expect(await store.countReports()).toBe(9);
    // A weak reference's target lives at least to the end of the turn that made or read it.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(parsed.filter((p) => p.deref() !== undefined)).toHaveLength(0);
    await writer.drain();
    await store.close();
  });

  it('commits at once when idle, and under load no sooner than its least interval after the last commit began', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'candor-writer-'));
    dirs.push(dir);
    const store = await openStore({ kind: 'sqlite', dataDir: dir });
    const clock = new FakeClock(20_000 * 86_400_000);
    const commits: number[] = [];
    const writer = new Writer(
      store,
      {
        capacity: 100,
        maxBatch: 100,
        instanceWritesPerDay: 10,
        minCommitIntervalMs: 3,
        onCommit: (_earliest, added) => commits.push(added?.rows.length ?? -1),
      },
      new Metrics(),
      captureLogger(),
      clock,
    );
    const answered = new Set<number>();
    const enqueue = (seed: number) => void writer.enqueueReport(pendingReport(seed))!.then(() => answered.add(seed));

    // Idle: the first report is committed without the clock moving.
    enqueue(1);
    await settle();
    expect([...answered]).toEqual([1]);
    // 1 ms after that commit began: the next waits, and what comes in the meantime, turn after turn, joins it.
    await clock.advance(1);
    enqueue(2);
    await settle();
    enqueue(3);
    await settle();
    expect([...answered]).toEqual([1]);
    await clock.advance(1);
    expect([...answered]).toEqual([1]);
    await clock.advance(1);
    expect([...answered].sort()).toEqual([1, 2, 3]);
    expect(commits).toEqual([1, 2]);
    // Idle again for longer than the interval: at once.
    await clock.advance(10);
    enqueue(4);
    await settle();
    expect([...answered].sort()).toEqual([1, 2, 3, 4]);
    expect(commits).toEqual([1, 2, 1]);
    await writer.drain();
    await store.close();
  });
});
