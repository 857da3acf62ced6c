/**
 * `verifyRemoteData`'s comparison, over collectors that answer in every documented way: each held
 * report matched by its receipt to the entry that sent it, the ones never sent from here named,
 * the bytes a failed attempt's receipt named, the reports sent and not held, and the collectors
 * that cannot be asked.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../shared/api-contract';
import { HttpFailure, type HttpClient, type HttpRequest } from '../../../core/net/http-client';
import { verifyRemoteData } from '../../../core/send/remote-verify';
import { textMatching } from '../../support/matchers';

const NOW = Date.UTC(2026, 10, 25, 12);
const DAY = 86_400_000;
const ID = '5f0c1b2e-8a7d-4c3b-a1e2-9d8c7b6a5f40';
const ENDPOINT = 'https://collector.example/collect';
const KEYS = [{ id: ID, key: 'a'.repeat(64), createdAt: NOW - 40 * DAY }];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function sent(n: number, at: number, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  const body = JSON.stringify({ id: ID, uptime: n, candor: { deletionKeyHash: 'b'.repeat(64) } });
  return {
    id: `e${n}`,
    at: new Date(at).toISOString(),
    trigger: 'schedule',
    endpoint: ENDPOINT,
    sha256: sha256(body),
    size: body.length,
    durationMs: 5,
    outcome: 'sent',
    message: 'accepted (HTTP 200), receipt matches',
    body,
    ...extra,
  };
}

/** A collector that answers each GET with `answer` (or throws it). */
function collector(answer: { status: number; body?: unknown } | HttpFailure): HttpClient & { asked: HttpRequest[] } {
  const asked: HttpRequest[] = [];
  return {
    asked,
    request(req) {
      asked.push(req);
      if (answer instanceof HttpFailure) return Promise.reject(answer);
      return Promise.resolve({ status: answer.status, headers: {}, body: typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? '') });
    },
  };
}
const held = (rows: unknown[]) => ({ status: 200, body: { id: ID, retentionDays: 30, reports: rows } });
const verify = (http: HttpClient, history: HistoryEntry[]) => verifyRemoteData({ http, logger: { log: () => {} }, now: () => NOW }, KEYS, ENDPOINT, history);

describe('verifyRemoteData', () => {
  it('asks with the secret, for each id, at <endpoint>/<id>', async () => {
    const http = collector(held([]));
    await verify(http, []);
    expect(http.asked).toEqual([expect.objectContaining({ method: 'GET', url: `${ENDPOINT}/${ID}` })]);
    expect(http.asked[0]!.headers).toMatchObject({ 'x-candor-deletion-key': 'a'.repeat(64) });
  });

  it('matches what is held to what was sent, exported or sent without an answer', async () => {
    const a = sent(1, NOW - 3 * DAY);
    const b = sent(2, NOW - 2 * DAY, { outcome: 'no-answer' });
    const c = sent(3, NOW - DAY, { outcome: 'exported', endpoint: 'https://elsewhere.example/collect' });
    const r = await verify(
      collector(
        held([
          { day: a.at.slice(0, 10), sha256: a.sha256, key: 'this', expiresAt: 'x' },
          { day: b.at.slice(0, 10), sha256: b.sha256, key: 'this' },
          { day: c.at.slice(0, 10), sha256: c.sha256, key: 'this' },
        ]),
      ),
      [a, b, c],
    );
    expect(r).toMatchObject({ ok: true, asked: 'answered', missing: [] });
    expect(r.held.map((h) => [h.verdict, h.entry?.id])).toEqual([
      ['sent-from-here', 'e1'],
      ['sent-from-here', 'e2'],
      ['sent-from-here', 'e3'],
    ]);
    expect(r.message).toBe('Everything the collector holds about this machine was sent from here (3 reports).');
  });

  it('names a report held that was never sent from here, and the bytes a failed attempt’s receipt named', async () => {
    const mismatch = sent(4, NOW - DAY, { outcome: 'failed', errorClass: 'receipt-mismatch', receipt: sha256('mangled') });
    const r = await verify(
      collector(
        held([
          { day: '2026-11-24', sha256: sha256('mangled'), key: 'this' },
          { day: '2026-11-25', sha256: sha256('someone else'), key: 'other' },
        ]),
      ),
      [mismatch],
    );
    expect(r.ok).toBe(false);
    expect(r.held.map((h) => [h.verdict, h.ownKey, h.entry?.id])).toEqual([
      ['different-bytes', true, 'e4'],
      ['not-from-here', false, undefined],
    ]);
    expect(r.message).toBe(
      'The collector holds one report under this machine’s IDs that was never sent from here. For one report, the collector keeps bytes other than those sent from here.',
    );
  });

  it('lists sent reports not held: replaced by a later one of their day, or missing; older than the retention, neither', async () => {
    const morning = sent(5, NOW - HOURS(10));
    const evening = sent(6, NOW - HOURS(1));
    const lost = sent(7, NOW - 5 * DAY);
    const expired = sent(8, NOW - 31 * DAY);
    const elsewhere = sent(9, NOW - 4 * DAY, { endpoint: 'https://elsewhere.example/collect' });
    const r = await verify(collector(held([{ day: evening.at.slice(0, 10), sha256: evening.sha256, key: 'this' }])), [
      expired,
      lost,
      elsewhere,
      morning,
      evening,
    ]);
    expect(r.ok).toBe(true);
    expect(r.missing.map((m) => [m.entry.id, m.reason])).toEqual([
      ['e5', 'replaced'],
      ['e7', 'missing'],
    ]);
    expect(r.message).toBe(
      'Everything the collector holds about this machine was sent from here (one report). One report sent from here is not held (deleted, or never stored).',
    );
  });

  it('matches a report stored before receipts by its contents (any key order, without the deletion-key hash)', async () => {
    const e = sent(10, NOW - DAY);
    const stored = { candor: {}, uptime: 10, id: ID };
    const r = await verify(collector(held([{ day: '2026-11-24', sha256: null, key: 'this', report: stored }])), [e]);
    expect(r.held[0]).toMatchObject({ sha256: null, verdict: 'sent-from-here', entry: { id: 'e10' } });
  });

  it('reads 403 as nothing held; a collector that cannot be asked, or offers no such check, is a failure with its cause', async () => {
    expect(await verify(collector({ status: 403 }), [])).toMatchObject({ ok: true, message: 'The collector holds nothing about this machine.' });
    expect(await verify(collector(new HttpFailure('unreachable')), [])).toMatchObject({
      ok: false,
      asked: 'unreachable',
      message: 'The collector could not be asked: could not connect.',
    });
    expect(await verify(collector({ status: 503 }), [])).toMatchObject({
      ok: false,
      message: 'The collector could not be asked: the server had an error (HTTP 503).',
    });
    expect(await verify(collector({ status: 200, body: '<html>' }), [])).toMatchObject({
      ok: false,
      message: 'The collector could not be asked: its answer could not be read.',
    });
    expect(await verify(collector({ status: 405 }), [])).toMatchObject({ ok: false, asked: 'unsupported' });
    const none = await verifyRemoteData({ http: collector(held([])), logger: { log: () => {} }, now: () => NOW }, [], ENDPOINT, []);
    expect(none).toMatchObject({ ok: true, asked: 'nothing-to-ask' });
    const plain = await verifyRemoteData(
      { http: collector(held([])), logger: { log: () => {} }, now: () => NOW },
      KEYS,
      'http://collector.example/collect',
      [],
    );
    expect(plain).toMatchObject({ ok: false, asked: 'unreachable', message: textMatching(/https/) });
  });
});

function HOURS(n: number): number {
  return n * 3_600_000;
}
