import path from 'node:path';
import type { HistoryEntry, HistoryFilter, HistoryPage, HistorySummary } from '../../shared/api-contract';
import type { FolderLock, Held } from '../storage/folder-lock';
import { OddFileError } from '../storage/regular-file';
import { appendLine, fileIdentity, readLinesFrom, rewriteLines } from './history-file';
import { filterHistory, normalizeFilter, type FilterResult } from '../../shared/history-filter';

/**
 * The local record of every attempt, shared by every process on the data folder.
 *
 * Each attempt is written twice: a `pending` line before the bytes leave (if that write fails,
 * nothing is sent: every report must be logged) and the final line after. An attempt whose final
 * line never came is shown as "sending" while its sender still lives, and as "no answer" after:
 * the collector may have stored it, so it is never called a plain failure.
 *
 * Each process keeps an index of the file and catches up with other processes' appends by reading
 * only the new bytes (`sync`); a rewrite by retention is noticed by the file's new identity.
 */
export interface StoredEntry extends HistoryEntry {
  pending?: boolean;
}

export const NO_ANSWER_MESSAGE = 'no answer: the collector may have received it';
const STOPPED_MESSAGE = 'no answer: Candor stopped before the answer came; the collector may have received it';
export const HISTORY_FILE = 'history.jsonl';

export interface HistoryOptions {
  dir: string;
  retentionDays: number;
  maxEntries: number;
  now: () => number;
  lock: FolderLock;
  /** Whether a pending attempt is still on the wire in a live process. */
  inFlight?: (id: string) => boolean;
}

export class HistoryStore {
  private readonly file: string;
  private entries: StoredEntry[] = [];
  private byId = new Map<string, number>();
  private read = { identity: '', offset: 0 };
  private damagedLines = 0;
  private syncing: Promise<void> | null = null;
  private pruneFailed = false;
  /** Why the file at the history's name is not read (a FIFO, a device, too large), or null. */
  private refused: OddFileError | null = null;
  /** Bumped by every change to the entries: what a kept search result is checked against. */
  private version = 0;
  private lastSearch: { key: string; stamp: string; result: FilterResult<HistoryEntry> } | null = null;

  private constructor(private readonly options: HistoryOptions) {
    this.file = path.join(options.dir, HISTORY_FILE);
  }

  static async open(options: HistoryOptions): Promise<HistoryStore> {
    const store = new HistoryStore(options);
    await store.sync();
    return store;
  }

  /** Problems met while reading or pruning, for the status screen. */
  get warnings(): string[] {
    const out: string[] = [];
    if (this.damagedLines > 0) out.push(`${this.damagedLines} damaged line(s) in the history file were skipped.`);
    if (this.pruneFailed) out.push('Old history entries could not be pruned (is the data folder read-only?).');
    if (this.refused)
      out.push(
        `The history file is not read: ${this.refused.message}.${this.refused.kind === 'too large' ? '' : ' Nothing can be sent until it is moved away.'}`,
      );
    return out;
  }

  get size(): number {
    return this.entries.length;
  }

  set inFlightCheck(check: (id: string) => boolean) {
    this.options.inFlight = check;
  }

  /** Told of every entry that appears or changes after opening, from this process or another. */
  onEntry: ((entry: HistoryEntry) => void) | null = null;

