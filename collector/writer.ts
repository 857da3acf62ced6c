/**
 * The bounded queue and its one writer. Requests enqueue and wait; the writer commits whatever has
 * accumulated as one transaction (group commit), then answers every waiting request. A 2xx is only
 * ever sent after this. An idle writer commits at once; under load, a commit starts no sooner than
 * `minCommitIntervalMs` after the one before began, so it holds what came meanwhile (why: Limits).
 */
import type { Payload } from '../shared/schema/payload';
import type { Metrics } from './metrics';
import type { CollectorClock, Logger } from './platform';
import { keySlot, replaces } from './replacement';
import type { DeletionResult, ReportWrite, Store, WriteCommit, WriteOutcome } from './store/types';

export interface PendingReport {
  day: number;
  instanceId: string;
  receivedAt: number;
  payload: string;
  deletionKeyHash: string | null;
  source: string | null;
  receivedSha256: string;
  /** `payload` as an object (validation.ts, `storedForm`): what the summaries count. */
  stored: Payload;
}

/**
 * A commit that only added rows, under feed number `seq`: what the summaries can count at once
 * from the objects in hand, if they stand right before it (summarizer.ts, `counted`).
 */
export interface AddedRows {
  seq: number;
  rows: { day: number; report: Payload; source: string | null }[];
}

type Job =
  | { kind: 'report'; report: PendingReport; resolve: (o: WriteOutcome) => void; reject: (e: unknown) => void }
  | { kind: 'delete'; instanceId: string; presentedKeyHash: Buffer | null; resolve: (r: DeletionResult) => void; reject: (e: unknown) => void };

/**
 * The rows a commit added, if adding was all it did (the usual commit). A replaced or kept row
 * changes a version the summaries count, which they read from the store's feed instead.
 */
export function onlyAdded(commit: WriteCommit, writes: readonly Pick<PendingReport, 'day' | 'stored' | 'source'>[]): AddedRows | null {
  if (commit.seq === null) return null;
  const rows: AddedRows['rows'] = [];
  for (let i = 0; i < writes.length; i++) {
    const outcome = commit.outcomes[i] ?? 'capped';
    if (outcome === 'inserted') rows.push({ day: writes[i]!.day, report: writes[i]!.stored, source: writes[i]!.source });
    else if (outcome !== 'capped') return null;
  }
  return { seq: commit.seq, rows };
}

export interface WriterOptions {
  capacity: number;
  maxBatch: number;
  instanceWritesPerDay: number;
  /** Least time from one commit's start to the next's; none when left out (Limits.minCommitIntervalMs). */
  minCommitIntervalMs?: number;
  /**
   * After every successful commit (the summaries have something to recompute), with the earliest
   * receive time among the reports it wrote (their purge is due RETENTION_DAYS after it), null for
   * none, and the rows it added when it did nothing else (no replacement, no deletion).
   */
  onCommit?: (earliestWritten: number | null, added: AddedRows | null) => void;
}

