/**
 * Counting one field over a day's reports, cell by cell with their sources (cell.ts), and turning
 * the counts into what may be published (threshold.ts). A report is added, or taken back when it
 * is replaced or deleted, with the same call and the opposite sign. A field a report leaves out is
 * not counted at all: never as zero, never in a denominator.
 */
import { type BinSet, binIndex, binLabel } from './bins';
import { Cell, type StoredCell } from './cell';

/** Where a report came from: its source, and that source's bucket (cell.ts), worked out once per report. */
export interface From {
  source: string;
  bucket: number;
}
import { OTHER, publishedKeys } from './threshold';
import type { Binned, Breakdown, Feature, Usage } from './types';

const TOP = 20;
const byValue = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** `{ reported, cells: { key: StoredCell } }`: a field as a day's stored tally holds it. */
export interface StoredField {
  reported: number;
  cells: Record<string, StoredCell>;
}

/** The cells of one field and how many reports carried it. Keys are strings, whatever the field counts. */
export abstract class Field {
  protected readonly cells = new Map<string, Cell>();
  protected reported = 0;
  /** Set when a removal did not match what was added: the day must be counted again. */
  broken = false;

  /** Counts (1) or takes back (-1) one report carrying the field. */
  protected report(sign: 1 | -1): void {
    this.reported += sign;
    if (this.reported < 0) this.broken = true;
  }

  /** Counts (1) or takes back (-1) that report in the cell `key`. */
  protected cell(key: string, from: From, sign: 1 | -1): void {
    let cell = this.cells.get(key);
    if (!cell) this.cells.set(key, (cell = new Cell()));
    if (!cell.apply(from.source, from.bucket, sign)) this.broken = true;
    if (cell.empty) this.cells.delete(key);
  }

  stored(): StoredField {
    const cells: Record<string, StoredCell> = {};
    for (const [key, cell] of [...this.cells].sort(([a], [b]) => byValue(a, b))) cells[key] = cell.stored();
    return { reported: this.reported, cells };
  }

  /** Takes a stored field back; false when it does not parse (the day is then counted from its rows). */
  load(stored: unknown): boolean {
    const field = stored as Partial<StoredField> | null;
    if (typeof field !== 'object' || field === null || !Number.isSafeInteger(field.reported) || typeof field.cells !== 'object' || field.cells === null)
      return false;
    this.reported = field.reported!;
    for (const [key, value] of Object.entries(field.cells)) {
      const cell = Cell.fromStored(value);
      if (!cell) return false;
      this.cells.set(key, cell);
    }
    return true;
  }
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
export class Categories extends Field {
  /** `possible`: the number of values the field can take when it is a short known list. */
  constructor(private readonly possible: number | 'open' = 'open') {
    super();
  }

  apply(value: string | undefined, from: From, sign: 1 | -1): void {
    if (value === undefined) return;
    this.report(sign);
    this.cell(value, from, sign);
  }

  result(): Breakdown {
    return { reported: this.reported, values: publish(this.cells, this.possible) };
  }
}

/** A map per report (players, file formats): each key it lists counts once for that report. */
export class MultiValues extends Field {
  apply(map: Record<string, number> | undefined, from: From, sign: 1 | -1): void {
    if (map === undefined) return;
    this.report(sign);
    for (const key in map) if (Object.hasOwn(map, key)) this.cell(key, from, sign);
  }

  result(): Usage {
    // A report may sit in several withheld values: the "Other" count is an upper bound of reports.
    return { reported: this.reported, values: publish(this.cells, 'open').map(({ value, count }) => ({ value, instances: count })) };
  }
}

/** A number, counted into bins (the cell's key is the bin's index). */
export class Numbers extends Field {
  /** The cells' keys, made once: a report counts into a dozen of these fields. */
  private readonly keys: readonly string[];

  constructor(private readonly set: BinSet) {
    super();
    this.keys = set.edges.map((_, i) => String(i));
  }

  apply(value: number | undefined, from: From, sign: 1 | -1): void {
    if (value === undefined) return;
    this.report(sign);
    this.cell(this.keys[binIndex(this.set, value)]!, from, sign);
  }

  result(): Binned {
    const keys = publishedKeys(this.cells, this.set.edges.length, (a, b) => Number(a) - Number(b));
    let shown = 0;
    const bins = this.set.edges.map((from, i) => {
      const count = keys.has(String(i)) ? this.cells.get(String(i))!.count : null;
      shown += count ?? 0;
      return { label: binLabel(this.set, i), from, count };
    });
    return { reported: this.reported, bins, withheld: this.reported - shown };
  }
}

const ON = 'on';
const OFF = 'off';

/** A boolean setting: the share that has it on, published only when "on" and "off" both may be. */
export class Flag extends Field {
  constructor(private readonly flag: string) {
    super();
  }

  apply(enabled: boolean, from: From, sign: 1 | -1): void {
    this.report(sign);
    this.cell(enabled ? ON : OFF, from, sign);
  }

  result(): Feature {
    const on = this.cells.get(ON)?.count ?? 0;
    const off = this.cells.get(OFF)?.count ?? 0;
    const keys = publishedKeys(this.cells, 2, (a, b) => Number(a === ON) - Number(b === ON));
    // Both states are needed: with the denominator published, either one gives away the other.
    const both = (on === 0 || keys.has(ON)) && (off === 0 || keys.has(OFF));
    return { flag: this.flag, enabled: both ? on : null, reported: this.reported };
  }
}
