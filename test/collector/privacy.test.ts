/**
 * The no-IP proof: requests come from known loopback addresses (and a known forwarded address
 * through a trusted proxy); afterwards neither the database files, nor any log line, nor any
 * endpoint's output contains them, in any encoding we could think of.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCollector } from '../../collector/index';
import { collectorLogger } from '../../collector/platform';
import { candorReport, newId, send } from './support/harness';

const PROXY = '127.0.0.42';
const DIRECT = '127.0.0.43';
const FORWARDED = '203.0.113.77';
const FORWARDED_V6 = '2001:db8:77:1::99';

function encodings(address: string): Buffer[] {
  const parts = address.includes('.') ? address.split('.').map(Number) : [];
  return [
    Buffer.from(address, 'utf8'),
    Buffer.from(address, 'utf16le'),
    Buffer.from(`::ffff:${address}`, 'utf8'),
    // The packed form would only be there if something stored the address as bytes.
    ...(parts.length === 4 ? [Buffer.from(parts)] : []),
  ];
}

function leaks(haystack: Buffer): string[] {
  return [PROXY, DIRECT, FORWARDED, FORWARDED_V6].filter((a) => encodings(a).some((needle) => haystack.includes(needle)));
}

describe('no IP address is stored or logged', () => {
  it('after traffic from known addresses, the data folder, the logs and every endpoint are free of them', async () => {
    const lines: string[] = [];
    const started = await startCollector({
      trustProxy: [`${PROXY}/32`],
      logger: collectorLogger('debug', (l) => lines.push(l)),
      limits: { ipBurst: 8, ipRefillPerSecond: 0.01 },
    });
    const { url, dataDir } = started;
    const json = { 'content-type': 'application/json' };
    const id = newId();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push(
        (
          await send(url, {
            localAddress: PROXY,
            headers: { ...json, 'x-forwarded-for': FORWARDED },
            body: JSON.stringify(candorReport(i === 0 ? { id } : {})),
          })
        ).status,
      );
    }
    statuses.push(
      (await send(url, { localAddress: PROXY, headers: { ...json, 'x-forwarded-for': FORWARDED_V6 }, body: JSON.stringify(candorReport()) })).status,
    );
    statuses.push((await send(url, { localAddress: DIRECT, headers: { ...json, 'x-forwarded-for': FORWARDED }, body: JSON.stringify(candorReport()) })).status);
    statuses.push((await send(url, { localAddress: DIRECT, headers: json, body: '{"id": 1}' })).status);
    statuses.push((await send(url, { localAddress: DIRECT, headers: { 'content-type': 'text/plain' }, body: '{}' })).status);
    statuses.push((await send(url, { localAddress: DIRECT, method: 'GET', path: `/collect?ip=${DIRECT}` })).status);
    statuses.push((await send(url, { localAddress: DIRECT, method: 'DELETE', path: `/collect/${newId()}` })).status);
    // The traffic did reach every path that could leak: stored, rate-limited, rejected, deleted.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429, 429, 200, 200, 422, 415, 405, 403]);

    const outputs = await Promise.all(['/metrics', '/api/summary', '/api/meta', '/healthz', '/'].map((p) => send(url, { method: 'GET', path: p })));
    for (const reply of outputs) expect(leaks(Buffer.from(reply.body + JSON.stringify(reply.headers)))).toEqual([]);

    const files = () => readdirSync(dataDir!).map((f) => readFileSync(path.join(dataDir!, f)));
    // While running (WAL and shared-memory files included) ...
    for (const bytes of files()) expect(leaks(bytes)).toEqual([]);
    // ... and after a clean stop.
    const dir = dataDir!;
    await started.collector.close();
    for (const f of readdirSync(dir)) expect(leaks(readFileSync(path.join(dir, f)))).toEqual([]);

    expect(lines.filter((l) => l.includes(' request ')).length).toBeGreaterThanOrEqual(statuses.length);
    expect(leaks(Buffer.from(lines.join('\n')))).toEqual([]);
    // Request lines carry no query string and no instance id either.
    expect(lines.join('\n')).not.toContain('?ip=');
    expect(lines.join('\n')).not.toContain(id);
    await started.close();
  });
});
