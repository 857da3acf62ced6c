// The shared state's re-reads: what a decision costs now that no process trusts a copy in memory.
// Every use re-checks the file (a stat); a send re-reads and re-parses it under the folder lock.
// `npx tsx bench/state.ts` prints the table.
import { closeSync, fsyncSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CandorConfigFile } from '../core/settings/config-source';
import { StateStore } from '../core/state/state-store';
import { defaultLockProvider } from '../core/storage/file-lock';
import { FolderLock } from '../core/storage/folder-lock';
import { thisProcess } from '../core/storage/process-identity';
import { formatBenchTable, measure, type BenchResult } from './measure';

const RUNS = 2000;
const WRITE_RUNS = 300;

/** A data folder with a state file shaped like a real one after some weeks of sending. */
export async function benchStateStore(): Promise<{ store: StateStore; lock: FolderLock; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'candor-bench-state-'));
  const lock = new FolderLock(
    dir,
    defaultLockProvider(() => 'bench'),
    () => thisProcess('bench', Date.now(), 'bench'),
  );
  const store = new StateStore(dir, lock, Date.now);
  const instant = { wall: Date.now(), bootId: 'bench-boot', sinceBoot: 123_456 };
  await store.update((d) => {
    d.instanceId = '0b8a3d2e-4c1f-4a5b-9e7d-1234567890ab';
    d.firstStartAt = Date.now() - 30 * 86_400_000;
    d.consent = { choice: 'share', answeredAt: Date.now(), approvedFields: Array.from({ length: 80 }, (_, i) => `field.number${i}`) };
    d.schedules['0123456789abcdef'] = {
      consecutiveFailures: 0,
      lastSuccess: instant,
      lastSeen: { at: instant, sinceSuccess: 5 },
      nextDueAt: Date.now() + 86_400_000,
      lastAttempt: { at: new Date().toISOString(), ok: true, status: 204, message: 'accepted (HTTP 204)' },
    };
    d.settings = { serverUrl: 'http://127.0.0.1:4533', serverUsername: 'admin', endpoint: 'https://insights.navidrome.org/collect', historyRetentionDays: 365 };
  });
  return { store, lock, dir };
}

/** A config file as an administrator writes one, in the data folder, followed as a running process follows it. */
export function benchConfigFile(dir: string): CandorConfigFile {
  writeFileSync(
    path.join(dir, 'candor.toml'),
    [
      '[insights]',
      'level = "basic"',
      'endpoint = "https://insights.navidrome.org/collect"',
      '[server]',
      'url = "http://127.0.0.1:4533"',
      'username = "admin"',
      'password_file = "navidrome-password"',
      '[history]',
      'retention_days = 365',
      '',
    ].join('\n'),
  );
  const config = new CandorConfigFile({}, dir);
  config.current();
  return config;
}

export async function benchState(): Promise<BenchResult[]> {
  const { store, lock, dir } = await benchStateStore();
  const file = path.join(dir, 'state.json');
  const config = benchConfigFile(dir);
  store.read();
  return [
    await measure(
      'state/baseline a copy held in memory (warm)',
      RUNS,
      () => Promise.resolve(structuredClone(store.read())),
      'what deciding from memory cost before: nothing but a copy',
    ),
    await measure(
      'state/candor read() on every use, file unchanged (warm)',
      RUNS,
      () => Promise.resolve(store.read()),
      'one stat: inode, size and change times',
    ),
    await measure(
      'state/candor config re-check on every use, file unchanged (warm)',
      RUNS,
      () => Promise.resolve(config.current()),
      'one stat of the config file; parsed again only when it changed',
    ),
    await measure(
      'state/candor pre-send re-read under the lock (warm)',
      RUNS,
      () => lock.run(() => Promise.resolve(store.readFresh())),
      'OS lock taken and released, file read, parsed and validated',
    ),
    await measure(
      'state/baseline plain read + JSON.parse, no lock (warm)',
      RUNS,
      () => Promise.resolve(JSON.parse(readFileSync(file, 'utf8')) as unknown),
      'the same bytes without lock or validation',
    ),
  ];
}

/** A change (the 15-minute "still running" mark is one): lock, re-check, validate, atomic durable write. */
export async function benchStateWrites(): Promise<BenchResult[]> {
  const { store, dir } = await benchStateStore();
  const text = readFileSync(path.join(dir, 'state.json'));
  const plain = path.join(dir, 'plain.json');
  let n = 0;
  return [
    await measure(
      'write/candor one change under the lock (warm)',
      WRITE_RUNS,
      () => store.update((d) => void (d.settings.historyRetentionDays = 300 + (n++ % 50))),
      'lock, re-check, validate, temp + fsync + rename + folder fsync',
    ),
    await measure(
      'write/baseline the same bytes, fsync, no lock (warm)',
      WRITE_RUNS,
      () => Promise.resolve(writeDurably(plain, text)),
      'writeFileSync + fsync: the least a durable write costs',
    ),
  ];
}

function writeDurably(file: string, data: Buffer): void {
  const fd = openSync(file, 'w');
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatBenchTable([...(await benchState()), ...(await benchStateWrites())]));
}
