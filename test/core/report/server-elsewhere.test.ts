import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createAxiosHttpClient } from '../../../core/net/axios-http-client';
import { ReportBuilder, type BuiltReport } from '../../../core/report/builder';
import { defaultSources } from '../../../core/sources/source-set';
import type { Payload } from '../../../shared/schema/payload';
import type { ServerProcess } from '../../../core/sources/host';
import type { AddressDeps } from '../../../core/sources/server-location';
import { configWith, makeAgent } from '../../support/agent-harness';
import { parseJson } from '../../support/json';
import { startNavidromeTestServer, type NavidromeTestServer } from '../../support/navidrome';

const http = createAxiosHttpClient();
const ID = '0b8a3d2e-4c1f-4a5b-9e7d-1234567890ab';
const ALICE = { username: 'canary-admin-alice', password: 'alice-canary-pass' };
const HOST_FACTS = ['os', 'fs', 'mem', 'candor.hostMemory'] as const;

let server: NavidromeTestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** One of this machine's own non-loopback IPv4 addresses, where it has one. */
const LAN_ADDRESS = Object.values(os.networkInterfaces())
  .flat()
  .find((info) => info && info.family === 'IPv4' && !info.internal)?.address;

interface Built {
  built: BuiltReport;
  payload: Payload;
  reasons: Record<string, string>;
}

async function report(url: string, address: Partial<AddressDeps> = {}, process: ServerProcess | null = null): Promise<Built> {
  const sources = { ...defaultSources(http, {}, address), serverProcess: () => Promise.resolve(process) };
  const builder = new ReportBuilder(sources, Date.now, '0.1.0');
  await builder.refresh({ connection: { url, ...ALICE }, configFile: null });
  const built = await builder.build(ID);
  expect(built.guard).toEqual({ ok: true });
  return { built, payload: parseJson<Payload>(built.report.text), reasons: Object.fromEntries(built.omitted.map((o) => [o.path, o.reason])) };
}

function expectHostFactsKept({ payload, reasons }: Built): void {
  expect(payload.os?.numCPU).toBe(os.availableParallelism());
  expect(payload.candor?.hostMemory?.total).toBe(os.totalmem());
  for (const path of ['os', 'candor.hostMemory']) expect(reasons[path], path).toBeUndefined();
}

function expectHostFactsLeftOut({ payload, reasons, built }: Built, memory: 'from-prometheus' | 'left-out'): void {
  expect(payload.os).toBeUndefined();
  expect(payload.fs).toBeUndefined();
  expect(payload.candor?.hostMemory).toBeUndefined();
  expect(built.location.where).toBe('another-machine');
  const leftOut = memory === 'left-out' ? HOST_FACTS : HOST_FACTS.filter((path) => path !== 'mem');
  for (const path of leftOut) {
    expect(reasons[path], path).toMatch(/^The server runs on another machine, .*candor run/);
  }
  if (memory === 'left-out') {
    expect(payload.mem).toBeUndefined();
    expect(payload.candor?.sources?.memory).toBeUndefined();
  } else expect(reasons.mem).toBeUndefined();
  // Each fact is left out once, never beside a part of it.
  const paths = built.omitted.map((o) => o.path);
  expect(paths.filter((p) => HOST_FACTS.some((fact) => p.startsWith(`${fact}.`)))).toEqual([]);
  // The host's health says where the server runs and how to include the facts.
  const host = built.health.find((h) => h.source === 'host');
  expect(host?.state).toBe('skipped');
  expect(host?.message).toMatch(/^The server runs on another machine/);
}

