// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeApi } from '../../../support/fake-api';
import { capturedDownloads } from '../../support/downloads';
import { renderApp, teardown, type Rendered } from '../../support/render';

let r: Rendered | undefined;
const downloads = capturedDownloads();
afterEach(() => teardown(r));

const levelForm = () => screen.getByRole('form', { name: 'Level of sharing' });
const section = (name: string) => screen.getByRole('heading', { name }).closest('section')!;

describe('sharing level in Settings', () => {
  it('changes the level with the exact bytes of the level pointed at, and applies it only when asked', async () => {
    r = await renderApp({ storedChoice: 'share', route: 'settings' });
    const form = levelForm();
    expect(within(form).getByRole<HTMLInputElement>('radio', { name: /^Full/ }).checked).toBe(true);
    expect(within(form).getByRole('button', { name: 'In use' }).hasAttribute('disabled')).toBe(true);

    fireEvent.click(within(form).getByRole('radio', { name: /^Basic/ }));
    const basic = await createFakeApi({ storedChoice: 'share' }).getPreview({ categories: ['application', 'system'] });
    await waitFor(() => expect(within(form).getByTestId('payload-sha256').textContent).toBe(basic.sha256));
    expect(within(form).getByTestId('raw-payload').textContent).toBe(basic.text);
    expect(r.fake.calls.some((c) => c.method === 'setConsent')).toBe(false);

    fireEvent.click(within(form).getByRole('button', { name: 'Use Basic' }));
    await waitFor(() => expect(screen.getByTestId('status-pill').textContent).toMatch(/^Sharing on at Basic, next report/));
    expect(r.fake.calls.filter((c) => c.method === 'setConsent').map((c) => c.input)).toEqual([{ choice: 'share', categories: ['application', 'system'] }]);
    expect(screen.getByTestId('announcer').textContent).toBe('Sharing is on: Basic (application details, system information).');
    await waitFor(() => expect(within(levelForm()).getByRole('button', { name: 'In use' })).toBeTruthy());
    // The preview page says which level it shows.
    window.location.hash = '#/preview';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect((await screen.findByTestId('preview-level')).textContent).toMatch(
      /^Shown at your level: Basic \(application details, system information\)\. Change the level in Settings$/,
    );
  });

  it('shows the level a configuration setting decided, locked, naming the setting', async () => {
    r = await renderApp({ storedChoice: 'share', env: { CANDOR_INSIGHTS_LEVEL: 'basic' }, route: 'settings' });
    const form = levelForm();
    const radios = within(form).getAllByRole<HTMLInputElement>('radio');
    expect(radios.every((radio) => radio.matches(':disabled'))).toBe(true);
    expect(within(form).getByRole<HTMLInputElement>('radio', { name: /^Basic/ }).checked).toBe(true);
    expect(within(form).getByText('Set by CANDOR_INSIGHTS_LEVEL=basic in the environment')).toBeTruthy();
    expect(within(form).queryByRole('button', { name: /^Use|In use/ })).toBeNull();
    expect(
      screen.getByText('Sharing is on at Basic (application details, system information), set by CANDOR_INSIGHTS_LEVEL=basic in the environment.'),
    ).toBeTruthy();
    expect(screen.getByText(/Your own answer in Candor: share \(used only if that setting is removed\)/)).toBeTruthy();
  });

  it('explains Local only: kept here, never sent, see the history; nothing can be sent by hand', async () => {
    r = await renderApp({ storedChoice: 'local', route: 'settings' });
    const sharing = section('Sharing');
    expect(within(sharing).getByText('Local only: kept here, never sent.')).toBeTruthy();
    expect(within(sharing).getByRole('link', { name: 'See them in the history' }).getAttribute('href')).toBe('#/history');
    expect(screen.getByRole('button', { name: 'Send now' }).hasAttribute('disabled')).toBe(true);
    expect(screen.getByText(/At the Local only level nothing is sent, not even by hand/)).toBeTruthy();
    expect(within(section('Sending')).getByText('Next report (kept here)')).toBeTruthy();
    expect(screen.getByTestId('status-pill').textContent).toBe('Local only: nothing is sent');
  });

  it('names the process that keeps the daily schedule', async () => {
    r = await renderApp({ storedChoice: 'share', route: 'settings' });
    expect(screen.getByTestId('schedule-keeper').textContent).toMatch(/^Kept by this Candor: the desktop app \(process 4242, since .+\)\.$/);
    teardown(r);
    r = await renderApp({
      storedChoice: 'share',
      route: 'settings',
      scheduler: { role: 'standby', keptBy: { label: 'candor run', pid: 913, since: '2026-11-20T08:00:00.000Z' } },
    });
    expect(screen.getByTestId('schedule-keeper').textContent).toMatch(
      /^Kept by another Candor: candor run \(process 913, since .+\)\. If it stops, this one takes over\.$/,
    );
    teardown(r);
    r = await renderApp({ storedChoice: 'share', route: 'settings', scheduler: { role: 'stopped', keptBy: null } });
    expect(screen.getByTestId('schedule-keeper').textContent).toMatch(/^No Candor keeps the daily schedule now/);
  });
});

