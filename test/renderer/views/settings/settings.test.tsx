// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../../shared/api-contract';
import { POLICY_CATEGORIES } from '../../../../shared/schema/levels';
import { createFakeApi } from '../../../support/fake-api';
import { renderApp, teardown, type Rendered } from '../../support/render';

let r: Rendered | undefined;
afterEach(() => teardown(r));

const sharingSwitch = () => screen.getByRole('switch', { name: 'Share anonymous usage statistics' });

describe('settings', () => {
  it('turns sharing off and on in one click, effective at once', async () => {
    r = await renderApp({ storedChoice: 'share', route: 'settings' });
    expect(sharingSwitch().getAttribute('aria-checked')).toBe('true');
    fireEvent.click(sharingSwitch());
    await waitFor(() => expect(sharingSwitch().getAttribute('aria-checked')).toBe('false'));
    expect(screen.getByTestId('announcer').textContent).toMatch(/Sharing is off/);
    expect(screen.getByTestId('status-pill').textContent).toBe('Sharing off');
    // The switch takes the next click once the agent has answered the first.
    await waitFor(() => expect(sharingSwitch().getAttribute('aria-disabled')).toBe('false'));
    fireEvent.click(sharingSwitch());
    await waitFor(() => expect(sharingSwitch().getAttribute('aria-checked')).toBe('true'));
    // Back on at the categories stored with the answer (all four here).
    expect(r.fake.calls.filter((c) => c.method === 'setConsent').map((c) => c.input)).toEqual([
      { choice: 'decline' },
      { choice: 'share', categories: [...POLICY_CATEGORIES] },
    ]);
  });

  it('shows the lock and which setting decided, and cannot be toggled', async () => {
    r = await renderApp({ storedChoice: 'share', cliShare: false, route: 'settings' });
    expect(sharingSwitch().getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByText('Sharing is off, set by the --no-share flag.')).toBeTruthy();
    expect(screen.getByText(/Your own answer in Candor: share \(used only if that setting is removed\)/)).toBeTruthy();
    fireEvent.click(sharingSwitch());
    expect(r.fake.calls.some((c) => c.method === 'setConsent')).toBe(false);
    expect(screen.getByTestId('status-pill').textContent).toBe('Sharing off (set in configuration)');
  });

  it('shows settings fixed by the config file read-only, with the file named', async () => {
    const by = 'the config file /etc/candor/candor.toml';
    r = await renderApp({ storedChoice: 'share', route: 'settings', fixedBy: { endpoint: by, 'server.url': by, historyRetentionDays: by } });
    const endpoint = screen.getByLabelText<HTMLInputElement>('Collector address');
    expect(endpoint.readOnly).toBe(true);
    expect(screen.getAllByText(`Set by ${by}`)).toHaveLength(3);
    expect(screen.getByLabelText<HTMLInputElement>('Server address').readOnly).toBe(true);
    expect(screen.queryByRole('button', { name: 'Find a server on this machine' })).toBeNull();
  });

  it('sends now with visible progress, then the result; a failing endpoint is explained', async () => {
    const fake = createFakeApi({ storedChoice: 'share', history: 2 });
    r = await renderApp({ route: 'settings' }, fake);
    const release = fake.hold('sendNow');
    fireEvent.click(screen.getByRole('button', { name: 'Send now' }));
    const busy = await screen.findByRole('button', { name: 'Sending…' });
    expect(busy.hasAttribute('disabled')).toBe(true);
    expect(screen.getByRole('progressbar', { name: 'Sending the report' })).toBeTruthy();
    await act(() => Promise.resolve(release()));
    const sending = screen.getByRole('heading', { name: 'Sending' }).closest('section')!;
    expect(await within(sending).findByText('Sent: accepted (HTTP 200).')).toBeTruthy();
    expect(screen.getByTestId('announcer').textContent).toBe('Sent: accepted (HTTP 200).');
    fake.failSends('timeout');
    fireEvent.click(screen.getByRole('button', { name: 'Send now' }));
    expect(await within(sending).findByText('Not sent: The endpoint did not answer in time.')).toBeTruthy();
    await waitFor(() => expect(sending.textContent).toMatch(/Last attempt.*Failed.*The endpoint did not answer in time/));
  });

  it('a server that could not be read: nothing sent, the cause shown where other failures are', async () => {
    const fake = createFakeApi({ storedChoice: 'share', history: 1, sendFailure: 'server-not-read' });
    r = await renderApp({ route: 'settings' }, fake);
    fireEvent.click(screen.getByRole('button', { name: 'Send now' }));
    const sending = screen.getByRole('heading', { name: 'Sending' }).closest('section')!;
    const said = 'Not sent: the server refused the user name or password; a report is sent only when the server was read.';
    expect(await within(sending).findByText(said)).toBeTruthy();
    expect(screen.getByTestId('announcer').textContent).toBe(said);
    await waitFor(() => expect(sending.textContent).toMatch(/Last attempt.*Not sent.*the server refused the user name or password: nothing was sent/));
  });

  it('cannot send while sharing is off or paused, and says why', async () => {
    r = await renderApp({ storedChoice: 'decline', route: 'settings' });
    expect(screen.getByRole('button', { name: 'Send now' }).hasAttribute('disabled')).toBe(true);
    expect(screen.getByText('Sending is not possible while sharing is off or paused.')).toBeTruthy();
  });

  it('resets the anonymous ID only after confirmation', async () => {
    r = await renderApp({ storedChoice: 'share', route: 'settings' });
    const before = screen.getByTestId('instance-id').textContent;
    fireEvent.click(screen.getByRole('button', { name: 'Reset the anonymous ID…' }));
    const confirm = screen.getByRole('group', { name: /Make a new anonymous ID\?/ });
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Reset the ID' }));
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(r.fake.calls.some((c) => c.method === 'resetInstanceId')).toBe(false);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Reset the anonymous ID…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Reset the anonymous ID…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Reset the ID' }));
    await waitFor(() => expect(screen.getByTestId('instance-id').textContent).not.toBe(before));
  });

  it('asks to approve new fields one by one with their explanations, then resumes', async () => {
    r = await renderApp({ storedChoice: 'share', newFields: ['library.activePlayers', 'candor.hostMemory.total'], route: 'settings' });
    const group = screen.getByRole('group', { name: '2 new fields need your approval' });
    const rows = within(group).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getByRole('rowheader').querySelector('code')?.textContent)).toEqual([
      'library.activePlayers',
      'candor.hostMemory.total',
    ]);
    expect(rows[0]!.textContent).toMatch(/How many players were seen in the last 7 days/);
    expect(rows[1]!.textContent).toMatch(/System information/);
    fireEvent.click(within(group).getByRole('button', { name: 'Approve and resume sharing' }));
    await waitFor(() => expect(screen.queryByRole('group', { name: /need your approval/ })).toBeNull());
    expect(r.fake.calls.find((c) => c.method === 'approveFields')?.input).toEqual({ fields: ['library.activePlayers', 'candor.hostMemory.total'] });
    expect(screen.getByTestId('status-pill').textContent).toMatch(/^Sharing on, next report/);
  });

  it('saves the server connection (the password is write-only) and the retention', async () => {
    r = await renderApp({ storedChoice: 'share', route: 'settings', server: { url: 'http://10.0.0.5:4533', username: 'admin', password: 'x' } });
    const server = screen.getByRole('heading', { name: 'Music server' }).closest('section')!;
    fireEvent.change(within(server).getByLabelText('Server address'), { target: { value: 'http://127.0.0.1:4533' } });
    fireEvent.change(within(server).getByLabelText('Password'), { target: { value: 'correct horse' } });
    fireEvent.click(within(server).getByRole('button', { name: 'Save connection' }));
    expect(await within(server).findByText('Saved. The preview now reads from this server.')).toBeTruthy();
    expect(r.fake.calls.find((c) => c.method === 'updateSettings')?.input).toEqual({ server: { url: 'http://127.0.0.1:4533', password: 'correct horse' } });
    expect(within(server).getByLabelText<HTMLInputElement>('Password').value).toBe('');

    const days = screen.getByLabelText('Keep the history of sent reports for (days)');
    fireEvent.change(days, { target: { value: '0' } });
    fireEvent.submit(days.closest('form')!);
    expect(await screen.findByText('Enter a whole number of days from 1 to 3650.')).toBeTruthy();
    fireEvent.change(days, { target: { value: '90' } });
    fireEvent.submit(days.closest('form')!);
    expect(await screen.findByText(/Saved\. Entries older than 90 days/)).toBeTruthy();
  });

  it('shows the agent’s refusal of a bad endpoint next to the field', async () => {
    r = await renderApp({ storedChoice: 'share', route: 'settings' });
    const input = screen.getByLabelText('Collector address');
    fireEvent.change(input, { target: { value: 'http://collector.example/collect' } });
    fireEvent.click(within(input.closest('form')!).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/must use https:\/\//)).toBeTruthy();
  });

  it('lists every source’s health with the fixed reason when one fails', async () => {
    r = await renderApp({ storedChoice: 'share', route: 'settings', serverState: 'unreachable', warnings: ['The settings file was damaged and set aside.'] });
    const health = screen.getByRole('heading', { name: 'Where the facts come from' }).closest('section')!;
    expect(within(health).getByText('Music server:').closest('li')?.textContent).toMatch(/Failed.*Nothing answers at the server's address/);
    expect(within(health).getByText('The settings file was damaged and set aside.')).toBeTruthy();
  });
});

describe('app shell', () => {
  it('has landmarks, a skip link to the main content, and marks the current page', async () => {
    r = await renderApp({ storedChoice: 'share', route: 'history' });
    expect(screen.getByRole('banner')).toBeTruthy();
    expect(screen.getByRole('main')).toBeTruthy();
    expect(screen.getByRole('contentinfo')).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'History' }).getAttribute('aria-current')).toBe('page');
    const skip = screen.getByRole('link', { name: 'Skip to main content' });
    expect(document.body.querySelector('a')).toBe(skip);
    fireEvent.click(skip);
    expect(document.activeElement).toBe(screen.getByRole('main'));
  });

  it('moves focus to the new screen’s heading after navigation', async () => {
    r = await renderApp({ storedChoice: 'share', route: 'preview' });
    act(() => {
      window.location.hash = '#/settings';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Settings' })));
  });

  it('says when the agent does not answer, and retries', async () => {
    const fake = createFakeApi({ storedChoice: 'share' });
    fake.failNext('getStatus', new ApiError('unavailable', 'The page got no answer.'));
    r = await renderApp({}, fake);
    expect(screen.getByRole('heading', { name: 'Candor is not answering' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('The page got no answer.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'What would be sent next' })).toBeTruthy();
  });
});