  /** Catches up with what other processes appended or rewrote. Cheap when nothing changed (one stat). */
  sync(): Promise<void> {
    this.syncing ??= this.catchUp().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async catchUp(): Promise<void> {
    let now: Awaited<ReturnType<typeof fileIdentity>>;
    try {
      now = await fileIdentity(this.file);
    } catch {
      return;
    }
    if (!now) {
      if (this.read.identity) this.reset();
      return;
    }
    let fresh = now.identity !== this.read.identity || now.size < this.read.offset;
    if (!fresh && now.size === this.read.offset) return;
    let result;
    try {
      result = await readLinesFrom(this.file, fresh ? 0 : this.read.offset);
      // Replaced between the stat and the read: start over on the new file.
      if (result && !fresh && result.identity !== this.read.identity) {
        fresh = true;
        result = await readLinesFrom(this.file, 0);
      }
    } catch (error) {
      this.refused = error instanceof OddFileError ? error : null;
      return;
    }
    this.refused = null;
    if (fresh || !result) this.reset();
    if (!result) return;
    for (const line of result.lines) {
      const entry = JSON.parse(line) as StoredEntry;
      if (this.upsert(entry)) this.onEntry?.(this.view(entry));
    }
    this.damagedLines += result.damaged;
    this.read = { identity: result.identity, offset: result.offset };
  }

  private reset(): void {
    this.version++;
    this.entries = [];
    this.byId = new Map();
    this.damagedLines = 0;
    this.read = { identity: '', offset: 0 };
  }

  /** Adds or replaces an entry by id; says whether anything changed. */
  private upsert(entry: StoredEntry): boolean {
    this.version++;
    const at = this.byId.get(entry.id);
    if (at === undefined) {
      this.byId.set(entry.id, this.entries.length);
      this.entries.push(entry);
      return true;
    }
    const changed = this.entries[at]!.pending !== entry.pending || this.entries[at]!.outcome !== entry.outcome;
    this.entries[at] = entry;
    return changed;
  }

  /** Durably appends one line under the folder lock; throws `StorageError` (nothing changes then). */
  async append(entry: StoredEntry, held?: Held): Promise<void> {
    await this.options.lock.run(() => appendLine(this.options.dir, this.file, JSON.stringify(entry)), held);
    await this.sync();
  }

  /** An entry as people see it: a pending line is "sending" while its sender lives, "no answer" after. */
  private view(entry: StoredEntry): HistoryEntry {
    if (!entry.pending) return entry;
    const { pending: _pending, ...rest } = entry;
    if (this.options.inFlight?.(entry.id)) return { ...rest, outcome: 'sending', message: 'sending…' };
    return { ...rest, outcome: 'no-answer', errorClass: 'no-answer', message: STOPPED_MESSAGE };
  }

  /** Newest first; with a filter, only what matches it (history-filter.ts), with the counts a search shows. */
  page(offset: number, limit: number, filter?: HistoryFilter): HistoryPage {
    const { matches, outcomes } = this.search(filter);
    const total = matches.length;
    const entries: HistorySummary[] = [];
    for (let i = total - 1 - offset; i >= 0 && entries.length < limit; i--) entries.push(summarize(matches[i]!));
    return { total, offset, entries, unfiltered: this.entries.length, outcomes, ...(this.refused ? { unreadable: this.refused.message } : {}) };
  }

  /**
   * The entries (as people see them) that match, oldest first. A list is read page by page with one
   * filter, so the last answer is kept until the file or the filter changes, or an attempt in flight
   * ends (a pending line reads "sending" while its sender lives, "no answer" after).
   */
  private search(filter: HistoryFilter | undefined): FilterResult<HistoryEntry> {
    const key = JSON.stringify(normalizeFilter(filter));
    const live = this.entries.filter((e) => e.pending && this.options.inFlight?.(e.id)).map((e) => e.id);
    const stamp = `${this.version}|${live.join()}`;
    if (this.lastSearch?.key === key && this.lastSearch.stamp === stamp) return this.lastSearch.result;
    const result = filterHistory(
      this.entries.map((e) => this.view(e)),
      filter,
      (e) => e.body,
    );
    this.lastSearch = { key, stamp, result };
    return result;
  }

  get(id: string): HistoryEntry | undefined {
    const at = this.byId.get(id);
    return at === undefined ? undefined : this.view(this.entries[at]!);
  }

  lastSent(): HistoryEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.outcome === 'sent' && !this.entries[i]!.pending) return this.entries[i];
    return undefined;
  }

  all(): HistoryEntry[] {
    return this.entries.map((e) => this.view(e));
  }

  get retentionDays(): number {
    return this.options.retentionDays;
  }

  setRetentionDays(days: number): Promise<void> {
    this.options.retentionDays = days;
    return this.applyRetention();
  }

  /** Drops entries past the retention period or the entry cap, rewriting the file atomically under the lock. */
  async applyRetention(): Promise<void> {
    await this.sync();
    if (!this.needsPruning()) return;
    try {
      await this.options.lock.run(async () => {
        await this.sync();
        const keep = this.kept();
        if (keep.length === this.entries.length) return;
        await rewriteLines(
          this.file,
          keep.map((e) => JSON.stringify(e)),
        );
      });
      this.pruneFailed = false;
    } catch {
      this.pruneFailed = true;
    }
    await this.sync();
  }

  private kept(): StoredEntry[] {
    const cutoff = this.options.now() - this.options.retentionDays * 24 * 3600 * 1000;
    let keep = this.entries.filter((e) => Date.parse(e.at) >= cutoff);
    if (keep.length > this.options.maxEntries) keep = keep.slice(keep.length - this.options.maxEntries);
    return keep;
  }

  private needsPruning(): boolean {
    if (this.entries.length > this.options.maxEntries) return true;
    const first = this.entries[0];
    return first !== undefined && Date.parse(first.at) < this.options.now() - this.options.retentionDays * 24 * 3600 * 1000;
  }

  export(): string {
    return JSON.stringify({ exportedAt: new Date(this.options.now()).toISOString(), entries: this.all() }, null, 2);
  }
}

export function summarize(entry: HistoryEntry): HistorySummary {
  const { body: _body, ...summary } = entry;
  return summary;
}

/** A few counts for charts, read from the exact body. */
export function countsOf(body: string): HistorySummary['counts'] {
  try {
    const library = (JSON.parse(body) as { library?: Record<string, unknown> }).library ?? {};
    const out: NonNullable<HistorySummary['counts']> = {};
    for (const key of ['tracks', 'albums', 'artists'] as const) if (typeof library[key] === 'number') out[key] = library[key];
    return out;
  } catch {
    return {};
  }
}
