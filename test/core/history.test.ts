import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore, HistoryWriteError, type StoredEntry } from '../../electron/core/history/history-store';
import { tempHome } from '../support/agent-harness';

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
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/history-writer.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
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
      const store = await HistoryStore.open({ dir, retentionDays: 3650, maxEntries: 1_000_000, now: Date.now });
      const ids = new Set(store.all().map((e) => e.id));
      for (const id of acknowledged) expect(ids.has(id)).toBe(true);
    }
    // After the final repair every line parses.
    const text = readFileSync(path.join(dir, 'history.jsonl'), 'utf8');
    for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  }, 60_000);

  it('cuts a torn last line and keeps appending on a fresh line', async () => {
    const dir = tempHome();
    const now = Date.now();
    const store = await HistoryStore.open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    await store.append(entry('one', now));
    appendFileSync(path.join(dir, 'history.jsonl'), '{"id":"torn","at":"20');
    const reopened = await HistoryStore.open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    expect(reopened.all().map((e) => e.id)).toEqual(['one']);
    await reopened.append(entry('two', now));
    const again = await HistoryStore.open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    expect(again.all().map((e) => e.id)).toEqual(['one', 'two']);
    expect(again.warnings).toEqual([]);
  });

  it('skips a damaged line in the middle, says so, and keeps the rest', async () => {
    const dir = tempHome();
    const now = Date.now();
    const file = path.join(dir, 'history.jsonl');
    writeFileSync(file, [JSON.stringify(entry('a', now)), 'garbage{', JSON.stringify(entry('b', now))].join('\n') + '\n');
    const store = await HistoryStore.open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    expect(store.all().map((e) => e.id)).toEqual(['a', 'b']);
    expect(store.warnings.join(' ')).toMatch(/1 damaged line/);
  });

  it('turns an attempt interrupted between its two lines into a visible failure', async () => {
    const dir = tempHome();
    const now = Date.now();
    const store = await HistoryStore.open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    await store.append(entry('p', now, { pending: true, outcome: 'failed', message: 'sending…' }));
    const reopened = await HistoryStore.open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    expect(reopened.get('p')).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/interrupted/) });
  });

  it('keeps the final line of an attempt, not its pending line', async () => {
    const dir = tempHome();
    const now = Date.now();
    const store = await HistoryStore.open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    await store.append(entry('x', now, { pending: true, outcome: 'failed', message: 'sending…' }));
    await store.append(entry('x', now));
    const reopened = await HistoryStore.open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    expect(reopened.all()).toHaveLength(1);
    expect(reopened.get('x')!.outcome).toBe('sent');
  });

  it('drops entries past the retention period and past the cap, newest kept', async () => {
    const dir = tempHome();
    const now = Date.now();
    const store = await HistoryStore.open({ dir, retentionDays: 30, maxEntries: 3, now: () => now });
    await store.append(entry('old', now - 31 * DAY));
    await store.append(entry('edge', now - 29 * DAY));
    for (const id of ['n1', 'n2', 'n3']) await store.append(entry(id, now));
    await store.applyRetention();
    expect(store.all().map((e) => e.id)).toEqual(['n1', 'n2', 'n3']);
    const reopened = await HistoryStore.open({ dir, retentionDays: 30, maxEntries: 10, now: () => now });
    expect(reopened.all().map((e) => e.id)).toEqual(['n1', 'n2', 'n3']);
  });

  it('pages newest first and exports everything', async () => {
    const dir = tempHome();
    const now = Date.now();
    const store = await HistoryStore.open({ dir, retentionDays: 30, maxEntries: 100, now: () => now });
    for (let i = 0; i < 5; i++) await store.append(entry(`e${i}`, now - (5 - i) * 1000));
    const page = store.page(1, 2);
    expect(page.total).toBe(5);
    expect(page.entries.map((e) => e.id)).toEqual(['e3', 'e2']);
    expect('body' in page.entries[0]!).toBe(false);
    expect(JSON.parse(store.export()).entries).toHaveLength(5);
  });

  it('reports a data folder it cannot write to with a clear error and keeps nothing half-done', async () => {
    const parent = tempHome();
    const blocker = path.join(parent, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const store = await HistoryStore.open({ dir: path.join(blocker, 'data'), retentionDays: 30, maxEntries: 10, now: Date.now });
    await expect(store.append(entry('a', Date.now()))).rejects.toBeInstanceOf(HistoryWriteError);
    expect(store.all()).toHaveLength(0);
  });
});