describe('export and deletion', () => {
  it('exports the next report at the current level as a file for a machine without internet, logged as exported', async () => {
    r = await renderApp({ storedChoice: 'share', storedCategories: ['application', 'system'], history: 1, route: 'settings' });
    const panel = section('For a machine without internet');
    expect(within(panel).getByText(/at your level \(Basic \(application details, system information\)\)/)).toBeTruthy();
    fireEvent.click(within(panel).getByRole('button', { name: 'Export for a machine without internet' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    const file = JSON.parse(await downloads[0]!.text) as { candorExport: number; level: string; categories: string[]; sha256: string; report: string };
    expect(downloads[0]!.name).toMatch(/^candor-report-\d{4}-\d\d-\d\d-[0-9a-f]{8}\.json$/);
    expect(file).toMatchObject({ candorExport: 1, level: 'basic', categories: ['application', 'system'] });
    expect(JSON.parse(file.report)).not.toHaveProperty('library');
    expect(within(panel).getByText(file.sha256)).toBeTruthy();
    const newest = (await r.fake.listHistory({ offset: 0, limit: 1 })).entries[0]!;
    expect(newest).toMatchObject({ outcome: 'exported', trigger: 'export', level: 'basic', sha256: file.sha256 });
    expect(r.fake.calls.find((c) => c.method === 'exportReport')?.input).toBeUndefined();
  });

  it('offers no export while sharing is off, and says why', async () => {
    r = await renderApp({ storedChoice: 'decline', route: 'settings' });
    const panel = section('For a machine without internet');
    expect(within(panel).getByRole('button', { name: 'Export for a machine without internet' }).hasAttribute('disabled')).toBe(true);
    expect(within(panel).getByText(/Sharing is off, so there is no report to export/)).toBeTruthy();
  });

  it('deletes my data at the collector only after confirmation, and shows the collector’s answer', async () => {
    r = await renderApp({ storedChoice: 'share', endpoint: 'https://stats.example.org/collect', route: 'settings' });
    const identity = section('Anonymous ID');
    fireEvent.click(within(identity).getByRole('button', { name: 'Delete my data at the collector…' }));
    const confirm = within(identity).getByRole('group', { name: /Delete every report of this machine at the collector\?/ });
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Delete at the collector' }));
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(r.fake.calls.some((c) => c.method === 'deleteRemoteData')).toBe(false);
    expect(document.activeElement).toBe(within(identity).getByRole('button', { name: 'Delete my data at the collector…' }));

    fireEvent.click(within(identity).getByRole('button', { name: 'Delete my data at the collector…' }));
    fireEvent.click(within(identity).getByRole('button', { name: 'Delete at the collector' }));
    expect((await within(identity).findByTestId('deletion-result')).textContent).toBe(
      'The collector holds nothing of this machine any more (one anonymous ID).',
    );
    expect(screen.getByTestId('announcer').textContent).toBe('The collector holds nothing of this machine any more (one anonymous ID).');
  });

  it('says so when the collector (Navidrome’s own) does not offer deletion', async () => {
    r = await renderApp({ storedChoice: 'share', route: 'settings' });
    const identity = section('Anonymous ID');
    expect(within(identity).getByText(/Asks insights\.navidrome\.org to delete every report/)).toBeTruthy();
    fireEvent.click(within(identity).getByRole('button', { name: 'Delete my data at the collector…' }));
    fireEvent.click(within(identity).getByRole('button', { name: 'Delete at the collector' }));
    expect((await within(identity).findByTestId('deletion-result')).textContent).toMatch(
      /^This collector does not offer deletion \(Navidrome’s own does not\)/,
    );
  });
});
