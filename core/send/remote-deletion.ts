import type { DeletionOutcome } from '../../shared/api-contract';
import type { AgentContext } from '../context';
import { HttpFailure } from '../net/http-client';
import { checkEndpoint } from '../net/endpoint';

const DELETE_TIMEOUT_MS = 15_000;
export const DELETION_KEY_HEADER = 'x-candor-deletion-key';

/** `<endpoint>/<id>`: where the collector answers for one instance (deletion, and what it holds). */
export function instanceUrl(endpoint: URL, id: string): string {
  return `${endpoint.toString().replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
}

/**
 * "Delete my data at the collector": for this instance's id and every earlier one still within the
 * collector's retention, `DELETE <endpoint>/<id>` with the secret whose hash the reports carried.
 * The secret proves ownership; without it no one can delete another instance's reports.
 */
export async function deleteRemoteData(ctx: AgentContext, endpoint: string): Promise<DeletionOutcome> {
  const checked = checkEndpoint(endpoint);
  if (!checked.ok) return { ok: false, message: `Nothing deleted: ${checked.reason}`, ids: 0 };
  const keys = ctx.deletionKeys.all();
  if (keys.length === 0) return { ok: true, message: 'Nothing to delete: no report has been made on this machine yet.', ids: 0 };
  let unsupported = 0;
  let failed = 0;
  for (const { id, key } of keys) {
    try {
      const res = await ctx.deps.http.request({
        method: 'DELETE',
        url: instanceUrl(checked.url, id),
        headers: { [DELETION_KEY_HEADER]: key, 'user-agent': 'Candor' },
        timeoutMs: DELETE_TIMEOUT_MS,
        maxBytes: 16 * 1024,
      });
      // 204: deleted. 403: nothing under that id carries this secret's hash any more: nothing of ours is left.
      if (res.status === 204 || res.status === 200 || res.status === 403) continue;
      if (res.status === 404 || res.status === 405 || res.status === 501) unsupported++;
      else failed++;
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      failed++;
    }
  }
  ctx.deps.logger.log(failed || unsupported ? 'warn' : 'info', 'deletion requested at the collector', { ids: keys.length, failed, unsupported });
  if (unsupported === keys.length)
    return {
      ok: false,
      message: 'This collector does not offer deletion (Navidrome’s own does not): its reports are deleted only when its retention ends.',
      ids: keys.length,
    };
  if (failed > 0 || unsupported > 0)
    return {
      ok: false,
      message: `The collector did not confirm the deletion for ${failed + unsupported} of ${keys.length} anonymous IDs; try again later.`,
      ids: keys.length,
    };
  return {
    ok: true,
    message: `The collector holds nothing of this machine any more (${keys.length === 1 ? 'one anonymous ID' : `${keys.length} anonymous IDs`}).`,
    ids: keys.length,
  };
}
