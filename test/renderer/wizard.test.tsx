// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { NEVER_COLLECTED } from '../../electron/core/schema/payload';
import { renderApp, teardown, type Rendered } from './render';

let r: Rendered | undefined;
afterEach(() => teardown(r));

const next = () => fireEvent.click(screen.getByRole('button', { name: /^(Next|Skip for now)$/ }));

describe('first-run wizard', () => {
  it('shows what is shared and what never is, from the policy, before anything else', async () => {
    r = await renderApp({ storedChoice: null });
    expect(screen.getByRole('heading', { level: 1, name: 'What is shared' })).toBeTruthy();
    expect(screen.getByText('Library statistics')).toBeTruthy();
    expect(screen.getByText(/never their paths/)).toBeTruthy();
    for (const item of NEVER_COLLECTED) expect(screen.getByText(item)).toBeTruthy();
    expect(screen.getAllByText(/anonymous usage statistics/).length).toBeGreaterThan(0);
    expect(document.body.textContent).not.toMatch(/telemetry/i);
    // No navigation away before answering.
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
    expect(screen.getByRole('navigation', { name: 'Setup steps' })).toBeTruthy();
  });

  it('tests the connection with one line per check, and says clearly when the password is wrong', async () => {
    r = await renderApp({ storedChoice: null });
    next();
    expect(screen.getByRole('heading', { level: 1, name: 'Your server' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('The connection does not work yet.')).toBeTruthy();
    const checks = screen.getByRole('list', { name: 'Connection checks' });
    expect(within(checks).getByText(/Reach the server/).closest('li')?.textContent).toMatch(/OK/);
    expect(within(checks).getByText(/Sign in/).closest('li')?.textContent).toMatch(/failed.*refused the user name or password/);
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'correct horse' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText(/Connected to navidrome 0\.58\.0/)).toBeTruthy();
    expect(screen.getAllByText('OK.')).toHaveLength(6);
    expect(r.fake.calls.filter((c) => c.method === 'testConnection').map((c) => c.input)).toEqual([
      { url: 'http://127.0.0.1:4533', username: 'admin', password: 'wrong' },
      { url: 'http://127.0.0.1:4533', username: 'admin', password: 'correct horse' },
    ]);
  });

  it('finds a local server on the default port, or says none answered', async () => {
    r = await renderApp({ storedChoice: null, server: { url: null, username: null, password: null } });
    next();
    expect(screen.getByRole('button', { name: 'Skip for now' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Find a server on this machine' }));
    expect(await screen.findByText('Found navidrome at http://127.0.0.1:4533.')).toBeTruthy();
    expect((screen.getByLabelText('Server address') as HTMLInputElement).value).toBe('http://127.0.0.1:4533');
    teardown(r);
    r = await renderApp({ storedChoice: null, localServer: null });
    next();
    fireEvent.click(screen.getByRole('button', { name: 'Find a server on this machine' }));
    expect(await screen.findByText(/No music server answered/)).toBeTruthy();
  });

  it('shows the exact payload, then saves "share", preselected, and leaves the wizard', async () => {
    r = await renderApp({ storedChoice: null });
    next();
    next();
    const preview = await r.fake.getPreview();
    expect((await screen.findByTestId('raw-payload')).textContent).toBe(preview.text);
    next();
    const share = screen.getByRole('radio', { name: /Yes, share/ }) as HTMLInputElement;
    expect(share.checked).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Save my choice' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'What would be sent next' })).toBeTruthy();
    expect(r.fake.calls.filter((c) => c.method === 'setConsent').map((c) => c.input)).toEqual([{ choice: 'share' }]);
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
  });

  it('declining stores "decline" and says nothing will be sent', async () => {
    r = await renderApp({ storedChoice: null });
    next();
    next();
    next();
    fireEvent.click(screen.getByRole('radio', { name: /No, don’t share/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Save my choice' }));
    await screen.findByRole('heading', { level: 1, name: 'What would be sent next' });
    expect(r.fake.calls.filter((c) => c.method === 'setConsent').map((c) => c.input)).toEqual([{ choice: 'decline' }]);
    expect(screen.getByText('Sharing is off: nothing is sent.')).toBeTruthy();
    expect(screen.getByTestId('announcer').textContent).toMatch(/Sharing is off/);
  });

  it('does not pretend to ask when a config setting has decided, and names the setting', async () => {
    r = await renderApp({ storedChoice: null, env: { DO_NOT_TRACK: '1' } });
    expect(screen.getByText(/Your configuration has already decided: sharing is off/)).toBeTruthy();
    expect(screen.getAllByText(/DO_NOT_TRACK=1 in the environment/).length).toBeGreaterThan(0);
    next();
    next();
    next();
    expect(screen.getByRole('heading', { level: 1, name: 'Already decided' })).toBeTruthy();
    expect(screen.queryByRole('radio')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Continue to Candor' }));
    await waitFor(() => expect(screen.getByRole('heading', { level: 1, name: 'What would be sent next' })).toBeTruthy());
    expect(r.fake.calls.some((c) => c.method === 'setConsent')).toBe(false);
    // Remembered for this setting: a reload does not show the wizard again.
    expect(window.localStorage.getItem('candor.lockAcknowledged')).toBe('DO_NOT_TRACK=1 in the environment');
  });

  it('is not shown once answered', async () => {
    r = await renderApp({ storedChoice: 'decline' });
    expect(screen.queryByRole('navigation', { name: 'Setup steps' })).toBeNull();
  });
});
