/**
 * Deletion on request needs more than the id. A report may carry `candor.deletionKeyHash`, the
 * sha256 of a secret only its agent holds; its rows are then deleted only for that secret
 * (`X-Candor-Deletion-Key`), and a wrong or missing secret gets the same 403 as an id never seen.
 * Reports without the hash (Navidrome's own) are deleted by id alone, as before.
 */
import { describe, expect, it } from 'vitest';
import { PAYLOAD_FIELDS, PAYLOAD_SCHEMA_VERSION } from '../../shared/schema/payload';
import { DAY_MS } from '../../collector/retention';
import { FakeClock } from '../support/fake-clock';
import { parseJson } from '../support/json';
import {
  candorReport,
  collectorsPerTest,
  deleteReports,
  getSummary,
  newId,
  newKey,
  post,
  protectedReport,
  rejected,
  scrape,
  sqliteRows,
  type ErrorBody,
} from './support/harness';
import { navidromeDocker } from './support/navidrome';

const { start } = collectorsPerTest();

const del = deleteReports;

describe('the deletion key in the payload schema', () => {
  it('is candor.deletionKeyHash, an agent field introduced by schema version 2', () => {
    expect(PAYLOAD_SCHEMA_VERSION).toBe(2);
    const field = PAYLOAD_FIELDS.find((f) => f.path === 'candor.deletionKeyHash');
    expect(field).toMatchObject({ category: 'agent', source: 'agent', since: 2 });
    expect(field!.explain).toMatch(/secret/);
  });

  it('accepts 64 lowercase hex digits and nothing else', async () => {
    const c = await start();
    expect((await post(c.url, protectedReport(newId(), newKey().hash))).status).toBe(200);
    for (const bad of ['A'.repeat(64), 'a'.repeat(63), 'g'.repeat(64), newKey().secret + 'a']) {
      const reply = await post(c.url, protectedReport(newId(), bad));
      expect(reply.status, bad).toBe(422);
      expect(parseJson<ErrorBody>(reply.body).path).toBe('candor.deletionKeyHash');
    }
  });

  it('is kept beside the report, not inside the stored report', async () => {
    const c = await start();
    const { hash } = newKey();
    await post(c.url, protectedReport(newId(), hash));
    expect(sqliteRows(c.dataDir!)[0]!.payload).not.toContain(hash);
  });
});

describe('DELETE /collect/{id} with a deletion key', () => {
  it('deletes protected reports, on every day, only with the secret', async () => {
    const clock = new FakeClock(Date.UTC(2026, 6, 1, 9));
    const c = await start({ clock });
    const id = newId();
    const key = newKey();
    await post(c.url, protectedReport(id, key.hash));
    await clock.advance(DAY_MS);
    await post(c.url, protectedReport(id, key.hash));
    await post(c.url, protectedReport(newId(), newKey().hash));
    expect(sqliteRows(c.dataDir!)).toHaveLength(3);

    for (const attempt of [undefined, '', newKey().secret, key.hash, key.secret.slice(0, 63), 'zz'.repeat(32)]) {
      const reply = await del(c.url, id, attempt);
      expect(reply.status, String(attempt)).toBe(403);
      expect(JSON.parse(reply.body)).toEqual({ error: 'forbidden', message: 'deletion key missing or wrong' });
    }
    expect(sqliteRows(c.dataDir!)).toHaveLength(3);

    expect((await del(c.url, id, key.secret.toUpperCase())).status).toBe(204);
    expect(sqliteRows(c.dataDir!).map((r) => r.instance_id)).not.toContain(id);
    expect(sqliteRows(c.dataDir!)).toHaveLength(1);
    expect((await scrape(c.url)).get('collector_deleted_rows_total')).toBe(2);
    expect(rejected(await scrape(c.url), 'forbidden')).toBe(6);
  });

  it('answers an unknown id exactly as it answers a wrong secret', async () => {
    const c = await start();
    const id = newId();
    await post(c.url, protectedReport(id, newKey().hash));
    const wrong = await del(c.url, id, newKey().secret);
    const unknown = await del(c.url, newId(), newKey().secret);
    const unknownNoKey = await del(c.url, newId());
    for (const reply of [unknown, unknownNoKey]) {
      expect(reply.status).toBe(wrong.status);
      expect(reply.body).toBe(wrong.body);
      expect(reply.headers['content-type']).toBe(wrong.headers['content-type']);
    }
  });

  it('deletes reports without a hash (Navidrome) by id alone, with or without a key', async () => {
    const c = await start();
    const [a, b] = [newId(), newId()];
    await post(c.url, navidromeDocker(a));
    await post(c.url, navidromeDocker(b));
    expect((await del(c.url, a)).status).toBe(204);
    expect((await del(c.url, b, newKey().secret)).status).toBe(204);
    expect(sqliteRows(c.dataDir!)).toHaveLength(0);
  });

  it('with the secret, also deletes the same id’s older reports sent before the key existed', async () => {
    const clock = new FakeClock(Date.UTC(2026, 6, 1, 9));
    const c = await start({ clock });
    const id = newId();
    const key = newKey();
    await post(c.url, candorReport({ id })); // an agent before schema version 2
    await clock.advance(DAY_MS);
    await post(c.url, protectedReport(id, key.hash));
    expect((await del(c.url, id)).status).toBe(403);
    expect(sqliteRows(c.dataDir!)).toHaveLength(2);
    expect((await del(c.url, id, key.secret)).status).toBe(204);
    expect(sqliteRows(c.dataDir!)).toHaveLength(0);
  });

  it('deletes only the reports of the secret shown: someone who reused the id cannot delete the owner’s', async () => {
    const clock = new FakeClock(Date.UTC(2026, 6, 1, 9));
    const c = await start({ clock });
    const id = newId();
    const owner = newKey();
    const intruder = newKey();
    await post(c.url, protectedReport(id, owner.hash));
    await clock.advance(DAY_MS);
    await post(c.url, protectedReport(id, intruder.hash));
    expect((await del(c.url, id, intruder.secret)).status).toBe(204);
    const left = sqliteRows(c.dataDir!);
    expect(left).toHaveLength(1);
    expect(left[0]!.day).toBe(Math.floor(Date.UTC(2026, 6, 1, 9) / DAY_MS));
    expect((await del(c.url, id, owner.secret)).status).toBe(204);
    expect(sqliteRows(c.dataDir!)).toHaveLength(0);
  });

  it('re-summarizes the days it deleted from', async () => {
    const c = await start();
    const key = newKey();
    const id = newId();
    await post(c.url, protectedReport(id, key.hash));
    await post(c.url, candorReport());
    expect((await del(c.url, id, key.secret)).status).toBe(204);
    const days = (await getSummary(c.url)).days;
    expect(days.at(-1)!.instances).toBe(1);
  });
});