describe('a server on this machine', () => {
  it('on loopback keeps the host facts; its memory is Go Sys from Prometheus, else the resident size of its visible process, said which', async () => {
    server = await startNavidromeTestServer();
    const withMetrics = await report(server.url);
    expectHostFactsKept(withMetrics);
    expect(withMetrics.built.location).toMatchObject({ where: 'this-machine', basis: 'loopback' });
    expect(withMetrics.payload.mem).toEqual({ sys: server.seed.memory.goSysBytes });
    expect(withMetrics.payload.candor?.sources?.memory).toBe('prometheus');
    await server.close();

    server = await startNavidromeTestServer({ prometheusEnabled: false });
    const started = Date.parse(server.seed.startTime);
    const process: ServerProcess = { pid: 4321, rssBytes: 91_234_304, startTime: new Date(started + 400) };
    const resident = await report(server.url, {}, process);
    expectHostFactsKept(resident);
    expect(resident.payload.mem).toEqual({ sys: process.rssBytes });
    expect(resident.payload.candor?.sources?.memory).toBe('server-process');

    const neither = await report(server.url);
    expectHostFactsKept(neither);
    expect(neither.payload.mem).toBeUndefined();
    expect(neither.reasons['mem.sys']).toMatch(/Prometheus/);
    expect(neither.payload.candor?.sources?.memory).toBe('host');
  });

  it.runIf(LAN_ADDRESS)(`on one of its own non-loopback addresses (${LAN_ADDRESS ?? 'none here'}) keeps the host facts`, async () => {
    server = await startNavidromeTestServer({}, { host: LAN_ADDRESS });
    const built = await report(server.url);
    expect(built.built.location).toMatchObject({ where: 'this-machine', basis: 'own-address' });
    expectHostFactsKept(built);
    expect(built.payload.mem).toEqual({ sys: server.seed.memory.goSysBytes });
  });
});

describe('a server on another machine (an address that is not one of this machine’s, by an injected interface list)', () => {
  // The server listens on a real address of this machine, so it answers; the interface list the
  // agent is given does not hold that address, so to the agent it is another machine's.
  const notMine: Partial<AddressDeps> = { interfaceAddresses: () => ['127.0.0.1', '::1'] };

  it.runIf(LAN_ADDRESS)('leaves out os, fs, mem and candor.hostMemory, each with its reason; mem.sys is the scraped go_memstats_sys_bytes', async () => {
    server = await startNavidromeTestServer({ memory: { goSysBytes: 61_803_398, residentBytes: 99_999_744 } }, { host: LAN_ADDRESS });
    const withMetrics = await report(server.url, notMine);
    expectHostFactsLeftOut(withMetrics, 'from-prometheus');
    expect(withMetrics.payload.mem).toEqual({ sys: 61_803_398 });
    expect(withMetrics.payload.candor?.sources?.memory).toBe('prometheus');
    // What the server said about itself is still there.
    expect(withMetrics.payload.version).toBe(server.seed.version);
    expect(withMetrics.payload.library?.tracks).toBe(server.seed.songs.length);
  });

  it.runIf(LAN_ADDRESS)('without Prometheus, mem is left out too, and a process seen here that is another server changes nothing', async () => {
    server = await startNavidromeTestServer({ prometheusEnabled: false }, { host: LAN_ADDRESS });
    const otherServer: ServerProcess = { pid: 77, rssBytes: 12_345_678, startTime: new Date(Date.parse(server.seed.startTime) - 86_400_000) };
    const built = await report(server.url, notMine, otherServer);
    expectHostFactsLeftOut(built, 'left-out');
  });
});

describe('the decision, shown where people look: status, preview and the connection test', () => {
  it.runIf(LAN_ADDRESS)('says "on another machine" with what is left out and how to include it, and nothing for a server that did not answer', async () => {
    server = await startNavidromeTestServer({}, { host: LAN_ADDRESS });
    const notMine: Partial<AddressDeps> = { interfaceAddresses: () => ['127.0.0.1', '::1'] };
    const sources = { ...defaultSources(http, {}, notMine), serverProcess: () => Promise.resolve(null) };
    const { agent } = await makeAgent({ http, sources, config: configWith({ server: { url: server.url, ...ALICE } }) });
    try {
      const tested = await agent.testConnection({ url: server.url, ...ALICE });
      expect(tested.ok).toBe(true);
      expect(tested.location).toMatchObject({ where: 'another-machine', basis: 'other-address', advice: expect.stringMatching(/candor run/) as unknown });
      const preview = await agent.refreshPreview();
      expect(preview.serverLocation).toEqual(tested.location);
      expect((await agent.getStatus()).serverLocation).toEqual(tested.location);

      const unreachable = await agent.testConnection({ url: `http://127.0.0.1:${new URL(server.url).port}`, ...ALICE });
      // The test server listens on the LAN address only: loopback does not reach it, and nothing is said of where it runs.
      expect(unreachable.ok).toBe(false);
      expect(unreachable.location).toBeUndefined();
    } finally {
      await agent.stop();
    }
  });
});
