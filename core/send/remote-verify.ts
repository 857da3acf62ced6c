import type { HeldReportCheck, HistoryEntry, MissingReportCheck, VerifyReport } from '../../shared/api-contract';
import { ERROR_MESSAGES, HttpFailure, type HttpClient } from '../net/http-client';
import type { Logger } from '../platform';
import type { DeletionKey } from '../state/deletion-keys';
import { DELETION_KEY_HEADER, instanceUrl } from './remote-deletion';
import { checkEndpoint } from '../net/endpoint';

const VERIFY_TIMEOUT_MS = 15_000;
/** A collector keeps at most one report per day for 30 days, each at most 100 KiB. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
const DAY_MS = 86_400_000;
const DEFAULT_RETENTION_DAYS = 30;

export interface VerifyDeps {
  http: HttpClient;
  logger: Logger;
  now: () => number;
}

/** One report of `GET /collect/{id}`, as Candor's collector answers (docs/collector.md). */
interface HeldRow {
  day: string;
  sha256: string | null;
  key: 'this' | 'other';
  expiresAt?: string;
  report?: unknown;
}

type Asked = { kind: 'answered'; rows: HeldRow[]; retentionDays: number } | { kind: 'unsupported' } | { kind: 'failed'; cause: string };

/**
 * "What does the collector hold about me?": for this instance's id and every earlier one still
 * within the collector's retention, `GET <endpoint>/<id>` with the secret whose hash the reports
 * carried, then each report held is matched, by the collector's receipt, to the history entry that
 * sent it. Nothing here changes anything, here or there.
 */
export async function verifyRemoteData(
  deps: VerifyDeps,
  keys: readonly DeletionKey[],
  endpoint: string,
  history: readonly HistoryEntry[],
): Promise<VerifyReport> {
  const checkedAt = new Date(deps.now()).toISOString();
  const report = (fields: Pick<VerifyReport, 'ok' | 'message' | 'asked'> & Partial<VerifyReport>): VerifyReport => ({
    endpoint,
    checkedAt,
    ids: keys.length,
    held: [],
    missing: [],
    ...fields,
  });
  const checked = checkEndpoint(endpoint);
  if (!checked.ok) return report({ ok: false, asked: 'unreachable', message: `The collector could not be asked: ${checked.reason}` });
  if (keys.length === 0) return report({ ok: true, asked: 'nothing-to-ask', message: 'Nothing to check: no report has been made on this machine yet.' });

  const answers = new Map<string, Extract<Asked, { kind: 'answered' }>>();
  let unsupported = 0;
  for (const { id, key } of keys) {
    const asked = await ask(deps.http, instanceUrl(checked.url, id), key);
    if (asked.kind === 'failed') {
      deps.logger.log('info', 'the collector could not be asked what it holds', { ids: keys.length });
      return report({ ok: false, asked: 'unreachable', message: `The collector could not be asked: ${asked.cause}.` });
    }
    if (asked.kind === 'unsupported') unsupported++;
    else answers.set(id, asked);
  }
  if (unsupported > 0)
    return report({
      ok: false,
      asked: 'unsupported',
      message: 'This collector does not let you check what it holds (Navidrome’s does not): only Candor’s collector answers with receipts.',
    });

  const { held, missing } = compare(answers, history, endpoint, deps.now());
  const foreign = held.filter((h) => h.verdict !== 'sent-from-here');
  deps.logger.log('info', 'asked the collector what it holds', { ids: keys.length, held: held.length, foreign: foreign.length });
  return report({ ok: foreign.length === 0, asked: 'answered', message: verdictOf(held, missing), held, missing });
}

async function ask(http: HttpClient, url: string, key: string): Promise<Asked> {
  let res;
  try {
    res = await http.request({
      method: 'GET',
      url,
      headers: { [DELETION_KEY_HEADER]: key, 'user-agent': 'Candor', accept: 'application/json' },
      timeoutMs: VERIFY_TIMEOUT_MS,
      maxBytes: MAX_ANSWER_BYTES,
    });
  } catch (error) {
    if (!(error instanceof HttpFailure)) throw error;
    return { kind: 'failed', cause: ERROR_MESSAGES[error.errorClass] };
  }
  // 403: nothing under that id carries this secret's hash (any more): nothing of ours is held.
  if (res.status === 403) return { kind: 'answered', rows: [], retentionDays: DEFAULT_RETENTION_DAYS };
  if (res.status === 404 || res.status === 405 || res.status === 501) return { kind: 'unsupported' };
  if (res.status !== 200 || res.truncated)
    return { kind: 'failed', cause: `${ERROR_MESSAGES[res.status >= 500 ? 'http-5xx' : 'http-4xx']} (HTTP ${res.status})` };
  const parsed = parseAnswer(res.body);
  return parsed ?? { kind: 'failed', cause: 'its answer could not be read' };
}

function parseAnswer(body: string): Extract<Asked, { kind: 'answered' }> | null {
  let value: { reports?: unknown; retentionDays?: unknown };
  try {
    value = JSON.parse(body) as typeof value;
  } catch {
    return null;
  }
  if (!Array.isArray(value?.reports)) return null;
  const rows: HeldRow[] = [];
  for (const raw of value.reports as Array<Record<string, unknown> | null>) {
    if (typeof raw?.day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw.day)) return null;
    const sha256 = typeof raw.sha256 === 'string' && /^[0-9a-f]{64}$/.test(raw.sha256) ? raw.sha256 : null;
    rows.push({
      day: raw.day,
      sha256,
      key: raw.key === 'this' ? 'this' : 'other',
      ...(typeof raw.expiresAt === 'string' ? { expiresAt: raw.expiresAt } : {}),
      ...(raw.report !== undefined ? { report: raw.report } : {}),
    });
  }
  const retentionDays = typeof value.retentionDays === 'number' && value.retentionDays > 0 ? value.retentionDays : DEFAULT_RETENTION_DAYS;
  return { kind: 'answered', rows, retentionDays };
}

