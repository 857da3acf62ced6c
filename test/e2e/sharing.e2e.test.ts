/**
 * End to end, in Chromium: choosing how much to share (every level with its exact bytes and their
 * sha256, by keyboard alone), the password that stays with its server, and the actions on the
 * reports themselves (export for a machine without internet, deletion at the collector).
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PolicyCategory } from '../../shared/api-contract';
import { POLICY_CATEGORIES } from '../../shared/schema/levels';
import type { FakeCandorApi } from '../support/fake-api';
import { e2eSessions, poll } from './support/sessions';

const e2e = e2eSessions();

/** What the focused element is, as a person would read it. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const label = el instanceof HTMLInputElement && el.labels?.[0] ? el.labels[0].textContent : el?.textContent;
    return { text: (label ?? '').trim(), type: el instanceof HTMLInputElement ? el.type : el?.tagName, visible: el ? el.matches(':focus-visible') : false };
  });

/** The level preview shows exactly `categories`' bytes, with their sha256. */
async function showsLevel(page: Page, fake: FakeCandorApi, categories: PolicyCategory[]): Promise<Record<string, unknown>> {
  const expected = await fake.getPreview({ categories });
  await poll(() => page.getByTestId('payload-sha256').textContent()).toBe(expected.sha256);
  expect(await page.getByTestId('raw-payload').textContent()).toBe(expected.text);
  return JSON.parse(expected.text) as Record<string, unknown>;
}

describe('choosing a level in the wizard', () => {
  it('shows the exact bytes and sha256 of every level as the arrow keys move through them, keyboard only', async () => {
    const { page, fake, problems } = await e2e.open({ storedChoice: null });
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: /^(Next|Skip for now)$/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Your choice' }).focus();

    // One Tab into the radio group lands on the checked option: Full, the policy's default.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ type: 'radio', visible: true });
    expect((await focused(page)).text).toMatch(/^Full/);
    const full = await showsLevel(page, fake, [...POLICY_CATEGORIES]);
    expect(full).toHaveProperty('library');

    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: /^Basic/ }).isChecked()).toBe(true);
    const basic = await showsLevel(page, fake, ['application', 'system']);
    expect(basic).not.toHaveProperty('library');
    expect(basic).not.toHaveProperty('config');

    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: /^Custom/ }).isChecked()).toBe(true);
    await showsLevel(page, fake, ['application', 'system', 'library']);

    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: /^Local only/ }).isChecked()).toBe(true);
    await page.getByText(/would be kept in the history on this machine\. Nothing is sent\./).waitFor();
    await showsLevel(page, fake, ['application', 'system', 'library']);

    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: /^Off/ }).isChecked()).toBe(true);
    await page.getByText(/no report is built, so there are no bytes to show/).waitFor();
    expect(await page.getByTestId('raw-payload').count()).toBe(0);

    // Back to Full, then switch one category off from the keyboard: the choice becomes Custom.
    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: /^Full/ }).isChecked()).toBe(true);
    await showsLevel(page, fake, [...POLICY_CATEGORIES]);
    await page.keyboard.press('Tab');
    // Application details cannot be switched off, so Tab skips them.
    expect(await focused(page)).toMatchObject({ type: 'checkbox', text: 'System information', visible: true });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toMatch(/^Configuration settings/);
    await page.keyboard.press('Space');
    expect(await page.getByRole('radio', { name: /^Custom/ }).isChecked()).toBe(true);
    const custom = await showsLevel(page, fake, ['application', 'system', 'library']);
    expect(custom).not.toHaveProperty('config');
    expect(custom).not.toHaveProperty('fs');

    for (let i = 0; i < 10 && (await focused(page)).text !== 'Save my choice'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'What would be sent next' }).waitFor();
    expect((await fake.getStatus()).consent).toMatchObject({ storedChoice: 'share', level: 'custom', categories: ['application', 'system', 'library'] });
    expect(await page.getByTestId('preview-level').textContent()).toMatch(
      /^Shown at your level: Custom \(application details, system information, library statistics\)\./,
    );
    expect(problems).toEqual([]);
  }, 60_000);

  it('says in one sentence what Navidrome’s collector does with what a level leaves out', async () => {
    const { page } = await e2e.open({ storedChoice: null });
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: /^(Next|Skip for now)$/ }).click();
    await page.getByRole('radio', { name: /^Basic/ }).check();
    expect(await page.getByTestId('zero-fill').textContent()).toBe(
      'Navidrome’s own collector records every field a report leaves out as zero, so its statistics will count what you leave out as zeros, not as unknown.',
    );
  });
});

