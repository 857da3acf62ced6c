/**
 * The instance key rule, in one place: who may delete an instance's reports, and who may read them.
 * A report may carry `candor.deletionKeyHash`: the sha256 of 32 random bytes only its agent holds.
 * A request proves it holds them with `X-Candor-Deletion-Key` (hex). Every stored hash is compared
 * in constant time, whatever the earlier ones gave; a request that proves nothing gets the same
 * refusal whether the id exists or not.
 *
 * An instance may hold rows under several keys on one day (replacement.ts: each key its own row).
 *
 * - Deletion: a row with the hash is deleted only for its own secret; a row without one (Navidrome's
 *   own reports, Candor before schema version 2) by id alone.
 * - Access (`GET /collect/{id}`): only for a secret that matches at least one row of the id. The
 *   rows that carry its hash are shown whole; rows without a key by day and sha256 (they have no
 *   owner to protect). The rows of another key are shown, by day and sha256, to the id's *senior*
 *   key only: the key of its oldest row received at the collector's own time. That is its owner,
 *   who has reported under the id since before anyone could see the id in a report; someone who
 *   posts under a known id later is never senior, and learns nothing about the owner's rows (not
 *   even whether there are any). Rows whose time an export file chose (an import, or a file of an
 *   earlier day) give no seniority: that time can be backdated by 29 days.
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
  receivedAt: number;
  /** True when `receivedAt` is an export file's own creation time (an import, a file of an earlier day). */
  backdated: boolean;
}

const NOTHING_PRESENTED = Buffer.alloc(32);

/**
 * Which rows carry the hash of the presented secret. Every stored hash is compared (and one
 * comparison is made for an id with no protected row), so the time does not say how many rows
 * came before a match or whether there were any.
 */
function provenRows(rows: readonly StoredKey[], presented: Buffer | null): StoredKey[] {
  const proven: StoredKey[] = [];
  const against = presented ?? NOTHING_PRESENTED;
  let compared = 0;
  for (const row of rows) {
    if (row.keyHash === null) continue;
    const stored = Buffer.from(row.keyHash, 'hex');
    const equal = stored.length === against.length && timingSafeEqual(stored, against);
    compared++;
    if (equal && presented !== null) proven.push(row);
  }
  if (compared === 0) timingSafeEqual(NOTHING_PRESENTED, against);
  return proven;
}

export type DeletionPlan = { allowed: false } | { allowed: true; rows: StoredKey[] };

/**
 * Which of an instance's rows a request may delete. Allowed: the rows whose hash matches the
 * presented secret plus the rows without a hash, provided at least one row matched, or, when no
 * row has a hash at all, every row. Refused: anything else, an id with no rows included.
 */
export function planDeletion(rows: readonly StoredKey[], presented: Buffer | null): DeletionPlan {
  const matching = provenRows(rows, presented);
  if (!rows.some((r) => r.keyHash !== null)) return rows.length === 0 ? { allowed: false } : { allowed: true, rows: [...rows] };
  if (matching.length === 0) return { allowed: false };
  return { allowed: true, rows: rows.filter((r) => r.keyHash === null || matching.includes(r)) };
}

/** `keyHash`: the proven key (64 hex); `senior`: whether it may see the id's other rows. */
export type AccessPlan = { allowed: false } | { allowed: true; keyHash: string; senior: boolean };

/**
 * Whether a request may see what is held for an instance: only with a secret that matches one of
 * its rows. Unlike deletion, rows without a hash open nothing by id alone: reading is disclosure,
 * and the id alone proves nothing.
 */
export function planAccess(rows: readonly StoredKey[], presented: Buffer | null): AccessPlan {
  const proven = provenRows(rows, presented);
  if (proven.length === 0) return { allowed: false };
  const keyHash = proven[0]!.keyHash!;
  return { allowed: true, keyHash, senior: seniorKey(rows) === keyHash };
}

/** The key of the id's oldest row received at the collector's own time; null when it has none. */
function seniorKey(rows: readonly StoredKey[]): string | null {
  let senior: StoredKey | null = null;
  for (const row of rows) if (row.keyHash !== null && !row.backdated && (senior === null || row.receivedAt < senior.receivedAt)) senior = row;
  return senior?.keyHash ?? null;
}
