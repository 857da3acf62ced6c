// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { POLICY_CATEGORIES } from '../../../shared/schema/levels';
import { createFakeApi } from '../../support/fake-api';
import { capturedDownloads } from '../support/downloads';
import { renderApp, teardown, type Rendered } from '../support/render';

let r: Rendered | undefined;
const downloads = capturedDownloads();
afterEach(() => teardown(r));

async function listbox() {
  return screen.findByRole('listbox', { name: 'Attempts, newest first' });
}

describe('history', () => {
  it('renders 10,000 entries as a window of rows, with positions for assistive tech', async () => {
    r = await renderApp({ storedChoice: 'share', history: 10_000, route: 'history' });
    const list = await listbox();
    await waitFor(() => expect(within(list).getAllByRole('option')[0]!.textContent).not.toMatch(/Loading/));
    const options = within(list).getAllByRole('option');
    expect(options.length).toBeLessThan(60);
    expect(options[0]!.getAttribute('aria-setsize')).toBe('10000');
    expect(options[0]!.getAttribute('aria-posinset')).toBe('1');
    expect(screen.getByRole('heading', { name: /10,000 attempts, newest first/ })).toBeTruthy();
    // The first screen needs one small request, not 10,000 rows.
    const first = r.fake.calls.find((c) => c.method === 'listHistory');
    expect(first?.input).toEqual({ offset: 0, limit: 100 });
  });

  it('moves with the keyboard, loads rows on demand, and shows the exact bytes of the selected attempt', async () => {
    r = await renderApp({ storedChoice: 'share', history: 10_000, route: 'history' });
    const list = await listbox();
    list.focus();
    fireEvent.keyDown(list, { key: 'End' });
    await waitFor(() => expect(list.getAttribute('aria-activedescendant')).toBe('attempt-9999'));
    const all = r.fake.allEntries();
    const oldest = all[0]!;
    await waitFor(() => expect(screen.getByTestId('raw-payload').textContent).toBe(oldest.body), { timeout: 3000 });
    expect(screen.getByRole('heading', { name: /^Attempt of/ }).closest('section')?.textContent).toContain(oldest.sha256);
    fireEvent.keyDown(list, { key: 'Home' });
    await waitFor(() => expect(screen.getByTestId('raw-payload').textContent).toBe(all.at(-1)!.body));
    expect(within(list).getByRole('option', { selected: true }).getAttribute('aria-posinset')).toBe('1');
  });

  it('compares any two attempts field by field', async () => {
    r = await renderApp({ storedChoice: 'share', history: 20, route: 'history' });
    const list = await listbox();
    await waitFor(() => expect(within(list).getAllByRole('option')[0]!.textContent).not.toMatch(/Loading/));
    fireEvent.click(within(list).getAllByRole('option')[5]!);
    fireEvent.click(await screen.findByRole('button', { name: 'Use as comparison base' }));
    fireEvent.click(within(list).getAllByRole('option')[1]!);
    const compare = (await screen.findByRole('heading', { name: /Differences from the attempt of/ })).closest('section')!;
    const table = within(compare).getByRole('table');
    expect(within(table).getByText('uptime').closest('tr')?.textContent).toMatch(/Changed/);
    expect(within(table).getByText('uptime').closest('tr')?.textContent).toMatch(/Seconds since the music server was last started/);
    fireEvent.click(screen.getByRole('button', { name: 'Stop comparing' }));
    expect(screen.queryByRole('heading', { name: /Differences from/ })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Compare with previous' }));
    expect(await screen.findByRole('heading', { name: /Differences from the attempt of/ })).toBeTruthy();
  });

  it('exports the whole history as a JSON download', async () => {
    r = await renderApp({ storedChoice: 'share', history: 12, route: 'history' });
    fireEvent.click(await screen.findByRole('button', { name: 'Export all (JSON)' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(downloads[0]!.name).toMatch(/^candor-history-.*\.json$/);
    const exported = JSON.parse(await downloads[0]!.text) as { entries: Array<{ body: string }> };
    expect(exported.entries).toHaveLength(12);
    expect(exported.entries[0]!.body).toBe(r.fake.allEntries()[0]!.body);
  });

  it('draws the chart once every entry is read, with the figures in words', async () => {
    r = await renderApp({ storedChoice: 'share', history: 2_500, route: 'history' });
    const figure = await screen.findByRole('img', { name: /Attempts over time/ }, { timeout: 3000 });
    expect(figure).toBeTruthy();
    const totals = r.fake.allEntries().reduce((n, e) => (e.outcome === 'sent' ? n + 1 : n), 0);
    expect(screen.getByText(`${totals.toLocaleString()} sent`)).toBeTruthy();
    expect(screen.getByText('Tracks')).toBeTruthy();
  });

  it('is honest when empty, and when the history cannot be read', async () => {
    r = await renderApp({ storedChoice: 'share', history: 0, route: 'history' });
    expect(await screen.findByText('Nothing has been sent yet.')).toBeTruthy();
    teardown(r);
    const { createFakeApi } = await import('../../support/fake-api');
    const fake = createFakeApi({ storedChoice: 'share', history: 3 });
    fake.failNext('listHistory');
    r = await renderApp({ route: 'history' }, fake);
    expect(await screen.findByText('The history could not be read.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: /3 attempts/ })).toBeTruthy();
  });

  it('adds a new attempt at the top as it happens', async () => {
    r = await renderApp({ storedChoice: 'share', history: 3, route: 'history' });
    await screen.findByRole('heading', { name: /3 attempts/ });
    act(() => {
      r!.fake.addHistoryEntry({ outcome: 'failed', errorClass: 'dns', message: "The endpoint's name could not be resolved" });
    });
    expect(screen.getByRole('heading', { name: /4 attempts/ })).toBeTruthy();
    const list = await listbox();
    expect(within(list).getAllByRole('option')[0]!.textContent).toMatch(/just now.*Sent by you.*Failed/);
  });

  it('shows the level of each entry, in the list and in the detail, and what became of reports kept here or exported', async () => {
    const fake = createFakeApi({ storedChoice: 'share', history: 2 });
    const old = fake.allEntries()[0]!;
    // An entry written before levels existed carries none: it was a full report.
    const { level: _l, categories: _c, ...withoutLevel } = old;
    const pre = createFakeApi({ storedChoice: 'share', history: [{ ...withoutLevel, id: 'old1' }] });
    pre.addHistoryEntry({ outcome: 'sent', level: 'basic', categories: ['application', 'system'] });
    pre.addHistoryEntry({
      outcome: 'kept-locally',
      trigger: 'schedule',
      level: 'local',
      categories: [...POLICY_CATEGORIES],
      message: 'kept on this machine (local level): nothing was sent',
    });
    pre.addHistoryEntry({
      outcome: 'exported',
      trigger: 'export',
      level: 'custom',
      categories: ['application', 'library'],
      message: 'written to a file for a machine without internet',
    });
    r = await renderApp({ route: 'history' }, pre);
    const list = await listbox();
    await waitFor(() => expect(within(list).getAllByRole('option')).toHaveLength(4));
    const rows = within(list)
      .getAllByRole('option')
      .map((o) => o.textContent);
    expect(rows[0]).toMatch(/Export.*Level: Custom.*Exported/);
    expect(rows[1]).toMatch(/Scheduled.*Level: Local only.*Kept here/);
    expect(rows[2]).toMatch(/Level: Basic.*Sent/);
    expect(rows[3]).toMatch(/Level: Full.*Sent/);

    const detail = async (index: number, level: string) => {
      fireEvent.click(within(list).getAllByRole('option')[index]!);
      await waitFor(() => expect(screen.getByTestId('entry-level').textContent).toBe(level));
    };
    await detail(0, 'Custom (application details, library statistics)');
    expect(screen.getByText('Exported to a file')).toBeTruthy();
    await detail(2, 'Basic (application details, system information)');
    await detail(3, 'Full (made before levels existed)');
    await detail(1, 'Local only');
    expect(screen.getByText('Kept here, not sent')).toBeTruthy();
  });

  it('shows a report that was not sent because the server could not be read as a failure, with its cause', async () => {
    const fake = createFakeApi({ storedChoice: 'share', history: 2 });
    fake.addHistoryEntry({ outcome: 'not-sent', errorClass: 'server-not-read', message: "nothing answers at the server's address: nothing was sent" });
    r = await renderApp({ route: 'history' }, fake);
    const list = await listbox();
    await waitFor(() => expect(within(list).getAllByRole('option')).toHaveLength(3));
    const row = within(list).getAllByRole('option')[0]!;
    expect(row.textContent).toMatch(/Sent by you.*Not sent/);
    expect(row.querySelector('.badge-not-sent')).toBeTruthy();
    fireEvent.click(row);
    expect(await screen.findByText('Not sent: the server could not be read')).toBeTruthy();
    expect(screen.getByText(/nothing answers at the server's address: nothing was sent/)).toBeTruthy();
    await screen.findByRole('img', { name: /Attempts over time/ }, { timeout: 3000 });
    expect(screen.getByText(/1 failed/)).toBeTruthy();
  });

  it('counts reports kept here or exported apart in the chart', async () => {
    const fake = createFakeApi({ storedChoice: 'share', history: 3 });
    fake.addHistoryEntry({ outcome: 'kept-locally', level: 'local', categories: [...POLICY_CATEGORIES] });
    fake.addHistoryEntry({ outcome: 'exported', trigger: 'export', level: 'full', categories: [...POLICY_CATEGORIES] });
    r = await renderApp({ route: 'history' }, fake);
    await screen.findByRole('img', { name: /Attempts over time/ }, { timeout: 3000 });
    expect(screen.getByText('2 kept here or exported')).toBeTruthy();
  });
});
