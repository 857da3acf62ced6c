/**
 * The instance key rule, in one place: who may delete an instance's reports, and who may read them.
 * A report may carry `candor.deletionKeyHash`: the sha256 of 32 random bytes only its agent holds.
 * A request proves it holds them with `X-Candor-Deletion-Key` (hex). Every stored hash is compared
 * in constant time, whatever the earlier ones gave; a request that proves nothing gets the same
 * refusal whether the id exists or not.
 *
 * - Deletion: a row with the hash is deleted only for its own secret; a row without one (Navidrome's
 *   own reports, Candor before schema version 2) by id alone.
 * - Access (`GET /collect/{id}`): only for a secret that matches at least one row of the id. The
 *   rows that carry its hash are shown whole; the id's other rows (another secret, or none) only by
 *   day and sha256, so that the owner sees what someone else stored under the id without being told
 *   its contents.
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

const NOTHING_PRESENTED = Buffer.alloc(32);

/**
 * The days whose row carries the hash of the presented secret. Every stored hash is compared (and
 * one comparison is made for an id with no protected row), so the time does not say how many
 * rows came before a match or whether there were any.
 */
export function provenDays(rows: readonly StoredKey[], presented: Buffer | null): Set<number> {
  const proven = new Set<number>();
  const against = presented ?? NOTHING_PRESENTED;
  let compared = 0;
  for (const row of rows) {
    if (row.keyHash === null) continue;
    const stored = Buffer.from(row.keyHash, 'hex');
    const equal = stored.length === against.length && timingSafeEqual(stored, against);
    compared++;
    if (equal && presented !== null) proven.add(row.day);
  }
  if (compared === 0) timingSafeEqual(NOTHING_PRESENTED, against);
  return proven;
}

export type DeletionPlan = { allowed: false } | { allowed: true; days: number[] };

/**
 * Which of an instance's rows a request may delete. Allowed: the rows whose hash matches the
 * presented secret plus the rows without a hash, provided at least one row matched, or, when no
 * row has a hash at all, every row. Refused: anything else, an id with no rows included.
 */
export function planDeletion(rows: readonly StoredKey[], presented: Buffer | null): DeletionPlan {
  const matching = provenDays(rows, presented);
  const protectedRows = rows.filter((r) => r.keyHash !== null);
  if (protectedRows.length === 0) return rows.length === 0 ? { allowed: false } : { allowed: true, days: rows.map((r) => r.day) };
  if (matching.size === 0) return { allowed: false };
  return { allowed: true, days: rows.filter((r) => r.keyHash === null || matching.has(r.day)).map((r) => r.day) };
}

export type AccessPlan = { allowed: false } | { allowed: true; provenDays: Set<number> };

/**
 * Whether a request may see what is held for an instance: only with a secret that matches one of
 * its rows. Unlike deletion, rows without a hash open nothing by id alone: reading is disclosure,
 * and the id alone proves nothing.
 */
export function planAccess(rows: readonly StoredKey[], presented: Buffer | null): AccessPlan {
  const proven = provenDays(rows, presented);
  return proven.size === 0 ? { allowed: false } : { allowed: true, provenDays: proven };
}
