/**
 * POST /collect and DELETE /collect/{id} (GET /collect/{id} is access.ts): every bad input gets its own 4xx, counted by reason, and
 * nothing reaches the store unless it passed all checks. The order of checks puts the cheap ones
 * (method, address budget, headers) before reading a byte of body.
 */
import type http from 'node:http';
import type { OddValuePolicy } from '../../shared/schema/dsl';
import { PATTERNS } from '../../shared/schema/payload';
import { BUSY_RETRY_AFTER_S, type Limits } from '../limits';
import type { Metrics, RejectionReason } from '../metrics';
import type { CollectorClock } from '../platform';
import type { Admissions } from '../admission';
import type { AddressLimiter } from '../rate-limit';
import { utcDay } from '../retention';
import { DELETION_KEY_HEADER, presentedKeyHash } from '../deletion';
import { IMPORT_SOURCE, type SourceTagger } from '../source-tag';
import type { Store } from '../store/types';
import { parseSubmission, sha256Hex } from '../export-file';
import { storedForm } from '../validation';
import type { Writer } from '../writer';
import { discardRestOfBody, readBody } from '../../lib/http/body';
import { parserRejected } from './body';
import { limitKey, networkOf, type ProxyTrust } from './client-address';
import { sendError, sendJson } from './respond';

export interface IngestContext {
  limits: Limits;
  writer: Writer;
  /** Read only: what an instance's owner may see (access.ts). */
  store: Pick<Store, 'instanceKeys' | 'instanceReports'>;
  addresses: AddressLimiter;
  admissions: Admissions;
  sources: Pick<SourceTagger, 'tag'>;
  trust: ProxyTrust;
  metrics: Metrics;
  clock: CollectorClock;
  /** Requests between arrival and answer; shutdown waits for them before draining the queue. */
  inFlight: { count: number };
  /** 'drop' (always, but in a benchmark of what it costs): an odd value costs its field, not the report. */
  oddValues: OddValuePolicy;
}

const JSON_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

export function reject(
  ctx: Pick<IngestContext, 'metrics'>,
  res: http.ServerResponse,
  status: number,
  reason: RejectionReason,
  message: string,
  extra: Record<string, string | number> = {},
  headers: Record<string, string | number> = {},
): void {
  ctx.metrics.reject(reason);
  sendError(res, status, reason, message, extra, headers);
}

/** The client's address if its budget allows the request; null (and answered 429) otherwise. */
export function admitAddress(ctx: Pick<IngestContext, 'trust' | 'addresses' | 'metrics'>, req: http.IncomingMessage, res: http.ServerResponse): string | null {
  const address = ctx.trust.clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], req.socket);
  const admission = ctx.addresses.take(limitKey(address));
  if (admission.ok) return address;
  ctx.metrics.rateLimited.address++;
  reject(ctx, res, 429, 'rate-limited', 'too many requests from this address', {}, { 'retry-after': admission.retryAfterSeconds });
  discardRestOfBody(req);
  return null;
}

export async function handleCollect(ctx: IngestContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'POST') {
    reject(ctx, res, 405, 'method', 'use POST', {}, { allow: 'POST' });
    discardRestOfBody(req);
    return;
  }
  const address = admitAddress(ctx, req, res);
  if (address === null) return;
  const type = req.headers['content-type'];
  if (type === undefined || !JSON_TYPE.test(type)) {
    reject(ctx, res, 415, 'content-type', 'Content-Type must be application/json (UTF-8)');
    discardRestOfBody(req);
    return;
  }
  // Compressed bodies would slip past the byte limit's meaning; no known client sends them.
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    reject(ctx, res, 415, 'content-type', 'Content-Encoding is not supported');
    discardRestOfBody(req);
    return;
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > ctx.limits.maxBodyBytes) {
    reject(ctx, res, 413, 'too-large', `body larger than ${ctx.limits.maxBodyBytes} bytes`);
    discardRestOfBody(req);
    return;
  }
  // Refuse early when the writer is saturated: reading and parsing would be wasted work.
  if (ctx.writer.full) {
    reject(ctx, res, 503, 'queue-full', 'busy, try again later', {}, { 'retry-after': BUSY_RETRY_AFTER_S });
    discardRestOfBody(req);
    return;
  }
  ctx.inFlight.count++;
  try {
    await ingest(ctx, req, res, networkOf(address));
  } finally {
    ctx.inFlight.count--;
  }
}