describe('settings', () => {
  it('asks for the password again when the address moves to another server, and says why', async () => {
    const { page, fake, problems } = await e2e.open({ storedChoice: 'share' }, 'settings');
    const server = page.getByRole('region', { name: 'Music server' });
    await server.getByLabel('Server address').fill('http://localhost:4533');
    expect(await server.getByTestId('password-help').textContent()).toBe(
      'This is another server than the one saved: type its password. A saved password is only ever sent to the server it was saved for.',
    );
    await server.getByRole('button', { name: 'Save connection' }).click();
    await server.getByText('Type the password for http://localhost:4533: a saved password is only ever sent to the server it was saved for.').waitFor();
    expect(await server.getByLabel('Password').evaluate((el) => el === document.activeElement)).toBe(true);
    expect(fake.calls.some((c) => c.method === 'updateSettings')).toBe(false);

    await page.keyboard.type('correct horse');
    await server.getByRole('button', { name: 'Save connection' }).click();
    await server.getByText('Saved. The preview now reads from this server.').waitFor();
    expect((await fake.getStatus()).settings.server).toMatchObject({ url: 'http://localhost:4533', passwordForThisServer: true });
    await poll(() => server.getByTestId('password-help').textContent()).toBe(
      'A password for this server is stored in the system keychain. Leave this empty to keep it.',
    );
    expect(problems).toEqual([]);
  });

  it('exports the next report for a machine without internet, and deletes my data at the collector after confirmation', async () => {
    const { page, fake, problems } = await e2e.open(
      { storedChoice: 'share', storedCategories: ['application', 'system'], endpoint: 'https://stats.example.org/collect', history: 2 },
      'settings',
    );
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export for a machine without internet' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^candor-report-\d{4}-\d\d-\d\d-[0-9a-f]{8}\.json$/);
    const file = JSON.parse(await readFile(await download.path(), 'utf8')) as { level: string; sha256: string; report: string };
    expect(file.level).toBe('basic');
    const logged = (await fake.listHistory({ offset: 0, limit: 1 })).entries[0]!;
    expect(logged).toMatchObject({ outcome: 'exported', sha256: file.sha256 });
    await page.getByRole('region', { name: 'For a machine without internet' }).getByText(file.sha256).waitFor();

    const identity = page.getByRole('region', { name: 'Anonymous ID' });
    await identity.getByRole('button', { name: 'Delete my data at the collector…' }).click();
    const confirm = identity.getByRole('group', { name: /Delete every report of this machine at the collector\?/ });
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect(fake.calls.some((c) => c.method === 'deleteRemoteData')).toBe(false);
    await identity.getByRole('button', { name: 'Delete my data at the collector…' }).click();
    await identity.getByRole('button', { name: 'Delete at the collector' }).click();
    expect(await identity.getByTestId('deletion-result').textContent()).toBe('The collector holds nothing of this machine any more (one anonymous ID).');

    // The export shows in the history with its level.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
    const first = page.getByRole('listbox', { name: 'Attempts, newest first' }).getByRole('option').first();
    await poll(() => first.textContent()).toMatch(/Export.*Basic.*Exported/);
    expect(problems).toEqual([]);
  });
});
