import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { HistoryEntry, HistoryPage, HistorySummary } from '../api/contract';

/**
 * The local record of every attempt: JSON Lines, appended and fsynced one line at a time.
 *
 * Each attempt is written twice: a `pending` line before the bytes leave (if that write fails,
 * nothing is sent: every report must be logged) and the final line after. A kill at any instant
 * leaves at worst a torn last line, which the next load cuts off; every line that was fsynced
 * survives. Retention rewrites the file to a temp file and renames it over the old one.
 */
export interface StoredEntry extends HistoryEntry {
  pending?: boolean;
}

export class HistoryWriteError extends Error {
  constructor(readonly code: string) {
    super(code === 'EROFS' || code === 'EACCES' || code === 'EPERM' ? 'The data folder is read-only, so the history cannot be written.' : 'The history file could not be written.');
    this.name = 'HistoryWriteError';
  }
}

const INTERRUPTED = 'interrupted: Candor stopped before the answer arrived';

export interface HistoryOptions {
  dir: string;
  retentionDays: number;
  maxEntries: number;
  now: () => number;
}

export class HistoryStore {
  private readonly file: string;
  private entries: HistoryEntry[] = [];
  private byId = new Map<string, number>();
  /** Problems met while loading, for the status screen. */
  readonly warnings: string[] = [];

  private constructor(private readonly options: HistoryOptions) {
    this.file = path.join(options.dir, 'history.jsonl');
  }

  static async open(options: HistoryOptions): Promise<HistoryStore> {
    const store = new HistoryStore(options);
    await store.load();
    return store;
  }

  get size(): number {
    return this.entries.length;
  }

  private async load(): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.warnings.push('The history file could not be read; it was left untouched.');
      return;
    }
    const lines = text.split('\n');
    const torn = text.length > 0 && !text.endsWith('\n');
    let corrupt = 0;
    lines.forEach((line, index) => {
      if (!line) return;
      const isLast = index === lines.length - 1;
      try {
        const entry = JSON.parse(line) as StoredEntry;
        if (typeof entry?.id !== 'string' || typeof entry.body !== 'string') throw new Error('shape');
        this.upsert(entry);
      } catch {
        if (!(isLast && torn)) corrupt++;
      }
    });
    for (const entry of this.entries as StoredEntry[]) {
      if (entry.pending) {
        delete entry.pending;
        Object.assign(entry, { outcome: 'failed', errorClass: 'unexpected', message: INTERRUPTED });
      }
    }
    if (corrupt > 0) this.warnings.push(`${corrupt} damaged line(s) in the history file were skipped.`);
    if (torn) {
      // Cut the torn tail so the next append starts on a fresh line.
      try {
        await fs.truncate(this.file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
      } catch {
        this.warnings.push('The history file ends with a damaged line that could not be removed.');
      }
    }
    await this.applyRetention();
  }

  private upsert(entry: HistoryEntry): void {
    const at = this.byId.get(entry.id);
    if (at === undefined) {
      this.byId.set(entry.id, this.entries.length);
      this.entries.push(entry);
    } else {
      this.entries[at] = entry;
    }
  }

  /** Durably appends one line; throws `HistoryWriteError` (nothing in memory changes then). */
  async append(entry: StoredEntry): Promise<void> {
    const line = JSON.stringify(entry) + '\n';
    let handle: fs.FileHandle | undefined;
    try {
      await fs.mkdir(this.options.dir, { recursive: true });
      handle = await fs.open(this.file, 'a', 0o600);
      await handle.writeFile(line, 'utf8');
      await handle.sync();
    } catch (error) {
      throw new HistoryWriteError((error as NodeJS.ErrnoException).code ?? 'EIO');
    } finally {
      await handle?.close().catch(() => {});
    }
    const { pending: _pending, ...clean } = entry;
    this.upsert(clean);
  }

  /** Newest first. */
  page(offset: number, limit: number): HistoryPage {
    const total = this.entries.length;
    const entries: HistorySummary[] = [];
    for (let i = total - 1 - offset; i >= 0 && entries.length < limit; i--) entries.push(summarize(this.entries[i]!));
    return { total, offset, entries };
  }

  get(id: string): HistoryEntry | undefined {
    const at = this.byId.get(id);
    return at === undefined ? undefined : this.entries[at];
  }

  lastSent(): HistoryEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.outcome === 'sent') return this.entries[i];
    return undefined;
  }

  all(): readonly HistoryEntry[] {
    return this.entries;
  }

  setRetentionDays(days: number): Promise<void> {
    this.options.retentionDays = days;
    return this.applyRetention();
  }

  /** Drops entries past the retention period or the entry cap, rewriting the file atomically. */
  async applyRetention(): Promise<void> {
    const cutoff = this.options.now() - this.options.retentionDays * 24 * 3600 * 1000;
    let keep = this.entries.filter((e) => Date.parse(e.at) >= cutoff);
    if (keep.length > this.options.maxEntries) keep = keep.slice(keep.length - this.options.maxEntries);
    if (keep.length === this.entries.length) return;
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      const handle = await fs.open(temp, 'w', 0o600);
      try {
        await handle.writeFile(keep.map((e) => JSON.stringify(e) + '\n').join(''), 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, this.file);
    } catch {
      await fs.rm(temp, { force: true }).catch(() => {});
      this.warnings.push('Old history entries could not be pruned (is the data folder read-only?).');
      return;
    }
    this.entries = keep;
    this.byId = new Map(keep.map((e, i) => [e.id, i]));
  }

  export(): string {
    return JSON.stringify({ exportedAt: new Date(this.options.now()).toISOString(), entries: this.entries }, null, 2);
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
    for (const key of ['tracks', 'albums', 'artists'] as const) if (typeof library[key] === 'number') out[key] = library[key] as number;
    return out;
  } catch {
    return {};
  }
}
