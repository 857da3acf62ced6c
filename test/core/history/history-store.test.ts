import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore, type HistoryOptions, type StoredEntry } from '../../../core/history/history-store';
import { StorageError } from '../../../core/storage/storage-error';
import { tempHome } from '../../support/agent-harness';
import { parseJson, type HistoryExport } from '../../support/json';
import { textMatching } from '../../support/matchers';
import { folderLock } from '../../support/storage';

function open(options: Omit<HistoryOptions, 'lock'>): Promise<HistoryStore> {
  return HistoryStore.open({ ...options, lock: folderLock(options.dir) });
}

const DAY = 86_400_000;
function entry(id: string, at: number, extra: Partial<StoredEntry> = {}): StoredEntry {
  return {
    id,
    at: new Date(at).toISOString(),
    trigger: 'manual',
    endpoint: 'https://insights.example.org/collect',
    sha256: 'f'.repeat(64),
    size: 10,
    durationMs: 5,
    outcome: 'sent',
    message: 'accepted (HTTP 200)',
    body: '{"library":{"tracks":1}}',
    ...extra,
  };
}

describe('history store', () => {
  it('survives SIGKILL at random moments: every acknowledged entry is kept, the file stays readable', async () => {
    const dir = tempHome('candor-crash-');
    const acknowledged: string[] = [];
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/history-writer.ts'), dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        acknowledged.push(...lines.filter(Boolean));
      });
      // Let it write a while, then kill it without warning.
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (acknowledged.length >= (round + 1) * 40 + Math.floor(Math.random() * 20)) {
            clearInterval(check);
            resolve();
          }
        }, 2);
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const store = await open({ dir, retentionDays: 3650, maxEntries: 1_000_000, now: Date.now });
      const ids = new Set(store.all().map((e) => e.id));
      for (const id of acknowledged) expect(ids.has(id)).toBe(true);
    }
    // After the final repair every line parses.
    const text = readFileSync(path.join(dir, 'history.jsonl'), 'utf8');
    for (const line of text.split('\n').filter(Boolean)) {
      expect(() => {
        JSON.parse(line);
      }).not.toThrow();
    }
  }, 60_000);

  it('skips a torn last line when reading, cuts it at the next append and keeps appending on a fresh line', async () => {
    const dir = tempHome();
    const now = Date.now();
    const file = path.join(dir, 'history.jsonl');
    const store = await open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    await store.append(entry('one', now));
    appendFileSync(file, '{"id":"torn","at":"20');
    const reopened = await open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    expect(reopened.all().map((e) => e.id)).toEqual(['one']);
    expect(readFileSync(file, 'utf8')).toContain('torn');
    await reopened.append(entry('two', now));
    expect(readFileSync(file, 'utf8')).not.toContain('torn');
    const again = await open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    expect(again.all().map((e) => e.id)).toEqual(['one', 'two']);
    expect(again.warnings).toEqual([]);
  });

  it('keeps a complete last line that lacks only its newline, and the next append starts a line of its own', async () => {
    const dir = tempHome();
    const now = Date.now();
    const file = path.join(dir, 'history.jsonl');
    writeFileSync(file, JSON.stringify(entry('a', now)) + '\n' + JSON.stringify(entry('b', now)));
    const store = await open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    expect(store.get('b')).toMatchObject({ outcome: 'sent' });
    expect(store.warnings).toEqual([]);
    await store.append(entry('c', now));
    expect(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => parseJson<StoredEntry>(l).id),
    ).toEqual(['a', 'b', 'c']);
  });

  it("follows another store's appends and rewrites on the same file", async () => {
    const dir = tempHome();
    const now = Date.now();
    const writer = await open({ dir, retentionDays: 30, maxEntries: 3, now: () => now });
    const reader = await open({ dir, retentionDays: 30, maxEntries: 3, now: () => now });
    const seen: string[] = [];
    reader.onEntry = (e) => seen.push(`${e.id}:${e.outcome}`);
    await writer.append(entry('p', now, { pending: true, outcome: 'failed', message: 'sending…' }));
    await reader.sync();
    expect(reader.get('p')?.outcome).toBe('no-answer');
    reader.inFlightCheck = (id) => id === 'p';
    expect(reader.get('p')?.outcome).toBe('sending');
    await writer.append(entry('p', now));
    await reader.sync();
    expect(reader.get('p')?.outcome).toBe('sent');
    for (const id of ['x', 'y', 'z']) await writer.append(entry(id, now));
    await writer.applyRetention();
    await reader.sync();
    expect(reader.all().map((e) => e.id)).toEqual(['x', 'y', 'z']);
    expect(seen).toEqual(expect.arrayContaining(['p:no-answer', 'p:sent', 'x:sent', 'z:sent']));
  });

  it('skips a damaged line in the middle, says so, and keeps the rest', async () => {
    const dir = tempHome();
    const now = Date.now();
    const file = path.join(dir, 'history.jsonl');
    writeFileSync(file, [JSON.stringify(entry('a', now)), 'garbage{', JSON.stringify(entry('b', now))].join('\n') + '\n');
    const store = await open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    expect(store.all().map((e) => e.id)).toEqual(['a', 'b']);
    expect(store.warnings.join(' ')).toMatch(/1 damaged line/);
  });

  it('shows an attempt interrupted between its two lines as "no answer": the collector may have it', async () => {
    const dir = tempHome();
    const now = Date.now();
    const store = await open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    await store.append(entry('p', now, { pending: true, outcome: 'failed', message: 'sending…' }));
    const reopened = await open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    expect(reopened.get('p')).toMatchObject({ outcome: 'no-answer', message: textMatching(/may have received it/) });
    expect(reopened.lastSent()).toBeUndefined();
  });

  it('keeps the final line of an attempt, not its pending line', async () => {
    const dir = tempHome();
    const now = Date.now();
    const store = await open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    await store.append(entry('x', now, { pending: true, outcome: 'failed', message: 'sending…' }));
    await store.append(entry('x', now));
    const reopened = await open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    expect(reopened.all()).toHaveLength(1);
    expect(reopened.get('x')!.outcome).toBe('sent');
  });

  it('drops entries past the retention period and past the cap, newest kept', async () => {
    const dir = tempHome();
    const now = Date.now();
    const store = await open({ dir, retentionDays: 30, maxEntries: 3, now: () => now });
    await store.append(entry('old', now - 31 * DAY));
    await store.append(entry('edge', now - 29 * DAY));
    for (const id of ['n1', 'n2', 'n3']) await store.append(entry(id, now));
    await store.applyRetention();
    expect(store.all().map((e) => e.id)).toEqual(['n1', 'n2', 'n3']);
    const reopened = await open({ dir, retentionDays: 30, maxEntries: 10, now: () => now });
    expect(reopened.all().map((e) => e.id)).toEqual(['n1', 'n2', 'n3']);
  });

  it('pages newest first and exports everything', async () => {
    const dir = tempHome();
    const now = Date.now();
    const store = await open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    for (let i = 0; i < 5; i++) await store.append(entry(`e${i}`, now - (5 - i) * 1000));
    const page = store.page(1, 2);
    expect(page.total).toBe(5);
    expect(page.entries.map((e) => e.id)).toEqual(['e3', 'e2']);
    expect('body' in page.entries[0]!).toBe(false);
    expect(parseJson<HistoryExport>(store.export()).entries).toHaveLength(5);
  });

  it('reports a data folder it cannot write to with a clear error and keeps nothing half-done', async () => {
    const parent = tempHome();
    const blocker = path.join(parent, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const store = await open({ dir: path.join(blocker, 'data'), retentionDays: 30, maxEntries: 10, now: Date.now });
    await expect(store.append(entry('a', Date.now()))).rejects.toBeInstanceOf(StorageError);
    expect(store.all()).toHaveLength(0);
  });
});
