/**
 * GET /collect/{id}: what the collector holds about an instance, for its owner only. The proof is
 * the deletion key (deletion.ts: the same rule, the same constant-time comparison); a request that
 * proves nothing, about an id stored or never seen, gets deletion's very refusal.
 */
import type http from 'node:http';
import { DELETION_KEY_HEADER, planAccess, presentedKeyHash } from '../deletion';
import { BUSY_RETRY_AFTER_S } from '../limits';
import { dayLabel, expiresAt, RETENTION_DAYS } from '../retention';
import { discardRestOfBody } from '../../lib/http/body';
import { admitAddress, isInstanceId, refuseUnproven, reject, type IngestContext } from './ingest';
import { sendJson } from './respond';

export type AccessContext = Pick<IngestContext, 'store' | 'trust' | 'addresses' | 'metrics' | 'inFlight'>;

/**
 * One row of the answer. Rows the presented key proves are shown whole; the id's other rows by day
 * and sha256 only: those without a key to any key proven here, those of another key to the id's
 * senior key only (deletion.ts).
 */
export type HeldRow =
  | { day: string; sha256: string | null; key: 'this'; receivedAt: string; expiresAt: string; report: unknown }
  | { day: string; sha256: string | null; key: 'other' };

export interface AccessAnswer {
  id: string;
  retentionDays: number;
  reports: HeldRow[];
}

export async function handleAccess(ctx: AccessContext, req: http.IncomingMessage, res: http.ServerResponse, id: string): Promise<void> {
  if (admitAddress(ctx, req, res) === null) return;
  discardRestOfBody(req);
  if (!isInstanceId(id)) {
    reject(ctx, res, 400, 'bad-request', 'not an instance id');
    return;
  }
  const presented = presentedKeyHash(req.headers[DELETION_KEY_HEADER]);
  ctx.inFlight.count++;
  try {
    const keys = await ctx.store.instanceKeys(id);
    const plan = planAccess(keys, presented);
    if (!plan.allowed) return refuseUnproven(ctx, res);
    const held = await ctx.store.instanceReports(
      id,
      keys.map((k) => k.day),
    );
    const reports = held.flatMap((row): HeldRow[] => {
      const day = dayLabel(row.day);
      // Keyless rows to every key proven here, another key's rows to the id's senior key only (deletion.ts).
      if (row.deletionKeyHash !== plan.keyHash) return row.deletionKeyHash === null || plan.senior ? [{ day, sha256: row.receivedSha256, key: 'other' }] : [];
      return [
        {
          day,
          sha256: row.receivedSha256,
          key: 'this',
          receivedAt: new Date(row.receivedAt).toISOString(),
          expiresAt: new Date(expiresAt(row.receivedAt)).toISOString(),
          report: JSON.parse(row.payload) as unknown,
        },
      ];
    });
    const answer: AccessAnswer = { id, retentionDays: RETENTION_DAYS, reports };
    sendJson(res, 200, answer, { 'cache-control': 'no-store' });
  } catch {
    reject(ctx, res, 503, 'store-error', 'storage unavailable, try again later', {}, { 'retry-after': BUSY_RETRY_AFTER_S });
  } finally {
    ctx.inFlight.count--;
  }
}
