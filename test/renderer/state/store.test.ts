import { describe, expect, it } from 'vitest';
import { HISTORY_PAGE } from '../../../renderer/state/history-cache';
import { createCandorStore } from '../../../renderer/state/store';
import { createFakeApi } from '../../support/fake-api';

describe('store', () => {
  it('boots from the agent and follows its events', async () => {
    const fake = createFakeApi({ storedChoice: 'share' });
    const store = createCandorStore(fake);
    await store.getState().init();
    expect(store.getState().boot).toBe('ready');
    await expect.poll(() => store.getState().preview?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const next = fake.tick();
    expect(store.getState().preview?.sha256).toBe(next.sha256);
    fake.setEnv({ DO_NOT_TRACK: '1' });
    expect(store.getState().status?.consent.locked).toBe(true);
    expect(store.getState().announcement.text).toBe('Sharing is off. Nothing will be sent.');
    // A level set elsewhere (here the environment) is announced too.
    fake.setEnv({ CANDOR_INSIGHTS_LEVEL: 'basic' });
    expect(store.getState().status?.consent.level).toBe('basic');
    expect(store.getState().announcement.text).toBe('Sharing is on: Basic (application details, system information).');
    store.getState().dispose();
    expect(fake.listenerCount).toBe(0);
  });

  it('reports a failed start with the agent’s message', async () => {
    const fake = createFakeApi();
    fake.failNext('getStatus');
    const store = createCandorStore(fake);
    await store.getState().init();
    expect(store.getState()).toMatchObject({ boot: 'failed', bootError: 'The agent is busy.' });
  });

  it('loads history page by page, on demand, and everything for the chart', async () => {
    const fake = createFakeApi({ storedChoice: 'share', history: 2500 });
    const store = createCandorStore(fake);
    await store.getState().init();
    await store.getState().reloadHistory();
    let h = store.getState().history;
    expect(h.total).toBe(2500);
    expect(h.loadedCount).toBe(HISTORY_PAGE);
    store.getState().ensureHistoryRange(1200, 1210);
    await expect.poll(() => store.getState().history.entries[1205]).toBeDefined();
    expect(store.getState().history.entries[700]).toBeUndefined();
    await store.getState().loadAllHistory();
    h = store.getState().history;
    expect(h.allLoaded).toBe(true);
    expect(h.entries.every(Boolean)).toBe(true);
    // Requests stay within the contract's limits.
    for (const call of fake.calls.filter((c) => c.method === 'listHistory')) expect((call.input as { limit: number }).limit).toBeLessThanOrEqual(1000);
  });

  it('puts a new attempt at the top without reloading', async () => {
    const fake = createFakeApi({ storedChoice: 'share', history: 10 });
    const store = createCandorStore(fake);
    await store.getState().init();
    await store.getState().reloadHistory();
    const calls = fake.calls.length;
    const outcome = await store.getState().sendNow();
    expect(outcome.ok).toBe(true);
    const h = store.getState().history;
    expect(h.total).toBe(11);
    expect(h.entries[0]?.id).toBe(outcome.entry?.id);
    expect(fake.calls.slice(calls).filter((c) => c.method === 'listHistory')).toHaveLength(0);
  });
});

describe('store after a lost event stream', () => {
  it('reads status, preview and history again when the stream comes back', async () => {
    const fake = createFakeApi({ storedChoice: 'share', history: 4 });
    let emit: (state: 'connecting' | 'live' | 'reconnecting') => void = () => {};
    const store = createCandorStore(fake, { link: (listener) => ((emit = listener), () => {}) });
    await store.getState().init();
    await store.getState().reloadHistory();
    emit('live');
    emit('reconnecting');
    expect(store.getState().link).toBe('reconnecting');
    const before = fake.calls.length;
    emit('live');
    await expect.poll(() => fake.calls.length - before).toBe(3);
    expect(
      fake.calls
        .slice(before)
        .map((c) => c.method)
        .sort(),
    ).toEqual(['getPreview', 'getStatus', 'listHistory']);
  });
});

describe('store with reads and pushes crossing', () => {
  it('a preview read that began before a push and answers after it does not replace the pushed preview', async () => {
    const fake = createFakeApi({ storedChoice: 'share' });
    const store = createCandorStore(fake);
    await store.getState().init();
    await expect.poll(() => store.getState().preview?.sha256).toMatch(/^[0-9a-f]{64}$/);

    // The read is answered by the agent now, but its answer reaches the page only after the push.
    const answered = await fake.getPreview();
    let deliver: () => void = () => {};
    const getPreview = fake.getPreview.bind(fake);
    fake.getPreview = () => new Promise((resolve) => (deliver = () => resolve(answered)));
    const reading = store.getState().loadPreview();
    const pushed = fake.tick();
    expect(store.getState().preview?.sha256).toBe(pushed.sha256);
    deliver();
    await reading;
    expect(pushed.sha256).not.toBe(answered.sha256);
    expect(store.getState().preview?.sha256).toBe(pushed.sha256);

    // A read with no push across it is applied as before.
    fake.getPreview = getPreview;
    const third = fake.tick();
    await store.getState().loadPreview();
    expect(store.getState().preview?.sha256).toBe(third.sha256);
    store.getState().dispose();
  });
});