export class Writer {
  /**
   * Jobs from `head` on are waiting; the slots before it are emptied as jobs are taken. A taken job
   * left in its slot kept its report (the parsed object, its JSON) alive until the array was next
   * compacted, thousands of reports later: garbage collection then copied them all to the old
   * generation (a sixth of the time of every young-generation collection under load).
   */
  private queue: (Job | undefined)[] = [];
  private head = 0;
  private running = false;
  /** When the last commit began (the clock's monotonic time). */
  private lastCommitAt = -Infinity;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly options: WriterOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly clock: CollectorClock,
  ) {}

  get depth(): number {
    return this.queue.length - this.head;
  }

  get full(): boolean {
    return this.depth >= this.options.capacity;
  }

  /** Null when the queue is full or closed: the caller answers 503 without waiting. */
  enqueueReport(report: PendingReport): Promise<WriteOutcome> | null {
    if (this.closed || this.full) return null;
    return new Promise((resolve, reject) => this.push({ kind: 'report', report, resolve, reject }));
  }

  enqueueDelete(instanceId: string, presentedKeyHash: Buffer | null): Promise<DeletionResult> | null {
    if (this.closed || this.full) return null;
    return new Promise((resolve, reject) => this.push({ kind: 'delete', instanceId, presentedKeyHash, resolve, reject }));
  }

  /** Stops taking new work and resolves once everything already queued is committed. */
  async drain(): Promise<void> {
    this.closed = true;
    if (!this.running && this.depth === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private push(job: Job): void {
    this.queue.push(job);
    if (!this.running) {
      this.running = true;
      void this.pause().then(() => this.loop());
    }
  }

  /**
   * Until the next commit may begin: the next turn of the event loop, so the requests already read
   * join the batch (and sockets are read between commits: SQLite commits synchronously), and under
   * load no sooner than `minCommitIntervalMs` after the last commit began.
   */
  private pause(): Promise<void> {
    const wait = this.lastCommitAt + (this.options.minCommitIntervalMs ?? 0) - this.clock.monotonic();
    return new Promise((resolve) => {
      if (wait > 0) this.clock.setTimeout(resolve, wait);
      else setImmediate(resolve);
    });
  }

  private take(): Job[] {
    const first = this.queue[this.head];
    if (!first) return [];
    // Deletions run alone, in queue order, so a report queued before a deletion is deleted too.
    if (first.kind === 'delete') {
      this.queue[this.head++] = undefined;
      return [first];
    }
    const batch: Job[] = [];
    while (batch.length < this.options.maxBatch) {
      const job = this.queue[this.head];
      if (!job || job.kind !== 'report') break;
      batch.push(job);
      this.queue[this.head++] = undefined;
    }
    return batch;
  }

  private async loop(): Promise<void> {
    for (;;) {
      const batch = this.take();
      if (batch.length === 0) break;
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.lastCommitAt = this.clock.monotonic();
      await this.commit(batch);
      // Nothing waiting: the next job paces itself when it comes (push).
      if (this.depth === 0) break;
      await this.pause();
    }
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async commit(batch: Job[]): Promise<void> {
    const started = this.clock.monotonic();
    const first = batch[0]!;
    if (first.kind === 'delete') {
      try {
        const result = await this.store.deleteInstance(first.instanceId, first.presentedKeyHash);
        if (result.allowed) {
          this.metrics.deletedRows += result.removed;
          this.options.onCommit?.(null, null);
        }
        first.resolve(result);
      } catch (error) {
        this.logger.log('error', 'delete failed', { store: this.store.kind });
        first.reject(error);
      }
      return;
    }
    const reports = batch as Extract<Job, { kind: 'report' }>[];
    // One write per row (day, instance, key) per statement, as if the batch's reports came one after
    // another: each one the rule lets replace the one before stands for both; an older one is kept out.
    const byKey = new Map<string, { write: ReportWrite & PendingReport; jobs: typeof reports }>();
    const keptOut: typeof reports = [];
    for (const job of reports) {
      const key = `${job.report.day}/${job.report.instanceId}/${keySlot(job.report.deletionKeyHash)}`;
      const entry = byKey.get(key);
      if (!entry) byKey.set(key, { write: { ...job.report, count: 1 }, jobs: [job] });
      else if (replaces(job.report, entry.write)) {
        entry.write = { ...job.report, count: entry.write.count + 1 };
        entry.jobs.push(job);
      } else keptOut.push(job);
    }
    const entries = [...byKey.values()];
    let commit: WriteCommit;
    try {
      commit = await this.store.writeReports(
        entries.map((e) => e.write),
        this.options.instanceWritesPerDay,
      );
    } catch (error) {
      this.logger.log('error', 'batch commit failed', { store: this.store.kind, reports: reports.length });
      for (const job of reports) job.reject(error);
      return;
    }
    this.metrics.observeFlush((this.clock.monotonic() - started) / 1000, entries.length);
    let earliest: number | null = null;
    entries.forEach((entry, i) => {
      const outcome = commit.outcomes[i] ?? 'capped';
      if ((outcome === 'inserted' || outcome === 'replaced') && (earliest === null || entry.write.receivedAt < earliest)) earliest = entry.write.receivedAt;
      entry.jobs.forEach((job, j) => job.resolve(outcome === 'inserted' && j > 0 ? 'replaced' : outcome));
    });
    for (const job of keptOut) job.resolve('kept');
    this.options.onCommit?.(
      earliest,
      onlyAdded(
        commit,
        entries.map((e) => e.write),
      ),
    );
  }
}
