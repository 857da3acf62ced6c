/**
 * One cell of a day's tally (one value of a field, one bin of a number, the "on" or the "off" of a
 * flag): how many reports it holds, and enough about their sources to apply the publication rule
 * (threshold.ts) while reports are added, replaced and deleted one at a time, in bounded memory.
 *
 * The rule needs only "at least K_ANONYMITY distinct sources?". A cell names its first
 * NAMED_SOURCES sources with their exact counts. Reports from further sources are counted in one
 * of SOURCE_BUCKETS buckets, chosen by the source, and a source is named only while its bucket is
 * empty, so a named source never has reports in a bucket. Reports in different buckets come from
 * different sources, so the cell has at least (named + non-empty buckets) and at most (named +
 * reports in buckets) sources:
 * - at least K_ANONYMITY: publishable; fewer than K_ANONYMITY at most: not;
 * - in between: undecided (`null`). Only taking reports back can cause it (named sources leave
 *   while a few buckets keep reports); the day is then counted again from its rows (summarizer.ts).
 * Added to only (a day counted from its rows), a cell is never undecided: it names every source up
 * to NAMED_SOURCES, which is more than K_ANONYMITY.
 *
 * Reports no network stands behind (IMPORT_SOURCE: an import, an export file of an earlier day)
 * are counted, apart, but are no source at all (threshold.ts): they never name a source or fill a
 * bucket.
 */
import { IMPORT_SOURCE } from '../source-tag';
import { K_ANONYMITY } from './threshold';

/** Sources a cell names: a few above the rule, so losing a few of them leaves it decided. */
export const NAMED_SOURCES = K_ANONYMITY + 3;
/** Buckets for the reports of further sources. */
export const SOURCE_BUCKETS = 16;

/**
 * `[count, [source, its count, …], [bucket, its count, …], reports of no source]`: a cell as a day's
 * stored tally holds it.
 */
export type StoredCell = [number, (string | number)[], number[], number];

/** The bucket of a source (FNV-1a of its tag): tags are random, names like "untagged" are few. */
export function bucketOf(source: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193);
  return (h >>> 0) % SOURCE_BUCKETS;
}

export class Cell {
  count = 0;
  private readonly sources: string[] = [];
  /** Each named source's bucket (bucketOf), beside it: a source is compared as text only with those in its own bucket. */
  private readonly sourceBuckets: number[] = [];
  private readonly counts: number[] = [];
  /** Reports of sources not named, per bucket: an array, not a map, as every report of a big day lands here. */
  private readonly buckets: number[] = new Array<number>(SOURCE_BUCKETS).fill(0);
  /** Reports no network stands behind (IMPORT_SOURCE): counted, but no source. */
  private unsourced = 0;

  /**
   * Adds (`sign` 1) or removes (-1) one report from `source`, whose bucket is `bucket` (bucketOf,
   * worked out once per report); false when removing what was never added.
   */
  apply(source: string, bucket: number, sign: 1 | -1): boolean {
    if (source === IMPORT_SOURCE) {
      if (sign === -1 && this.unsourced === 0) return false;
      this.unsourced += sign;
      this.count += sign;
      return true;
    }
    const i = this.named(source, bucket);
    if (sign === 1) {
      this.count++;
      if (i >= 0) this.counts[i]!++;
      else if (this.buckets[bucket] === 0 && this.sources.length < NAMED_SOURCES) this.name(source, bucket, 1);
      else this.buckets[bucket]!++;
      return true;
    }
    if (i >= 0) {
      if (--this.counts[i]! === 0) {
        this.sources.splice(i, 1);
        this.sourceBuckets.splice(i, 1);
        this.counts.splice(i, 1);
      }
    } else {
      if (this.buckets[bucket] === 0) return false;
      this.buckets[bucket]!--;
    }
    this.count--;
    return true;
  }

  /** Where `source` stands among the named ones, -1 if it is not named. */
  private named(source: string, bucket: number): number {
    for (let i = 0; i < this.sources.length; i++) if (this.sourceBuckets[i] === bucket && this.sources[i] === source) return i;
    return -1;
  }

  private name(source: string, bucket: number, count: number): void {
    this.sources.push(source);
    this.sourceBuckets.push(bucket);
    this.counts.push(count);
  }

  /** Whether the reports came from at least K_ANONYMITY sources; null when this cell cannot tell. */
  get publishable(): boolean | null {
    let filled = 0;
    let unnamed = 0;
    for (const n of this.buckets) {
      if (n > 0) filled++;
      unnamed += n;
    }
    if (this.sources.length + filled >= K_ANONYMITY) return true;
    return this.sources.length + unnamed < K_ANONYMITY ? false : null;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  stored(): StoredCell {
    const named: (string | number)[] = [];
    this.sources.forEach((source, i) => named.push(source, this.counts[i]!));
    const buckets: number[] = [];
    this.buckets.forEach((n, bucket) => {
      if (n > 0) buckets.push(bucket, n);
    });
    return [this.count, named, buckets, this.unsourced];
  }

  /** A stored cell back, or null when it does not add up (the day is then counted from its rows). */
  static fromStored(stored: unknown): Cell | null {
    if (!Array.isArray(stored) || stored.length !== 4) return null;
    const [count, named, buckets, unsourced] = stored as unknown[];
    if (!isCount(count) || count === 0 || !isCount(unsourced) || !Array.isArray(named) || !Array.isArray(buckets)) return null;
    if (named.length % 2 !== 0 || buckets.length % 2 !== 0) return null;
    if (named.length / 2 > NAMED_SOURCES) return null;
    const cell = new Cell();
    cell.count = count;
    cell.unsourced = unsourced;
    let held = unsourced;
    for (let i = 0; i < named.length; i += 2) {
      const source: unknown = named[i];
      const n: unknown = named[i + 1];
      if (typeof source !== 'string' || source === IMPORT_SOURCE || !isCount(n) || n === 0 || cell.sources.includes(source)) return null;
      cell.name(source, bucketOf(source), n);
      held += n;
    }
    for (let i = 0; i < buckets.length; i += 2) {
      const bucket: unknown = buckets[i];
      const n: unknown = buckets[i + 1];
      if (!isCount(bucket) || bucket >= SOURCE_BUCKETS || !isCount(n) || n === 0 || cell.buckets[bucket] !== 0) return null;
      cell.buckets[bucket] = n;
      held += n;
    }
    return held === count ? cell : null;
  }
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
