/**
 * Searching the history on the command line, through the real `bin/candor.js`: each flag alone,
 * together, with `--json`, and bad usage answered in one line without touching anything. Dates are
 * days of the machine's own time zone (here UTC-5, no daylight saving, so the edges are exact).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../shared/api-contract';
import type { StoredEntry } from '../../../core/history/history-store';
import { tempHome } from '../../support/agent-harness';
import { candor, candorJson } from '../../support/cli';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A UTC midnight ten days ago: day 0 of the history below. */
const D0 = Math.floor((Date.now() - 10 * DAY) / DAY) * DAY;
const TZ = 'Etc/GMT+5'; // UTC-5 all year (POSIX signs are reversed)
/** `YYYY-MM-DD` of day `n` after day 0. */
const day = (n: number) => new Date(D0 + n * DAY).toISOString().slice(0, 10);

function entry(n: number, at: number, fields: Partial<StoredEntry>, body: Record<string, unknown> = {}): StoredEntry {
  const text = JSON.stringify({ id: '5f0c1b2e-8a7d-4c3b-a1e2-9d8c7b6a5f40', version: '0.58.0 (fa2cf362)', ...body });
  return {
    id: `e${n}`,
    at: new Date(at).toISOString(),
    trigger: 'schedule',
    level: 'full',
    endpoint: 'https://insights.example.org/collect',
    sha256: String(n).repeat(64).slice(0, 64),
    size: text.length,
    durationMs: 5,
    outcome: 'sent',
    message: `m${n}`,
    body: text,
    ...fields,
  };
}

/** Eight attempts over four days, oldest first (local times are UTC-5). */
const ENTRIES: StoredEntry[] = [
  // 23:00 local on the day before day 0; from before levels existed (so: full).
  (() => {
    const { level: _level, ...e } = entry(1, D0 + 4 * HOUR, {}, { library: { fileSuffixes: { FLAC: 10 } } });
    return e;
  })(),
  entry(2, D0 + 6 * HOUR, { outcome: 'failed', errorClass: 'timeout' }),
  entry(3, D0 + DAY + 12 * HOUR, { outcome: 'no-answer', level: 'basic' }),
  entry(4, D0 + DAY + 20 * HOUR, { outcome: 'refused', errorClass: 'refused-by-guard' }),
  entry(5, D0 + 2 * DAY + 10 * HOUR, { outcome: 'exported', trigger: 'export', level: 'basic' }, { library: { activePlayers: { NavidromeUI: 1 } } }),
  entry(6, D0 + 2 * DAY + 11 * HOUR, { outcome: 'kept-locally', level: 'local' }),
  // Local midnight of day 3, to the millisecond.
  entry(7, D0 + 3 * DAY + 5 * HOUR, { level: 'custom' }),
  entry(8, D0 + 3 * DAY + 9 * HOUR, { outcome: 'not-sent', message: 'm8: the server could not be read' }),
];

