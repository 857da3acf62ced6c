/**
 * Deletion on request, the rule in one place. A report may carry `candor.deletionKeyHash`: the
 * sha256 of 32 random bytes only its agent holds. Such a row is deleted only when the request
 * shows those bytes (`X-Candor-Deletion-Key`, hex); a row without the hash (Navidrome's own
 * reports, Candor before schema version 2) is deleted by id alone. A request that proves nothing
 * gets the same refusal whether the id exists or not.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const DELETION_KEY_HEADER = 'x-candor-deletion-key';

/** The sha256 of the secret in the header, or null when the header is missing or not 64 hex digits. */
export function presentedKeyHash(header: string | string[] | undefined): Buffer | null {
  if (typeof header !== 'string' || !/^[0-9a-fA-F]{64}$/.test(header)) return null;
  return createHash('sha256').update(Buffer.from(header, 'hex')).digest();
}

export interface StoredKey {
  day: number;
  /** The row's deletion-key hash (64 hex), or null for a row without one. */
  keyHash: string | null;
}

export type DeletionPlan = { allowed: false } | { allowed: true; days: number[] };

/**
 * Which of an instance's rows a request may delete. Allowed: the rows whose hash matches the
 * presented secret plus the rows without a hash, provided at least one row matched, or, when no
 * row has a hash at all, every row. Refused: anything else, an id with no rows included.
 */
export function planDeletion(rows: readonly StoredKey[], presented: Buffer | null): DeletionPlan {
  const protectedRows = rows.filter((r) => r.keyHash !== null);
  if (protectedRows.length === 0) return rows.length === 0 ? { allowed: false } : { allowed: true, days: rows.map((r) => r.day) };
  const matching = new Set<number>();
  for (const row of protectedRows) {
    // Every stored hash is compared, whatever the earlier ones gave: no early exit to time.
    const stored = Buffer.from(row.keyHash!, 'hex');
    const equal = presented !== null && stored.length === presented.length && timingSafeEqual(stored, presented);
    if (equal) matching.add(row.day);
  }
  if (matching.size === 0) return { allowed: false };
  return { allowed: true, days: rows.filter((r) => r.keyHash === null || matching.has(r.day)).map((r) => r.day) };
}