/** Outcomes whose bytes left this machine (an attempt without an answer may have been stored). */
const LEFT_HERE = new Set<HistoryEntry['outcome']>(['sent', 'no-answer', 'exported']);

const utcDay = (iso: string) => iso.slice(0, 10);
const ref = (e: HistoryEntry) => ({ id: e.id, at: e.at, outcome: e.outcome });

function instanceIdOf(body: string): string | null {
  try {
    const id = (JSON.parse(body) as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

function compare(
  answers: Map<string, Extract<Asked, { kind: 'answered' }>>,
  history: readonly HistoryEntry[],
  endpoint: string,
  now: number,
): { held: HeldReportCheck[]; missing: MissingReportCheck[] } {
  // Newest first, so a report sent twice matches its latest sending.
  const newestFirst = [...history].reverse();
  const bySha = new Map<string, HistoryEntry>();
  const byReceipt = new Map<string, HistoryEntry>();
  for (const e of newestFirst) {
    if (LEFT_HERE.has(e.outcome) && !bySha.has(e.sha256)) bySha.set(e.sha256, e);
    if (e.receipt && e.receipt !== e.sha256 && !byReceipt.has(e.receipt)) byReceipt.set(e.receipt, e);
  }
  const held: HeldReportCheck[] = [];
  const heldDays = new Set<string>();
  const heldShas = new Set<string>();
  for (const [instanceId, answer] of answers) {
    for (const row of answer.rows) {
      heldDays.add(`${instanceId}/${row.day}`);
      if (row.sha256) heldShas.add(row.sha256);
      const base = { instanceId, day: row.day, sha256: row.sha256, ownKey: row.key === 'this', ...(row.expiresAt ? { expiresAt: row.expiresAt } : {}) };
      const sent = row.sha256 !== null ? bySha.get(row.sha256) : sameReport(row, newestFirst);
      const different = row.sha256 !== null ? byReceipt.get(row.sha256) : undefined;
      if (sent) held.push({ ...base, verdict: 'sent-from-here', entry: ref(sent) });
      else if (different) held.push({ ...base, verdict: 'different-bytes', entry: ref(different) });
      else held.push({ ...base, verdict: 'not-from-here' });
    }
  }
  // Confirmed sends to this collector, under an id asked about, within its retention: each should be held.
  const missing: MissingReportCheck[] = [];
  for (const e of newestFirst) {
    if (e.outcome !== 'sent' || e.endpoint !== endpoint || heldShas.has(e.sha256)) continue;
    const instanceId = instanceIdOf(e.body);
    const answer = instanceId !== null ? answers.get(instanceId) : undefined;
    if (!answer || Date.parse(e.at) < now - answer.retentionDays * DAY_MS) continue;
    missing.push({
      entry: { ...ref(e), sha256: e.sha256 },
      reason: heldDays.has(`${instanceId}/${utcDay(e.at)}`) ? 'replaced' : 'missing',
    });
  }
  return { held, missing };
}

/**
 * A report stored before the collector kept receipts has no sha256: it is matched by its contents
 * (the report as sent, less the deletion-key hash the collector keeps apart), in any key order.
 */
function sameReport(row: HeldRow, entries: readonly HistoryEntry[]): HistoryEntry | undefined {
  if (row.report === undefined) return undefined;
  const wanted = canonical(row.report);
  return entries.find((e) => {
    if (!LEFT_HERE.has(e.outcome)) return false;
    try {
      const sent = JSON.parse(e.body) as { candor?: Record<string, unknown> };
      if (sent.candor) delete sent.candor.deletionKeyHash;
      return canonical(sent) === wanted;
    } catch {
      return false;
    }
  });
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n === 1 ? 'one' : n} ${n === 1 ? one : many}`;

/** The finding in one sentence or two: what matters first. */
function verdictOf(held: HeldReportCheck[], missing: MissingReportCheck[]): string {
  const foreign = held.filter((h) => h.verdict === 'not-from-here').length;
  const different = held.filter((h) => h.verdict === 'different-bytes').length;
  const lost = missing.filter((m) => m.reason === 'missing').length;
  const parts: string[] = [];
  if (held.length === 0) parts.push('The collector holds nothing about this machine.');
  else if (foreign === 0 && different === 0)
    parts.push(`Everything the collector holds about this machine was sent from here (${plural(held.length, 'report')}).`);
  else {
    if (foreign > 0)
      parts.push(`The collector holds ${plural(foreign, 'report')} under this machine’s IDs that ${foreign === 1 ? 'was' : 'were'} never sent from here.`);
    if (different > 0) parts.push(`For ${plural(different, 'report')}, the collector keeps bytes other than those sent from here.`);
  }
  if (lost > 0) parts.push(`${lost === 1 ? 'One report' : `${lost} reports`} sent from here ${lost === 1 ? 'is' : 'are'} not held (deleted, or never stored).`);
  return parts.join(' ');
}