function home(): Record<string, string> {
  const dir = tempHome('candor-search-');
  writeFileSync(path.join(dir, 'history.jsonl'), ENTRIES.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return { CANDOR_HOME: dir, TZ };
}

/** Which entries a text listing shows, newest first (each line ends with its message). */
async function shown(args: string[], env: Record<string, string>): Promise<{ ids: string[]; count: string | undefined }> {
  const r = await candor(['history', ...args], env);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  const lines = r.stdout.trim().split('\n');
  const count = lines.at(-1)?.match(/ of \d+ entr/) ? lines.pop() : undefined;
  return { ids: lines.filter(Boolean).map((l) => `e${/ m(\d)/.exec(l)![1]}`), count };
}

describe('candor history: search', () => {
  const env = home();

  it('without flags lists every attempt, newest first, and no count line', async () => {
    expect(await shown([], env)).toEqual({ ids: ['e8', 'e7', 'e6', 'e5', 'e4', 'e3', 'e2', 'e1'], count: undefined });
  });

  it.each([
    ['sent', ['e7', 'e1']],
    // No answer: the report left unconfirmed. A receipt mismatch would be here too.
    ['failed', ['e3', 'e2']],
    // Refused by the privacy guard, or not sent because the server could not be read.
    ['not-sent', ['e8', 'e4']],
    ['exported', ['e5']],
    ['kept-locally', ['e6']],
    ['sent,exported', ['e7', 'e5', 'e1']],
  ])('--outcome %s', async (outcome, ids) => {
    expect(await shown(['--outcome', outcome], env)).toEqual({ ids, count: `${ids.length} of 8 entries match.` });
  });

  it('--outcome may be repeated, in any case', async () => {
    expect((await shown(['--outcome', 'Kept-Locally', '--outcome', 'exported'], env)).ids).toEqual(['e6', 'e5']);
  });

  it('--since and --until take local days, whole, or exact instants, both ends included', async () => {
    expect((await shown(['--since', day(0)], env)).ids).toEqual(['e8', 'e7', 'e6', 'e5', 'e4', 'e3', 'e2']);
    expect((await shown(['--until', day(2)], env)).ids).toEqual(['e6', 'e5', 'e4', 'e3', 'e2', 'e1']);
    expect((await shown(['--since', day(1), '--until', day(1)], env)).ids).toEqual(['e4', 'e3']);
    expect((await shown(['--since', new Date(D0 + DAY + 12 * HOUR).toISOString()], env)).ids).toEqual(['e8', 'e7', 'e6', 'e5', 'e4', 'e3']);
    // A time without an offset is local: 07:00 local on day 1 is 12:00 UTC.
    expect((await shown(['--until', `${day(1)}T07:00`], env)).ids).toEqual(['e3', 'e2', 'e1']);
  });

  it('--level (entries from before levels existed count as full), with the count by outcome', async () => {
    expect(await shown(['--level', 'basic'], env)).toEqual({ ids: ['e5', 'e3'], count: '2 of 8 entries match: failed 1, exported 1.' });
    expect((await shown(['--level', 'full'], env)).ids).toEqual(['e8', 'e4', 'e2', 'e1']);
    expect((await shown(['--level', 'local,custom'], env)).ids).toEqual(['e7', 'e6']);
  });

  it('--grep searches the exact bytes, any case', async () => {
    expect((await shown(['--grep', 'navidromeui'], env)).ids).toEqual(['e5']);
    expect((await shown(['--grep', '"flac":10'], env)).ids).toEqual(['e1']);
    expect((await shown(['--grep', 'fa2cf362'], env)).ids).toHaveLength(8);
    expect(await shown(['--grep', 'nowhere to be found'], env)).toEqual({ ids: [], count: '0 of 8 entries match.' });
  });

  it('flags combine', async () => {
    expect((await shown(['--outcome', 'sent', '--since', day(1)], env)).ids).toEqual(['e7']);
    expect((await shown(['--outcome', 'failed,not-sent', '--level', 'full', '--until', day(1)], env)).ids).toEqual(['e4', 'e2']);
    expect((await shown(['--grep', 'version', '--level', 'basic', '--outcome', 'exported', '--since', day(2), '--until', day(2)], env)).ids).toEqual(['e5']);
  });

  it('--json prints the matching entries whole, bytes included, and nothing else', async () => {
    const found = await candorJson<HistoryEntry[]>(['history', '--json', '--outcome', 'failed', '--grep', 'FA2CF362'], env);
    expect(found.map((e) => [e.id, e.outcome])).toEqual([
      ['e3', 'no-answer'],
      ['e2', 'failed'],
    ]);
    expect(found[0]!.body).toBe(ENTRIES[2]!.body);
    expect(await candorJson<HistoryEntry[]>(['history', '--json', '--grep', 'nothing like this'], env)).toEqual([]);
  });
});

describe('candor history: bad search usage', () => {
  it.each([
    [['--outcome', 'lost'], '--outcome takes sent, failed, not-sent, exported or kept-locally (not "lost")'],
    [['--outcome', 'sent,refused'], '--outcome takes sent, failed, not-sent, exported or kept-locally (not "refused")'],
    [['--level', 'off'], '--level takes full, basic, custom or local when searching the history (not "off")'],
    [['--since', 'yesterday'], '--since takes a date (2026-11-25) or a time (2026-11-25T16:05, with Z or an offset if you like), not "yesterday"'],
    [['--until', '2026-02-30'], '--until takes a date (2026-11-25) or a time (2026-11-25T16:05, with Z or an offset if you like), not "2026-02-30"'],
    [['--since', '2026-11-25', '--until', '2026-11-24'], '--since is after --until: nothing could match'],
    [['--grep', ''], '--grep takes 1 to 256 characters of text'],
    [['--grep'], '--grep needs a value'],
  ])('history %j exits 2 with one line, touching nothing', async (args, message) => {
    const dir = path.join(tempHome('candor-search-usage-'), 'never-made');
    const r = await candor(['history', ...args], { CANDOR_HOME: dir });
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: `candor: ${message} (see candor --help)\n` });
    expect(existsSync(dir)).toBe(false);
  });

  it.each([
    ['preview', '--outcome'],
    ['send', '--grep'],
    ['export', '--since'],
  ])('%s %s: the search flags go with history only', async (command, flag) => {
    const r = await candor([command, flag, 'x'], { CANDOR_HOME: path.join(tempHome('candor-search-usage-'), 'never-made') });
    expect(r).toMatchObject({ code: 2, stderr: `candor: ${flag} does not go with ${command} (see candor --help)\n` });
  });
});
