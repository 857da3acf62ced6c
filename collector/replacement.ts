/**
 * Which report a day's row keeps when another report of the same instance and UTC day arrives,
 * the rule in one place (the stores apply it in their upsert; the writer within a batch; the
 * import command to say what happened):
 * - a row carrying a deletion key hash is replaced only by a report carrying the same hash.
 *   Knowing an id is not enough to overwrite its owner's report of a day, and so to take it over
 *   and delete it with one's own key; a row without a hash (Navidrome's own reports) has no owner
 *   to protect and is replaced by any report;
 * - a report never replaces one received after it (an export file made earlier that day).
 *
 * A report the row keeps out is answered exactly as a stored one: the answer to a report never
 * depends on what is stored for someone else's.
 */

export interface RowVersion {
  /** `candor.deletionKeyHash` (64 hex), null when the report carried none. */
  deletionKeyHash: string | null;
  receivedAt: number;
}

export function replaces(incoming: RowVersion, stored: RowVersion): boolean {
  return (stored.deletionKeyHash === null || stored.deletionKeyHash === incoming.deletionKeyHash) && incoming.receivedAt >= stored.receivedAt;
}
