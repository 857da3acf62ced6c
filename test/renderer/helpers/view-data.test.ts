import { describe, expect, it } from 'vitest';
import { encodePayload } from '../../../core/report/encode';
import { PAYLOAD_FIELDS } from '../../../shared/schema/payload';
import { bucketize } from '../../../renderer/helpers/chart-data';
import { annotatePayload } from '../../../renderer/helpers/payload-view';
import { createFakeApi, generateHistory, samplePayload } from '../../support/fake-api';

const facts = {
  instanceId: '5f0c1b2e-8a7d-4c3b-a1e2-9d8c7b6a5f40',
  uptime: 100,
  memSys: 1e8,
  hostAvailable: 4e9,
  tracks: 1200,
  albums: 100,
  artists: 40,
  playlists: 3,
  activeUsers: 2,
  server: true,
  serverConfig: true,
};

describe('fake agent', () => {
  it('makes the same bytes the core encoder makes (schema order, allowlist-valid)', () => {
    const payload = samplePayload(facts);
    expect(JSON.stringify(payload)).toBe(encodePayload(payload).text);
    const partial = samplePayload({ ...facts, server: false, serverConfig: false, instanceId: null });
    expect(JSON.stringify(partial)).toBe(encodePayload(partial).text);
  });

  it('generates a deterministic history, newest first in pages, with exact bodies on demand', async () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(generateHistory(50, now, 3).map((e) => e.at)).toEqual(generateHistory(50, now, 3).map((e) => e.at));
    const api = createFakeApi({ history: 10_000, now: () => now, storedChoice: 'share' });
    const page = await api.listHistory({ offset: 0, limit: 3 });
    expect(page.total).toBe(10_000);
    expect(Date.parse(page.entries[0]!.at)).toBeGreaterThan(Date.parse(page.entries[1]!.at));
    const entry = await api.getHistoryEntry({ id: page.entries[0]!.id });
    expect(entry.size).toBe(Buffer.byteLength(entry.body));
    expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
    await expect(api.getHistoryEntry({ id: 'nope' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('resolves consent like the agent: config wins, labels name the setting', async () => {
    const locked = await createFakeApi({ env: { DO_NOT_TRACK: '1' }, storedChoice: 'share' }).getStatus();
    expect(locked.consent).toMatchObject({ sharing: false, locked: true, decidedByLabel: 'DO_NOT_TRACK=1 in the environment' });
    const fresh = await createFakeApi().getStatus();
    expect(fresh.consent).toMatchObject({ sharing: true, decidedBy: 'default', paused: { reason: 'awaiting-answer' } });
    const paused = await createFakeApi({ storedChoice: 'share', newFields: ['library.tracks'] }).getStatus();
    expect(paused.consent.paused).toEqual({ reason: 'new-fields', fields: ['library.tracks'] });
  });
});

describe('annotated payload', () => {
  it('explains every field present, grouped by the policy categories, in schema order', () => {
    const text = JSON.stringify(samplePayload(facts));
    const { groups, error } = annotatePayload(text, PAYLOAD_FIELDS);
    expect(error).toBeNull();
    expect(groups.map((g) => g.id)).toEqual(['application', 'system', 'library', 'config', 'agent']);
    const library = groups.find((g) => g.id === 'library')!;
    expect(library.title).toBe('Library statistics');
    const tracks = library.fields.find((f) => f.path === 'library.tracks')!;
    expect(tracks.value).toBe(1200);
    expect(tracks.info?.explain).toMatch(/no titles/);
    // Map fields are one annotated field, not one per entry.
    expect(library.fields.find((f) => f.path === 'library.fileSuffixes')?.value).toEqual({ flac: 744, mp3: 432, m4a: 24 });
    expect(groups.flatMap((g) => g.fields).every((f) => f.info !== null)).toBe(true);
  });

  it('flags anything the schema does not describe instead of hiding it', () => {
    const { groups } = annotatePayload('{"library":{"tracks":1},"hostname":"nas"}', PAYLOAD_FIELDS);
    const unknown = groups.find((g) => g.id === 'unknown');
    expect(unknown?.fields).toEqual([{ path: 'hostname', value: 'nas', info: null }]);
    expect(annotatePayload('{', PAYLOAD_FIELDS).error).toMatch(/not valid JSON/);
  });
});

describe('chart data', () => {
  it('counts outcomes per time bucket and keeps the latest library counts', () => {
    const entries = generateHistory(500, Date.parse('2026-11-25T12:00:00Z'), 5).map(({ facts: _f, ...e }) => e);
    const data = bucketize([...entries].reverse(), 40)!;
    expect(data.buckets).toHaveLength(40);
    const sum = data.buckets.reduce((n, b) => n + b.sent + b.failed + b.refused, 0);
    expect(sum).toBe(500);
    expect(data.totals.sent + data.totals.failed + data.totals.refused).toBe(500);
    expect(data.buckets.at(-1)!.tracks).toBe(entries.at(-1)!.counts!.tracks);
    expect(bucketize([])).toBeNull();
  });
});
