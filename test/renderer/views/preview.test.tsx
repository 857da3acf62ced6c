// @vitest-environment jsdom
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type AgentStatus, type PreviewView, type SourceHealth } from '../../../shared/api-contract';
import { NEVER_COLLECTED } from '../../../shared/schema/payload';
import { SourceProblems } from '../../../renderer/views/Preview';
import { createFakeApi } from '../../support/fake-api';
import { renderApp, teardown, type Rendered } from '../support/render';

let r: Rendered | undefined;
afterEach(() => teardown(r));

describe('live preview', () => {
  it('shows the exact bytes, their size and sha256, and the guard verdict', async () => {
    r = await renderApp({ storedChoice: 'share', history: 5 });
    const preview = await r.fake.getPreview();
    await screen.findByTestId('payload-sha256');
    expect(screen.getByTestId('raw-payload').textContent).toBe(preview.text);
    expect(screen.getByTestId('payload-sha256').textContent).toBe(preview.sha256);
    expect(screen.getByTestId('payload-size').textContent).toBe(`${preview.size.toLocaleString()} bytes`);
    expect(screen.getByText('Privacy check passed')).toBeTruthy();
  });

  it('explains each field with the schema’s words, grouped by category', async () => {
    r = await renderApp({ storedChoice: 'share' });
    await screen.findByTestId('payload-sha256');
    const panel = screen.getByRole('tabpanel', { name: 'Explained, field by field' });
    for (const title of [
      'Application details',
      'System information',
      'Library statistics',
      'Configuration settings (non-sensitive only)',
      'About this report',
    ]) {
      expect(within(panel).getByRole('heading', { name: title })).toBeTruthy();
    }
    const tracks = within(panel).getByText('library.tracks').closest('.field-row')!;
    expect(tracks.textContent).toMatch(/48213/);
    expect(tracks.textContent).toMatch(/How many tracks your library has\. Only the number; no titles\./);
    expect(tracks.textContent).toMatch(/From the music server's API/);
  });

  it('switches between the explained view and the exact bytes with the keyboard', async () => {
    r = await renderApp({ storedChoice: 'share' });
    await screen.findByTestId('payload-sha256');
    const explained = screen.getByRole('tab', { name: 'Explained, field by field' });
    expect(explained.getAttribute('aria-selected')).toBe('true');
    explained.focus();
    fireEvent.keyDown(explained, { key: 'ArrowRight' });
    const raw = screen.getByRole('tab', { name: 'Exact bytes' });
    expect(raw.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(raw);
    expect(screen.getByRole('tabpanel', { name: 'Exact bytes' }).hidden).toBe(false);
  });

  it('updates live when the agent pushes a new preview, and on Refresh', async () => {
    r = await renderApp({ storedChoice: 'share' });
    await screen.findByTestId('payload-sha256');
    let pushed!: PreviewView;
    act(() => {
      pushed = r!.fake.tick();
    });
    expect(screen.getByTestId('payload-sha256').textContent).toBe(pushed.sha256);
    expect(screen.getByTestId('raw-payload').textContent).toBe(pushed.text);
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(screen.getByTestId('announcer').textContent).toBe('Preview refreshed.'));
    expect(screen.getByTestId('payload-sha256').textContent).not.toBe(pushed.sha256);
  });

  it('lists what is never collected, and what is left out with its reason', async () => {
    r = await renderApp({ storedChoice: 'share', serverState: 'unauthorized' });
    await screen.findByTestId('payload-sha256');
    const aside = screen.getByRole('complementary', { name: 'Changes and what is left out' });
    for (const item of NEVER_COLLECTED) expect(within(aside).getByText(item)).toBeTruthy();
    const omitted = within(aside).getByRole('heading', { name: 'Left out, and why' }).closest('section')!;
    expect(within(omitted).getByText('library').closest('li')?.textContent).toMatch(/refused the user name or password/);
    expect(screen.getByText('Some facts could not be read, so they are left out.')).toBeTruthy();
  });

  it("says the server runs on another machine, and leaves its machine's facts out for that one reason, said once", async () => {
    r = await renderApp({
      storedChoice: 'share',
      server: { url: 'http://192.168.1.50:4533', username: 'admin', password: 'correct horse' },
      reachableUrls: ['http://192.168.1.50:4533'],
    });
    await screen.findByTestId('payload-sha256');
    const omitted = screen.getByRole('heading', { name: 'Left out, and why' }).closest('section')!;
    expect(omitted.querySelector('.server-location')?.textContent).toMatch(/^The server runs on another machine \(/);
    const machine = within(omitted).getByText('candor.hostMemory').closest('li')!;
    expect([...machine.querySelectorAll('.omitted-paths code')].map((c) => c.textContent)).toEqual(['os', 'fs', 'candor.hostMemory']);
    expect(machine.textContent).toMatch(/The server runs on another machine, and facts about that machine cannot be read from here/);
    expect(within(omitted).getByText('mem').closest('li')?.textContent).toMatch(/Prometheus\.Enabled/);
    expect(screen.getByTestId('raw-payload').textContent).not.toMatch(/"os"|"hostMemory"|"fs"/);
  });

  it('shows what changed since the last report sent, or that nothing was sent yet', async () => {
    r = await renderApp({ storedChoice: 'share', history: 3 });
    await screen.findByTestId('payload-sha256');
    const changes = screen.getByRole('heading', { name: 'Changed since the last report sent' }).closest('section')!;
    expect(within(changes).getByText('uptime').closest('li')?.textContent).toMatch(/changed.*→/);
    teardown(r);
    r = await renderApp({ storedChoice: 'share', history: 0 });
    await screen.findByTestId('payload-sha256');
    expect(screen.getByText('Nothing has been sent yet, so there is nothing to compare with.')).toBeTruthy();
  });

  it('says plainly when the privacy guard refuses the report', async () => {
    r = await renderApp({ storedChoice: 'share', guardFailure: { field: 'library.activePlayers', reason: 'looks like a host name' } });
    await screen.findByTestId('payload-sha256');
    const notice = screen.getByText('The privacy check refuses to send this report').parentElement!;
    expect(notice.textContent).toMatch(/library\.activePlayers looks like a host name\. Nothing is sent/);
  });

  it('explains when nothing will be sent, and why', async () => {
    r = await renderApp({ storedChoice: 'decline', configFile: { path: '/etc/candor.toml', enabled: false } });
    expect(screen.getByText('Sharing is off: nothing is sent.').parentElement?.textContent).toMatch(/\[insights\] enabled = false in \/etc\/candor\.toml/);
    teardown(r);
    r = await renderApp({ storedChoice: 'share', newFields: ['library.tracks'] });
    expect(screen.getByText(/fields you have not approved/)).toBeTruthy();
  });

  it('shows a loading state, then an honest error with a retry', async () => {
    const { createFakeApi } = await import('../../support/fake-api');
    const fake = createFakeApi({ storedChoice: 'share' });
    const release = fake.hold('getPreview');
    r = await renderApp({}, fake);
    expect(screen.getByText('Reading your server and this machine…')).toBeTruthy();
    fake.failNext('getPreview', new ApiError('unavailable', 'The agent is still starting.'));
    await act(() => Promise.resolve(release()));
    expect(await screen.findByText('The agent is still starting.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('raw-payload')).toBeTruthy();
  });
});

describe('facts that could not be read', () => {
  it('send the user to the connection only when the connection is the problem, not for folders that are elsewhere', async () => {
    const status = await createFakeApi({ storedChoice: 'share' }).getStatus();
    const folders: SourceHealth = {
      source: 'filesystems',
      state: 'partial',
      code: 'not-found',
      message: 'The data and cache folders the server names do not exist on this machine.',
    };
    const withSources = (sources: SourceHealth[]): AgentStatus => ({ ...status, sources });
    const { rerender } = render(<SourceProblems status={withSources([folders])} />);
    expect(screen.getByText(folders.message)).toBeTruthy();
    expect(screen.queryByRole('link', { name: /connection/ })).toBeNull();
    rerender(
      <SourceProblems
        status={withSources([{ source: 'server', state: 'failed', code: 'unreachable', message: 'The server could not be reached.' }, folders])}
      />,
    );
    expect(screen.getByRole('link', { name: 'Check the server connection in Settings' })).toBeTruthy();
  });
});