async function ingest(ctx: IngestContext, req: http.IncomingMessage, res: http.ServerResponse, network: string): Promise<void> {
  const body = await readBody(req, ctx.limits.maxBodyBytes, ctx.limits.bodyTimeoutMs);
  if (!body.ok) {
    if (body.reason === 'aborted') {
      if (!parserRejected(req.socket)) ctx.metrics.reject('aborted');
      return;
    }
    if (body.reason === 'too-large') reject(ctx, res, 413, 'too-large', `body larger than ${ctx.limits.maxBodyBytes} bytes`);
    else reject(ctx, res, 408, 'timeout', 'body not received in time', {}, { connection: 'close' });
    discardRestOfBody(req);
    return;
  }
  // The server's clock, at the moment the report is complete: client clocks are never consulted,
  // except an export file's own creation time (export-file.ts), checked against this one.
  const now = ctx.clock.now();
  const parsed = parseSubmission(body.body, ctx.limits, now, ctx.oddValues);
  if (!parsed.ok) {
    const where: Record<string, string> = parsed.path !== undefined || parsed.status === 422 ? { path: parsed.path || '(root)' } : {};
    if (parsed.status === 422) reject(ctx, res, 422, 'schema', parsed.message, where);
    else if (parsed.status === 413) reject(ctx, res, 413, 'too-large', parsed.message, where);
    else reject(ctx, res, 400, 'malformed-json', parsed.message, where);
    return;
  }
  const { report, exportedAt, reportSha256, dropped } = parsed;
  // From here on the answer depends on this report and on its own row (replacement.ts: the same
  // instance, day and deletion key), never on what is stored for another sender's report. An export
  // file is answered as stored also when its row already holds it or a newer report.
  // The receipt: the sha256 of exactly the bytes received (for an export file, the file), so the
  // sender can prove the collector got what it sent; an export file's answer also names its report.
  const receipt = exportedAt === null ? { sha256: reportSha256 } : { sha256: sha256Hex(body.body), reportSha256 };
  const receivedAt = exportedAt ?? now;
  const stored = storedForm(report);
  const slot = { day: utcDay(receivedAt), instanceId: report.id, deletionKeyHash: stored.deletionKeyHash };
  // The address itself goes no further than this: only the day's opaque tag of its network is kept.
  let source: string;
  try {
    const tagged = sourceOf(ctx, network, now, receivedAt);
    source = typeof tagged === 'string' ? tagged : await tagged;
  } catch {
    // The store could not give the day's salt, or the day ended meanwhile: tagged with another
    // salt, the report would count as a network of its own.
    reject(ctx, res, 503, 'store-error', 'storage unavailable, try again later', {}, { 'retry-after': BUSY_RETRY_AFTER_S });
    return;
  }
  const counting = ctx.admissions.ready(slot);
  if (counting) {
    try {
      await counting;
    } catch {
      reject(ctx, res, 503, 'store-error', 'storage unavailable, try again later', {}, { 'retry-after': BUSY_RETRY_AFTER_S });
      return;
    }
  }
  if (!ctx.admissions.take(slot)) return instanceLimited(ctx, res);
  const pending = ctx.writer.enqueueReport({ day: slot.day, instanceId: report.id, receivedAt, source, receivedSha256: reportSha256, ...stored });
  if (!pending) {
    ctx.admissions.giveBack(slot);
    reject(ctx, res, 503, 'queue-full', 'busy, try again later', {}, { 'retry-after': BUSY_RETRY_AFTER_S });
    return;
  }
  let outcome;
  try {
    outcome = await pending;
  } catch {
    ctx.admissions.giveBack(slot);
    reject(ctx, res, 503, 'store-error', 'storage unavailable, try again later', {}, { 'retry-after': BUSY_RETRY_AFTER_S });
    return;
  }
  if (outcome === 'capped') {
    ctx.admissions.reconcile(slot);
    return instanceLimited(ctx, res);
  }
  ctx.metrics.accepted++;
  if (outcome === 'replaced') ctx.metrics.replaced++;
  ctx.metrics.countDropped(dropped);
  // Field paths only (map keys as `*`): the answer never repeats what the client sent.
  sendJson(res, 200, { status: 'stored', ...receipt, ...(dropped.length > 0 ? { dropped } : {}) });
}

/**
 * The source a report counts as in the summaries: the day's tag of the network that posted it,
 * for a report and for an export file made the same UTC day (the same network, the same tag). An
 * export file of an earlier day counts as no network: that day's salt is gone, so its tag could
 * not be told from the same network's own reports of that day, and one network posting on later
 * days would count as several.
 */
function sourceOf(ctx: IngestContext, network: string, now: number, receivedAt: number): string | Promise<string> {
  return utcDay(receivedAt) === utcDay(now) ? ctx.sources.tag(network, now) : IMPORT_SOURCE;
}

function instanceLimited(ctx: IngestContext, res: http.ServerResponse): void {
  ctx.metrics.rateLimited.instance++;
  reject(ctx, res, 429, 'rate-limited', 'this instance already reported enough today', {}, { 'retry-after': ctx.admissions.retryAfterSeconds() });
}

export async function handleDelete(ctx: IngestContext, req: http.IncomingMessage, res: http.ServerResponse, id: string): Promise<void> {
  if (req.method !== 'DELETE') {
    reject(ctx, res, 405, 'method', 'use GET or DELETE', {}, { allow: 'GET, DELETE' });
    discardRestOfBody(req);
    return;
  }
  if (admitAddress(ctx, req, res) === null) return;
  discardRestOfBody(req);
  if (!isInstanceId(id)) {
    reject(ctx, res, 400, 'bad-request', 'not an instance id');
    return;
  }
  const pending = ctx.writer.enqueueDelete(id, presentedKeyHash(req.headers[DELETION_KEY_HEADER]));
  if (!pending) {
    reject(ctx, res, 503, 'queue-full', 'busy, try again later', {}, { 'retry-after': BUSY_RETRY_AFTER_S });
    return;
  }
  ctx.inFlight.count++;
  try {
    const result = await pending;
    // One refusal for a wrong key, a missing key and an id never seen: the answer tells nothing about the id.
    if (!result.allowed) refuseUnproven(ctx, res);
    else res.writeHead(204, { 'cache-control': 'no-store' }).end();
  } catch {
    reject(ctx, res, 503, 'store-error', 'storage unavailable, try again later', {}, { 'retry-after': BUSY_RETRY_AFTER_S });
  } finally {
    ctx.inFlight.count--;
  }
}

export const isInstanceId = (id: string): boolean => PATTERNS.uuid.test(id);

/** The one refusal of every request about an instance that proves nothing (deletion and access alike). */
export function refuseUnproven(ctx: Pick<IngestContext, 'metrics'>, res: http.ServerResponse): void {
  reject(ctx, res, 403, 'forbidden', 'deletion key missing or wrong');
}
