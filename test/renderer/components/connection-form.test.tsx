// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PROBLEMS } from '../../../core/sources/problems';
import { createFakeApi } from '../../support/fake-api';
import { renderApp, teardown, type Rendered } from '../support/render';

let r: Rendered | undefined;
afterEach(() => teardown(r));

const RULE = 'A saved password is only ever sent to the server it was saved for.';
const serverSection = () => screen.getByRole('heading', { name: 'Music server' }).closest('section')!;
const field = (scope: HTMLElement, label: string) => within(scope).getByLabelText<HTMLInputElement>(label);
const updates = () => r!.fake.calls.filter((c) => c.method === 'updateSettings').map((c) => c.input);

describe('the password stays with its server', () => {
  it('asks for the password again when the address moves to another server, says why, and saves both together', async () => {
    r = await renderApp({ storedChoice: 'share', route: 'settings' });
    const server = serverSection();
    const help = within(server).getByTestId('password-help');
    expect(help.textContent).toBe('A password for this server is stored in the system keychain. Leave this empty to keep it.');
    expect(field(server, 'Password').required).toBe(false);

    fireEvent.change(field(server, 'Server address'), { target: { value: 'http://localhost:4533' } });
    expect(help.textContent).toBe(`This is another server than the one saved: type its password. ${RULE}`);
    expect(field(server, 'Password').required).toBe(true);

    // Saving without it is refused here, before anything is stored, and the field takes focus.
    fireEvent.click(within(server).getByRole('button', { name: 'Save connection' }));
    expect(
      within(server).getByText('Type the password for http://localhost:4533: a saved password is only ever sent to the server it was saved for.'),
    ).toBeTruthy();
    expect(document.activeElement).toBe(field(server, 'Password'));
    expect(field(server, 'Password').getAttribute('aria-invalid')).toBe('true');
    expect(updates()).toEqual([]);

    // The agent will not test another server with the saved password either.
    fireEvent.click(within(server).getByRole('button', { name: 'Test connection' }));
    const checks = await within(server).findByRole('list', { name: 'Connection checks' });
    expect(
      within(checks)
        .getByText(/Sign in/)
        .closest('li')?.textContent,
    ).toMatch(/failed\..*Type the password for this address: a saved password is only ever sent to the server it was saved for\./);
    expect(r.fake.calls.find((c) => c.method === 'testConnection')?.input).toEqual({ url: 'http://localhost:4533', username: 'admin' });

    fireEvent.change(field(server, 'Password'), { target: { value: 'correct horse' } });
    fireEvent.click(within(server).getByRole('button', { name: 'Save connection' }));
    expect(await within(server).findByText('Saved. The preview now reads from this server.')).toBeTruthy();
    expect(updates()).toEqual([{ server: { url: 'http://localhost:4533', password: 'correct horse' } }]);
    expect((await r.fake.getStatus()).settings.server).toMatchObject({ url: 'http://localhost:4533', passwordForThisServer: true });
    await waitFor(() => expect(help.textContent).toBe('A password for this server is stored in the system keychain. Leave this empty to keep it.'));
  });

  it('says when the stored password belongs to another address and is not used for this one', async () => {
    const fake = createFakeApi({ storedChoice: 'share' });
    await fake.updateSettings({ server: { url: 'http://localhost:4533' } });
    expect((await fake.getStatus()).settings.server.passwordForThisServer).toBe(false);
    r = await renderApp({ route: 'settings' }, fake);
    expect(within(serverSection()).getByTestId('password-help').textContent).toBe(
      `The stored password was saved for another server address, so it is not used here: type the password for this server. ${RULE}`,
    );
    expect(field(serverSection(), 'Password').required).toBe(true);
    // The music server is not signed in to with a password that is not its own.
    expect(screen.getByText('Where the facts come from').closest('section')!.textContent).toMatch(/Music server:.*Failed/);
  });

  it('shows the agent’s refusal of an address holding a user name or password, without repeating it', async () => {
    r = await renderApp({ storedChoice: 'share', route: 'settings' });
    const server = serverSection();
    fireEvent.change(field(server, 'Server address'), { target: { value: 'http://admin:s3cret-canary@127.0.0.1:4533' } });
    fireEvent.click(within(server).getByRole('button', { name: 'Test connection' }));
    const checks = await within(server).findByRole('list', { name: 'Connection checks' });
    expect(
      within(checks)
        .getByText(/Reach the server/)
        .closest('li')?.textContent,
    ).toContain(PROBLEMS['credentials-in-url']);
    fireEvent.click(within(server).getByRole('button', { name: 'Save connection' }));
    expect(await within(server).findByText(PROBLEMS['credentials-in-url'])).toBeTruthy();
    expect(server.textContent.replace(field(server, 'Server address').value, '')).not.toMatch(/s3cret-canary/);
    expect((await r.fake.getStatus()).settings.server.url).toBe('http://127.0.0.1:4533');
  });

  it('asks again in the wizard too', async () => {
    r = await renderApp({ storedChoice: null });
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    const form = screen.getByRole('heading', { level: 1, name: 'Your server' }).parentElement!;
    fireEvent.change(field(form, 'Server address'), { target: { value: 'http://localhost:4533' } });
    expect(within(form).getByTestId('password-help').textContent).toBe(`This is another server than the one saved: type its password. ${RULE}`);
    fireEvent.click(within(form).getByRole('button', { name: 'Save and continue' }));
    expect(within(form).getByText(/^Type the password for http:\/\/localhost:4533/)).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Your server' })).toBeTruthy();
    expect(updates()).toEqual([]);
  });
});

describe('where the server runs', () => {
  const remote = { server: { url: 'http://192.168.1.50:4533', username: 'admin', password: 'correct horse' }, reachableUrls: ['http://192.168.1.50:4533'] };

  it('says "on another machine" in Settings, with what is not sent and how to include it, and "on this machine" for a local one', async () => {
    r = await renderApp({ ...remote, storedChoice: 'share', route: 'settings' });
    const health = screen.getByRole('heading', { name: 'Where the facts come from' }).closest('section')!;
    const notice = health.querySelector<HTMLElement>('.server-location')!;
    expect(notice.textContent).toMatch(/^The server runs on another machine.*operating system, processors, memory, filesystems\) are not sent from here/);
    // The commands are shown as code, without the CLI's backticks.
    expect(within(notice).getByText('candor run').tagName).toBe('CODE');
    expect(notice.textContent).not.toContain('`');
    expect(serverSection().querySelector('.server-location')?.textContent).toMatch(/^ ?The server runs on another machine \(its address is not one/);
    teardown(r);

    r = await renderApp({ storedChoice: 'share', route: 'settings' });
    expect(serverSection().querySelector('.server-location')?.textContent?.trim()).toBe('The server runs on this machine (its address is a loopback address).');
    expect(screen.queryByText(/another machine/)).toBeNull();
  });

  it('says it on the wizard’s server step once the connection test reaches the server', async () => {
    r = await renderApp({ ...remote, storedChoice: null });
    fireEvent.click(await screen.findByRole('button', { name: 'Next' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Test connection' }));
    const result = await screen.findByRole('list', { name: 'Connection checks' });
    const where = result.parentElement!.querySelector('.server-location')!;
    expect(where.textContent).toMatch(/^The server runs on another machine.*To include them, run Candor on that machine/);
  });
});
