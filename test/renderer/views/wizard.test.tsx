// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyCategory } from '../../../shared/api-contract';
import { POLICY_CATEGORIES } from '../../../shared/schema/levels';
import { NEVER_COLLECTED } from '../../../shared/schema/payload';
import { createFakeApi } from '../../support/fake-api';
import { renderApp, teardown, type Rendered } from '../support/render';

let r: Rendered | undefined;
afterEach(() => teardown(r));

const next = () => fireEvent.click(screen.getByRole('button', { name: /^(Next|Skip for now)$/ }));
const toChoice = () => {
  for (let i = 0; i < 3; i++) next();
};

describe('first-run wizard', () => {
  it('before any answer, the badge says what happens if nothing is chosen: nothing on the desktop, the default report headless, to the endpoint configured', async () => {
    r = await renderApp({ storedChoice: null, shell: 'desktop' });
    expect(screen.getByTestId('status-pill').textContent).toBe('Nothing is sent until you choose');
    teardown(r);
    r = await renderApp({ storedChoice: null, shell: 'headless', endpoint: 'https://stats.example.org/collect' });
    const pill = screen.getByTestId('status-pill');
    expect(pill.textContent).toMatch(/^If you do nothing, the Full report goes to stats\.example\.org (at|tomorrow at|on .+ at) \d{1,2}[:.]\d{2}/);
    expect(pill.textContent).not.toMatch(/Sharing on/);
    // When: the end of the first start's grace period, as the agent plans it.
    expect(Date.parse(pill.querySelector('time')?.getAttribute('datetime') ?? '')).toBeGreaterThan(Date.now());
    // The wizard names the same endpoint.
    expect(screen.getByTestId('wizard-endpoint').textContent).toBe('Reports go to stats.example.org (https://stats.example.org/collect), at most once a day.');
  });

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
    expect(
      within(checks)
        .getByText(/Reach the server/)
        .closest('li')?.textContent,
    ).toMatch(/OK/);
    expect(
      within(checks)
        .getByText(/Sign in/)
        .closest('li')?.textContent,
    ).toMatch(/failed.*refused the user name or password/);
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
    expect(screen.getByLabelText<HTMLInputElement>('Server address').value).toBe('http://127.0.0.1:4533');
    teardown(r);
    r = await renderApp({ storedChoice: null, localServer: null });
    next();
    fireEvent.click(screen.getByRole('button', { name: 'Find a server on this machine' }));
    expect(await screen.findByText(/No music server answered/)).toBeTruthy();
  });

  it('shows the exact payload, then saves Full, preselected, and leaves the wizard', async () => {
    r = await renderApp({ storedChoice: null });
    next();
    next();
    const preview = await r.fake.getPreview();
    expect((await screen.findByTestId('raw-payload')).textContent).toBe(preview.text);
    next();
    const full = screen.getByRole<HTMLInputElement>('radio', { name: /^Full/ });
    expect(full.checked).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Save my choice' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'What would be sent next' })).toBeTruthy();
    expect(r.fake.calls.filter((c) => c.method === 'setConsent').map((c) => c.input)).toEqual([{ choice: 'share', categories: [...POLICY_CATEGORIES] }]);
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
  });

  it('declining (Off) stores "decline" and says nothing will be sent', async () => {
    r = await renderApp({ storedChoice: null });
    toChoice();
    fireEvent.click(screen.getByRole('radio', { name: /^Off/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Save my choice' }));
    await screen.findByRole('heading', { level: 1, name: 'What would be sent next' });
    expect(r.fake.calls.filter((c) => c.method === 'setConsent').map((c) => c.input)).toEqual([{ choice: 'decline' }]);
    expect(screen.getByText('Sharing is off: nothing is sent.')).toBeTruthy();
    expect(screen.getByTestId('announcer').textContent).toMatch(/Sharing is off/);
  });

  it('shows the exact bytes and sha256 of the level pointed at, and follows the pointer, without changing the choice', async () => {
    r = await renderApp({ storedChoice: null });
    toChoice();
    // The same agent state in a second fake says what each level's bytes must be, without adding calls to the first.
    const oracle = createFakeApi({ storedChoice: null });
    const shown = async (categories: PolicyCategory[]) => {
      const expected = await oracle.getPreview({ categories });
      await waitFor(() => expect(screen.getByTestId('raw-payload').textContent).toBe(expected.text));
      expect(screen.getByTestId('payload-sha256').textContent).toBe(expected.sha256);
      return JSON.parse(expected.text) as Record<string, unknown>;
    };
    const full = await shown([...POLICY_CATEGORIES]);
    expect(full).toHaveProperty('library');
    expect(full).toHaveProperty('config');

    fireEvent.click(screen.getByRole('radio', { name: /^Basic/ }));
    const basic = await shown(['application', 'system']);
    expect(Object.keys(basic)).toEqual(expect.arrayContaining(['version', 'uptime', 'os', 'mem', 'candor']));
    expect(basic).not.toHaveProperty('library');
    expect(basic).not.toHaveProperty('config');
    expect(basic).not.toHaveProperty('fs');
    expect(screen.getByText(/^Basic \(application details, system information\):/)).toBeTruthy();

    // Local only keeps the categories in hand, and says the bytes stay here.
    fireEvent.click(screen.getByRole('radio', { name: /^Local only/ }));
    expect(await screen.findByText(/would be kept in the history on this machine\. Nothing is sent\./)).toBeTruthy();
    await shown(['application', 'system']);

    fireEvent.click(screen.getByRole('radio', { name: /^Off/ }));
    expect(await screen.findByText(/no report is built, so there are no bytes to show/)).toBeTruthy();
    expect(screen.queryByTestId('raw-payload')).toBeNull();
    expect(screen.queryByRole('group', { name: /What the report/ })).toBeNull();

    fireEvent.click(screen.getByRole('radio', { name: /^Full/ }));
    await shown([...POLICY_CATEGORIES]);
    // Pointing is not choosing: nothing was saved, and each other level was read once.
    expect(r.fake.calls.some((c) => c.method === 'setConsent')).toBe(false);
    expect(r.fake.calls.filter((c) => c.method === 'getPreview' && c.input)).toHaveLength(1);
  });

  it('lets any category but application details be switched off, says why those stay, and saves the set', async () => {
    r = await renderApp({ storedChoice: null });
    toChoice();
    const categories = screen.getByRole('group', { name: 'What the report carries' });
    const application = within(categories).getByRole<HTMLInputElement>('checkbox', { name: 'Application details' });
    expect(application.checked).toBe(true);
    expect(application.disabled).toBe(true);
    expect(application.getAttribute('aria-describedby') && document.getElementById(application.getAttribute('aria-describedby')!)?.textContent).toMatch(
      /Always included: a report that leaves must say which server version/,
    );

    fireEvent.click(within(categories).getByRole('checkbox', { name: 'Library statistics' }));
    expect(screen.getByRole<HTMLInputElement>('radio', { name: /^Custom/ }).checked).toBe(true);
    const expected = await r.fake.getPreview({ categories: ['application', 'system', 'config'] });
    await waitFor(() => expect(screen.getByTestId('payload-sha256').textContent).toBe(expected.sha256));
    expect(JSON.parse(screen.getByTestId('raw-payload').textContent)).not.toHaveProperty('library');

    // Unticking the configuration too gives exactly Basic: the picker says so.
    fireEvent.click(within(categories).getByRole('checkbox', { name: /^Configuration settings/ }));
    expect(screen.getByRole<HTMLInputElement>('radio', { name: /^Basic/ }).checked).toBe(true);
    fireEvent.click(within(categories).getByRole('checkbox', { name: /^Configuration settings/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Save my choice' }));
    await screen.findByRole('heading', { level: 1, name: 'What would be sent next' });
    expect(r.fake.calls.filter((c) => c.method === 'setConsent').map((c) => c.input)).toEqual([
      { choice: 'share', categories: ['application', 'system', 'config'] },
    ]);
    expect((await r.fake.getStatus()).consent).toMatchObject({ level: 'custom', categories: ['application', 'system', 'config'] });
  });

  it('saves Local only: the daily report is kept here, and the preview page says so', async () => {
    r = await renderApp({ storedChoice: null });
    toChoice();
    fireEvent.click(screen.getByRole('radio', { name: /^Local only/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Save my choice' }));
    await screen.findByRole('heading', { level: 1, name: 'What would be sent next' });
    expect(r.fake.calls.filter((c) => c.method === 'setConsent').map((c) => c.input)).toEqual([{ choice: 'local', categories: [...POLICY_CATEGORIES] }]);
    expect(screen.getByText('Local only: kept here, never sent.')).toBeTruthy();
    expect(screen.getByTestId('status-pill').textContent).toBe('Local only: nothing is sent');
    expect(screen.getByTestId('announcer').textContent).toBe('Reports are kept on this machine only. Nothing will be sent.');
  });

  it('says in one sentence that Navidrome’s collector zero-fills what a level leaves out, only for that collector and only when reports leave', async () => {
    r = await renderApp({ storedChoice: null });
    toChoice();
    expect(screen.getByTestId('zero-fill').textContent).toMatch(/^Navidrome’s own collector records every field a report leaves out as zero[^.]*\.$/);
    fireEvent.click(screen.getByRole('radio', { name: /^Local only/ }));
    expect(screen.queryByTestId('zero-fill')).toBeNull();
    teardown(r);
    r = await renderApp({ storedChoice: null, endpoint: 'https://stats.example.org/collect' });
    toChoice();
    expect(screen.queryByTestId('zero-fill')).toBeNull();
  });

  it('does not pretend to ask when a config setting has decided, and names the setting', async () => {
    r = await renderApp({ storedChoice: null, env: { DO_NOT_TRACK: '1' } });
    expect(screen.getByText(/Your configuration has already decided: sharing is off/)).toBeTruthy();
    expect(screen.getAllByText(/DO_NOT_TRACK=1 in the environment/).length).toBeGreaterThan(0);
    toChoice();
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
