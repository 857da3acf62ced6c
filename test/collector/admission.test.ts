/**
 * The per-instance daily cap (10 stored reports per id per UTC day) holds however the reports
 * arrive: pipelined on one connection, on many connections at once, across a restart, and a report
 * the store refuses gives its place back.
 */
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fake-clock';
import { candorReport, collectorsPerTest, holdCommits, newId, post, scrape, sqliteRows } from './support/harness';

const CAP = 10;
const { start, stop } = collectorsPerTest();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Writes every request in one go on one socket and collects the statuses of the answers, in order. */
function pipelined(url: string, bodies: string[]): Promise<number[]> {
  const { hostname, port } = new URL(url);
  const requests = bodies
    .map((body) => `POST /collect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
    .join('');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(requests));
    let buffer = '';
    const statuses: number[] = [];
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) break;
        const length = Number(/content-length: (\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
        if (buffer.length < end + 4 + length) break;
        statuses.push(Number(buffer.slice(9, 12)));
        buffer = buffer.slice(end + 4 + length);
      }
      if (statuses.length === bodies.length) {
        socket.destroy();
        resolve(statuses);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(statuses));
  });
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('per-instance daily cap', () => {
  it('holds for 40 pipelined reports of one instance on one connection: exactly 10 stored', async () => {
    const c = await start();
    const id = newId();
    const statuses = await pipelined(
      c.url,
      Array.from({ length: 40 }, (_, i) => JSON.stringify(candorReport({ id, uptime: i }))),
    );
    expect(statuses).toHaveLength(40);
    expect(count(statuses, 200)).toBe(CAP);
    expect(count(statuses, 429)).toBe(40 - CAP);
    expect(sqliteRows(c.dataDir!)[0]!.writes).toBe(CAP);
    const m = await scrape(c.url);
    expect(m.get('collector_reports_accepted_total')).toBe(CAP);
    expect(m.get('collector_rate_limited_total{scope="instance"}')).toBe(40 - CAP);
  });

  it('holds for 40 concurrent connections reporting one instance: exactly 10 stored', async () => {
    const c = await start();
    const id = newId();
    const agent = new http.Agent({ keepAlive: false, maxSockets: 64 });
    const statuses = await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) =>
          new Promise<number>((resolve, reject) => {
            const req = http.request(`${c.url}/collect`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            });
            req.on('error', reject);
            req.end(JSON.stringify(candorReport({ id, uptime: i })));
          }),
      ),
    );
    agent.destroy();
    expect(count(statuses, 200)).toBe(CAP);
    expect(count(statuses, 429)).toBe(40 - CAP);
    expect(sqliteRows(c.dataDir!)[0]!.writes).toBe(CAP);
  });

  it('counts other instances separately', async () => {
    const c = await start();
    const [a, b] = [newId(), newId()];
    const statuses = await pipelined(c.url, [
      ...Array.from({ length: 15 }, () => JSON.stringify(candorReport({ id: a }))),
      ...Array.from({ length: 15 }, () => JSON.stringify(candorReport({ id: b }))),
    ]);
    expect(count(statuses.slice(0, 15), 200)).toBe(CAP);
    expect(count(statuses.slice(15), 200)).toBe(CAP);
  });

  it('survives a restart: the count of the day is read back from the store', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'collector-admission-'));
    dirs.push(dir);
    const clock = new FakeClock(Date.UTC(2026, 5, 1, 10));
    const id = newId();
    const first = await start({ clock, dataDir: dir });
    for (let i = 0; i < 6; i++) expect((await post(first.url, candorReport({ id }))).status).toBe(200);
    await stop(first);

    const second = await start({ clock, dataDir: dir });
    const statuses = await pipelined(
      second.url,
      Array.from({ length: 10 }, () => JSON.stringify(candorReport({ id }))),
    );
    expect(count(statuses, 200)).toBe(CAP - 6);
    expect(count(statuses, 429)).toBe(10 - (CAP - 6));
    // A new UTC day starts a new count.
    await clock.advance(14 * 3600_000);
    expect((await post(second.url, candorReport({ id }))).status).toBe(200);
  });

  it('gives the place back when the store refuses the report', async () => {
    const c = await start({ limits: { instanceWritesPerDay: 3 } });
    const id = newId();
    const store = c.collector.store;
    const original = store.writeReports.bind(store);
    let failures = 2;
    store.writeReports = async (...args) => {
      if (failures-- > 0) throw new Error('disk on fire');
      return original(...args);
    };
    expect((await post(c.url, candorReport({ id }))).status).toBe(503);
    expect((await post(c.url, candorReport({ id }))).status).toBe(503);
    const statuses = await pipelined(
      c.url,
      Array.from({ length: 5 }, () => JSON.stringify(candorReport({ id }))),
    );
    expect(count(statuses, 200)).toBe(3);
    expect(count(statuses, 429)).toBe(2);
  });

  it('gives the place back when the write queue is full', async () => {
    const c = await start({ limits: { instanceWritesPerDay: 2, queueCapacity: 1 } });
    const id = newId();
    const release = holdCommits(c.collector.store);
    const held = post(c.url, candorReport()); // another instance holds the writer
    await new Promise((r) => setTimeout(r, 50));
    const queued = post(c.url, candorReport()); // and fills the queue
    await new Promise((r) => setTimeout(r, 50));
    expect((await post(c.url, candorReport({ id }))).status).toBe(503);
    release();
    await Promise.all([held, queued]);
    expect((await post(c.url, candorReport({ id }))).status).toBe(200);
    expect((await post(c.url, candorReport({ id }))).status).toBe(200);
    expect((await post(c.url, candorReport({ id }))).status).toBe(429);
  });
});
