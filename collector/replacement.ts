/**
 * Which row a report goes to and which report a row keeps, the rule in one place (the stores
 * apply it with their unique index and upsert, the writer within a batch, the import command to
 * say what happened).
 *
 * A row is one instance's report of one UTC day *under one deletion key*: the report's
 * `candor.deletionKeyHash`, or none. A report replaces only the row of its own key, and never with
 * an older report (an export file made earlier that day than the report already there):
 * - so knowing an id is not enough to touch its owner's reports: a report under another key (or
 *   none) gets a row of its own, as a fake under a fresh id would. It cannot replace the owner's
 *   report of a day, keep it out, or be deleted or seen with the owner's key;
 * - and nothing a sender is answered, or can ask about with its own key, depends on the rows of
 *   another key: the answer to a report never depends on what is stored for someone else's.
 * Reports without a key (Navidrome's own) share the one keyless row of their instance and day,
 * newest first, as they always did: they have no owner to protect.
 */

/** What tells rows of one instance and day apart: the deletion key hash, or '' for none. */
export const keySlot = (deletionKeyHash: string | null): string => deletionKeyHash ?? '';

export interface RowVersion {
  receivedAt: number;
}

/** Whether `incoming` replaces `stored`, a report of the same row (the same instance, day and key). */
export function replaces(incoming: RowVersion, stored: RowVersion): boolean {
  return incoming.receivedAt >= stored.receivedAt;
}
