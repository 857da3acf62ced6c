/**
 * Counting one field over a day's reports, cell by cell with their sources, and turning the counts
 * into what may be published (threshold.ts). A field a report leaves out is not counted at all:
 * never as zero, never in a denominator.
 */
import { type BinSet, binIndex, binLabel } from './bins';
import { Cell, OTHER, publishedKeys } from './threshold';
import type { Binned, Breakdown, Feature, Usage } from './types';

const TOP = 20;
const byValue = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function cellOf<K>(cells: Map<K, Cell>, key: K): Cell {
  let cell = cells.get(key);
  if (!cell) cells.set(key, (cell = new Cell()));
  return cell;
}

/** Values shown largest first (ties by value), at most TOP of them; the rest summed as "Other". */
function publish(cells: Map<string, Cell>, possible: number | 'open'): { value: string; count: number }[] {
  const keys = publishedKeys(cells, possible, byValue);
  const rows = [...cells].map(([value, cell]) => ({ value, count: cell.count })).sort((a, b) => b.count - a.count || byValue(a.value, b.value));
  const shown: { value: string; count: number }[] = [];
  let other = 0;
  for (const row of rows) {
    if (row.value !== OTHER && keys.has(row.value) && shown.length < TOP) shown.push(row);
    else other += row.count;
  }
  if (other > 0) shown.push({ value: OTHER, count: other });
  return shown;
}

/** One value per report (an OS name, a version). */
export class Categories {
  private readonly cells = new Map<string, Cell>();
  private reported = 0;

  /** `possible`: the number of values the field can take when it is a short known list. */
  constructor(private readonly possible: number | 'open' = 'open') {}

  add(value: string | undefined, source: string): void {
    if (value === undefined) return;
    this.reported++;
    cellOf(this.cells, value).add(source);
  }

  result(): Breakdown {
    return { reported: this.reported, values: publish(this.cells, this.possible) };
  }
}

/** A map per report (players, file formats): each key it lists counts once for that report. */
export class MultiValues {
  private readonly cells = new Map<string, Cell>();
  private reported = 0;

  add(map: Record<string, number> | undefined, source: string): void {
    if (map === undefined) return;
    this.reported++;
    for (const value of Object.keys(map)) cellOf(this.cells, value).add(source);
  }

  result(): Usage {
    // A report may sit in several withheld values: the "Other" count is an upper bound of reports.
    return { reported: this.reported, values: publish(this.cells, 'open').map(({ value, count }) => ({ value, instances: count })) };
  }
}

/** A number, counted into bins. */
export class Numbers {
  private readonly cells = new Map<number, Cell>();
  private reported = 0;

  constructor(private readonly set: BinSet) {}

  add(value: number | undefined, source: string): void {
    if (value === undefined) return;
    this.reported++;
    cellOf(this.cells, binIndex(this.set, value)).add(source);
  }

  result(): Binned {
    const keys = publishedKeys(this.cells, this.set.edges.length, (a, b) => a - b);
    let shown = 0;
    const bins = this.set.edges.map((from, i) => {
      const count = keys.has(i) ? this.cells.get(i)!.count : null;
      shown += count ?? 0;
      return { label: binLabel(this.set, i), from, count };
    });
    return { reported: this.reported, bins, withheld: this.reported - shown };
  }
}

/** A boolean setting: the share that has it on, published only when "on" and "off" both may be. */
export class Flag {
  private readonly cells = new Map<boolean, Cell>();
  private reported = 0;

  constructor(private readonly flag: string) {}

  add(enabled: boolean, source: string): void {
    this.reported++;
    cellOf(this.cells, enabled).add(source);
  }

  result(): Feature {
    const on = this.cells.get(true)?.count ?? 0;
    const off = this.cells.get(false)?.count ?? 0;
    const keys = publishedKeys(this.cells, 2, (a, b) => Number(a) - Number(b));
    // Both states are needed: with the denominator published, either one gives away the other.
    const both = (on === 0 || keys.has(true)) && (off === 0 || keys.has(false));
    return { flag: this.flag, enabled: both ? on : null, reported: this.reported };
  }
}
