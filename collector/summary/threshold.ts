/**
 * When a count may be published. A count covers a "cell" (one value of a field, one bin of a
 * number, the "on" or the "off" of a flag) and is published only when the reports in that cell
 * came from at least K_ANONYMITY distinct sources (networks, see source-tag.ts) that day. Counting
 * reports would not do: one address can send four fakes beside a real report.
 *
 * Withheld counts go into a remainder ("Other", `withheld`), which is published: it tells how many
 * reports had uncommon values, not which. Where the list of possible cells is short and known (a
 * flag's two states, the bins of a number, the OS names), a remainder that could only belong to
 * one cell would give that cell away by subtraction: the smallest published cell is withheld too.
 *
 * Reports that no network stands behind (an export file of an earlier day, `candor-collector
 * import`: source-tag.ts's IMPORT_SOURCE) are counted in their cells but count as no source
 * (cell.ts): an attacker needs K_ANONYMITY - 1 networks of their own beside a lone real report,
 * export files or not.
 */

export const K_ANONYMITY = 5;
export const OTHER = 'Other';
/** Rows stored before sources were recorded count as one source between them. */
export const UNTAGGED_SOURCE = 'untagged';

/** What the rule reads of a cell (cell.ts): its reports, and whether they came from enough sources. */
export interface Countable {
  readonly count: number;
  /** Null: the cell cannot tell (see cell.ts); the day must be counted again from its rows. */
  readonly publishable: boolean | null;
}

/** Thrown when a cell cannot tell whether it may be published: the caller counts the day again. */
export class UndecidedCell extends Error {}

/**
 * The keys whose counts may be published. `possible` is how many cells the field can have when
 * that is a short known list, or 'open' for free text (then a remainder can be anything).
 */
export function publishedKeys<K>(cells: ReadonlyMap<K, Countable>, possible: number | 'open', order: (a: K, b: K) => number): Set<K> {
  const shown = [...cells].filter(([, cell]) => {
    const publishable = cell.publishable;
    if (publishable === null) throw new UndecidedCell('a cell cannot tell its sources');
    return publishable;
  });
  let total = 0;
  for (const cell of cells.values()) total += cell.count;
  let shownTotal = 0;
  for (const [, cell] of shown) shownTotal += cell.count;
  if (possible !== 'open' && possible - shown.length === 1 && total > shownTotal && shown.length > 0) {
    shown.sort(([a, x], [b, y]) => x.count - y.count || order(a, b));
    shown.shift();
  }
  return new Set(shown.map(([key]) => key));
}
