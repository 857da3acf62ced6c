/**
 * End to end: the built renderer in Chromium, served by `startServe` over the fake agent, through
 * real HTTP, SSE, CSP and the per-run secret. The renderer is built once per source tree
 * (support/build.ts) into a temp folder; one browser and one server serve the whole file, each test
 * in its own context over its own fake agent (support/sessions.ts).
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startServe } from '../../headless/serve/server';
import { NOT_SIGNED_IN } from '../../renderer/api/http-client';
import { createFakeApi, type FakeApiOptions } from '../support/fake-api';
import { anyOf } from '../support/matchers';
import { seriousViolations } from './support/browser';
import { e2eSessions, poll, SCHEMES } from './support/sessions';

const e2e = e2eSessions();
const { open } = e2e;

const rawText = (page: Page) => page.getByTestId('raw-payload').first().textContent();

/** The history's list, once its first row is painted. */
async function attemptsShown(page: Page) {
  const list = page.getByRole('listbox', { name: 'Attempts, newest first' });
  await list
    .getByRole('option')
    .first()
    .getByText(/ago|yesterday/)
    .waitFor();
  return list;
}

describe('first run', () => {
  it('walks through what is shared, the server, the exact payload and the choice (share preselected)', async () => {
    const { page, fake, problems, server } = await open({ storedChoice: null });
    // The secret is gone from the address bar at once.
    expect(page.url()).toBe(`http://127.0.0.1:${server.port}/#/`);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('What is shared');
    expect(await page.getByText('Names of songs, artists, albums or playlists').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByLabel('Password').fill('correct horse');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connected to navidrome 0.58.0 (fa2cf362).').waitFor();
    await page.getByRole('button', { name: 'Save and continue' }).click();

    await page.getByRole('heading', { level: 1, name: 'The exact payload' }).waitFor();
    expect(await rawText(page)).toBe((await fake.getPreview()).text);
    await page.getByRole('button', { name: 'Next' }).click();

    expect(await page.getByRole('radio', { name: /^Full/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Save my choice' }).click();
    await page.getByRole('heading', { level: 1, name: 'What would be sent next' }).waitFor();
    expect((await fake.getStatus()).consent).toMatchObject({ storedChoice: 'share', sharing: true, level: 'full' });
    expect(await page.getByTestId('status-pill').textContent()).toMatch(/^Sharing on, next report in/);
    expect(problems).toEqual([]);
  });

  it('declining stores "no" and nothing is offered for sending', async () => {
    const { page, fake, problems } = await open({ storedChoice: null });
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: /^(Next|Skip for now)$/ }).click();
    await page.getByRole('radio', { name: /^Off/ }).check();
    await page.getByRole('button', { name: 'Save my choice' }).click();
    await page.getByText('Sharing is off: nothing is sent.').waitFor();
    expect((await fake.getStatus()).consent).toMatchObject({ storedChoice: 'decline', sharing: false });
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    expect(await page.getByRole('switch', { name: 'Share anonymous usage statistics' }).getAttribute('aria-checked')).toBe('false');
    expect(await page.getByRole('button', { name: 'Send now' }).isDisabled()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('when a config setting has decided, says which one and does not ask', async () => {
    const { page, fake } = await open({ storedChoice: null, configFile: { path: '/etc/candor/candor.toml', enabled: false } });
    await page.getByText('Your configuration has already decided: sharing is off.').waitFor();
    expect(
      await page
        .getByText(/\[insights\] enabled = false in \/etc\/candor\/candor\.toml/)
        .first()
        .isVisible(),
    ).toBe(true);
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: /^(Next|Skip for now)$/ }).click();
    expect(await page.getByRole('radio').count()).toBe(0);
    await page.getByRole('button', { name: 'Continue to Candor' }).click();
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const toggle = page.getByRole('switch', { name: 'Share anonymous usage statistics' });
    expect(await toggle.getAttribute('aria-disabled')).toBe('true');
    await toggle.click({ force: true });
    expect(fake.calls.some((c) => c.method === 'setConsent')).toBe(false);
    // Acknowledged once: a reload goes straight to Candor.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
  });
});

describe('preview', () => {
  it('shows exactly the text the API returned, and follows live updates pushed over SSE', async () => {
    const { page, fake, problems } = await open({ storedChoice: 'share', history: 5 }, 'preview');
    await page.getByTestId('payload-sha256').waitFor();
    const preview = await fake.getPreview();
    await page.getByRole('tab', { name: 'Exact bytes' }).click();
    expect(await rawText(page)).toBe(preview.text);
    expect(await page.getByTestId('payload-sha256').textContent()).toBe(preview.sha256);
    expect(await page.getByTestId('payload-size').textContent()).toBe(`${preview.size.toLocaleString('en')} bytes`);
    // The agent pushes a new preview: the page follows without a reload.
    await poll(() => fake.listenerCount).toBe(1);
    const pushed = fake.tick();
    await poll(() => page.getByTestId('payload-sha256').textContent()).toBe(pushed.sha256);
    expect(await rawText(page)).toBe(pushed.text);
    // Refresh asks the agent and shows its answer.
    await page.getByRole('button', { name: 'Refresh' }).click();
    const refreshed = await fake.getPreview();
    await poll(() => page.getByTestId('payload-sha256').textContent()).toBe(refreshed.sha256);
    expect(problems).toEqual([]);
  });
});

describe('history', () => {
  it('handles 10,000 entries: windowed list, keyboard, exact bytes, diff and export', async () => {
    const { page, fake, problems } = await open({ storedChoice: 'share', history: 10_000 }, 'history');
    const list = await attemptsShown(page);
    expect(await list.getByRole('option').count()).toBeLessThan(60);
    expect(await list.getByRole('option').first().getAttribute('aria-setsize')).toBe('10000');

    await list.focus();
    await page.keyboard.press('End');
    const all = fake.allEntries();
    await expect.poll(() => rawText(page), { timeout: 10_000 }).toBe(all[0]!.body);
    await page.getByRole('button', { name: 'Use as comparison base' }).click();
    await list.focus();
    await page.keyboard.press('Home');
    await poll(() => rawText(page)).toBe(all.at(-1)!.body);
    const compare = page.locator('section.compare');
    await compare.getByRole('table').waitFor();
    expect(await compare.getByRole('row', { name: /uptime/ }).textContent()).toMatch(/Changed/);

    // The chart appears once every entry has been read in the background.
    await page.getByRole('img', { name: /Attempts over time/ }).waitFor({ timeout: 15_000 });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export all (JSON)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^candor-history-.*\.json$/);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as { entries: Array<{ id: string; body: string }> };
    expect(exported.entries).toHaveLength(10_000);
    expect(exported.entries[0]!.body).toBe(all[0]!.body);
    expect(problems).toEqual([]);
  }, 60_000);
});

describe('history search and the collector check', () => {
  it('searches by text in the bytes, result, level and dates, with counts, from the keyboard alone', async () => {
    const { page, fake, problems } = await open({ storedChoice: 'share', history: 300 }, 'history');
    const list = await attemptsShown(page);
    const status = page.locator('.search-status');
    await poll(() => status.textContent()).toBe('300 attempts, none left out.');
    const all = fake.allEntries();
    const expected = async (filter: Parameters<typeof fake.listHistory>[0]['filter']) => (await fake.listHistory({ offset: 0, limit: 1000, filter })).total;
    const focused = () =>
      page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent?.trim() ?? document.activeElement?.textContent?.trim());

    // Text: a value only one report carried, typed into the field.
    const one = all[123]!;
    const uptime = `"uptime":${(JSON.parse(one.body) as { uptime: number }).uptime},`;
    await page.getByLabel('Text in the exact bytes').focus();
    await page.keyboard.type(uptime);
    await poll(() => status.textContent()).toBe('1 of 300 attempts match.');
    await poll(() => list.getByRole('option').count()).toBe(1);
    expect(await list.getByRole('option').first().getAttribute('aria-setsize')).toBe('1');
    await list.focus();
    await page.keyboard.press('Home');
    await poll(() => rawText(page)).toBe(one.body);
    // The counts beside each result are those of the text search.
    expect(await page.getByRole('checkbox', { name: /^Sent/ }).getAttribute('checked')).toBeNull();
    expect(await page.locator('.search-choices .check').first().textContent()).toBe(one.outcome === 'sent' ? 'Sent (1)' : 'Sent (0)');

    // Clear, then the result "Failed or unanswered", reached with Tab and ticked with Space.
    await page.getByRole('button', { name: 'Clear search' }).click();
    await poll(() => status.textContent()).toBe('300 attempts, none left out.');
    await page.getByLabel('Text in the exact bytes').focus();
    for (let i = 0; i < 12 && !/^Failed or unanswered/.test((await focused()) ?? ''); i++) await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^Failed or unanswered \(\d+\)$/);
    await page.keyboard.press('Space');
    const failed = await expected({ outcomes: ['failed'] });
    expect(failed).toBeGreaterThan(0);
    await poll(() => status.textContent()).toBe(`${failed} of 300 attempts match.`);
    await poll(() => page.getByRole('heading', { name: /attempts, newest first$/ }).textContent()).toBe(`${failed} of 300 attempts, newest first`);

    // A level no report was made at: nothing matches, and the page says so.
    await page.getByRole('checkbox', { name: 'Basic' }).check();
    await page.getByText('No attempt matches this search.').waitFor();
    await page.getByRole('checkbox', { name: 'Basic' }).uncheck();

    // Dates: one local day, both ends included.
    const day = all[200]!.at.slice(0, 10);
    await page.getByLabel('From').fill(day);
    await page.getByLabel('To (included)').fill(day);
    const dayBound = (end: 'start' | 'end') =>
      page.evaluate(
        ([d, e]) => (e === 'start' ? new Date(`${d}T00:00`) : new Date(new Date(`${d}T00:00`).getTime() + 86_400_000 - 1)).toISOString(),
        [day, end],
      );
    const inDay = await expected({ outcomes: ['failed'], since: await dayBound('start'), until: await dayBound('end') });
    await poll(() => status.textContent()).toBe(`${inDay} of 300 attempts match.`);
    expect(fake.calls.filter((c) => c.method === 'listHistory').at(-1)!.input).toMatchObject({
      filter: { outcomes: ['failed'], since: anyOf(String), until: anyOf(String) },
    });

    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await seriousViolations(page, scheme === SCHEMES[0] ? 'all' : 'colours')).toEqual([]);
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('a new attempt appears in a search it matches', async () => {
    const { page, fake } = await open({ storedChoice: 'share', history: 20 }, 'history');
    await page.getByRole('checkbox', { name: /^Exported/ }).check();
    await page.getByText('No attempt matches this search.').waitFor();
    await page.getByRole('button', { name: 'Export all (JSON)' }).waitFor();
    await fake.exportReport();
    await poll(() => page.locator('.search-status').textContent()).toBe('1 of 21 attempts match.');
    expect(await page.getByRole('checkbox', { name: /^Exported/ }).evaluate((el) => (el as HTMLInputElement).labels![0]!.textContent)).toBe('Exported (1)');
  });

  it('checks what the collector holds, naming a report never sent from here (axe-clean)', async () => {
    const { page, problems } = await open(
      { storedChoice: 'share', history: 40, endpoint: 'https://collector.example.org/collect', collectorAccess: 'foreign' },
      'history',
    );
    await page.getByRole('button', { name: 'Check what the collector holds' }).click();
    const result = page.getByTestId('collector-check-result');
    await result.getByText('The collector holds one report under this machine’s IDs that was never sent from here.').waitFor();
    const rows = result.getByRole('table', { name: /^Held by the collector/ }).getByRole('row');
    expect(await rows.nth(1).textContent()).toMatch(/Never sent from here/);
    expect(await rows.nth(2).textContent()).toMatch(/Sent from here/);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await seriousViolations(page, scheme === SCHEMES[0] ? 'all' : 'colours')).toEqual([]);
    }
    // Navidrome's collector offers no such check: said as such.
    const navidrome = await open({ storedChoice: 'share', history: 3 }, 'history');
    await navidrome.page.getByRole('button', { name: 'Check what the collector holds' }).click();
    await navidrome.page
      .getByTestId('collector-check-result')
      .getByText(/This collector does not let you check what it holds/)
      .waitFor();
    expect(problems).toEqual([]);
  });
});

describe('error states', () => {
  it('server unreachable: the preview leaves fields out and says why', async () => {
    const { page } = await open({ storedChoice: 'share', serverState: 'unreachable' }, 'preview');
    await page.getByText('Some facts could not be read, so they are left out.').waitFor();
    const omitted = page.getByRole('region', { name: 'Left out, and why' });
    expect(await omitted.getByText('library', { exact: true }).isVisible()).toBe(true);
    expect(await omitted.textContent()).toMatch(/Nothing answers at the server's address\./);
  });

  it('wrong password: the connection test says which check failed', async () => {
    const { page } = await open({ storedChoice: 'share' }, 'settings');
    const server = page.getByRole('region', { name: 'Music server' });
    await server.getByLabel('Password').fill('wrong');
    await server.getByRole('button', { name: 'Test connection' }).click();
    await server.getByText('The connection does not work yet.').waitFor();
    expect(await server.getByRole('listitem').filter({ hasText: 'Sign in' }).textContent()).toMatch(/failed\..*refused the user name or password/);
  });

  it('endpoint failing: send now shows the failure, the history records it', async () => {
    const { page, fake } = await open({ storedChoice: 'share', history: 1, sendFailure: 'http-5xx', sendDurationMs: 300 }, 'settings');
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.getByRole('button', { name: 'Sending…' }).waitFor();
    await page.getByText('Not sent: The endpoint had a server error (HTTP 503).').first().waitFor();
    expect((await fake.listHistory({ offset: 0, limit: 1 })).entries[0]).toMatchObject({ outcome: 'failed', status: 503 });
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: '2 attempts, newest first' }).waitFor();
  });

  it('nothing sent yet: the history and the preview say so', async () => {
    const { page } = await open({ storedChoice: 'share', history: 0 }, 'history');
    await page.getByText('Nothing has been sent yet.').waitFor();
    await page.getByRole('link', { name: 'Preview' }).click();
    await page.getByText('Nothing has been sent yet, so there is nothing to compare with.').waitFor();
  });

  it('the agent goes away: live updates pause with a notice, and come back', async () => {
    // This test stops its server, so it has one of its own.
    const fake = createFakeApi({ storedChoice: 'share' });
    const server = await startServe({ api: fake, staticDir: e2e.staticDir() });
    const { page } = await e2e.openAt(server.url, 'preview');
    await poll(() => fake.listenerCount).toBe(1);
    await server.close();
    await page.getByText(/Lost contact with Candor/).waitFor();
    // The same run comes back on the same port: the page reconnects by itself.
    const again = await startServe({ api: fake, staticDir: e2e.staticDir(), port: server.port, token: server.token });
    try {
      await page.getByText(/Lost contact with Candor/).waitFor({ state: 'detached', timeout: 20_000 });
      const pushed = fake.tick();
      await poll(() => page.getByTestId('payload-sha256').textContent()).toBe(pushed.sha256);
    } finally {
      await again.close();
    }
  }, 40_000);

  it('without the secret, the page says how to get in', async () => {
    const { fake, server } = e2e.agent({ storedChoice: 'share' });
    const context = await e2e.browser().newContext();
    e2e.track(context);
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.getByRole('heading', { name: 'Candor is not answering' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(NOT_SIGNED_IN);
    expect(fake.calls).toEqual([]);
  });
});

describe('keyboard and accessibility', () => {
  it('can be used with the keyboard alone, with visible focus in a logical order', async () => {
    const { page, fake } = await open({ storedChoice: null, history: 30 });
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        const label = el instanceof HTMLInputElement && el.labels?.[0] ? el.labels[0].textContent : (el?.getAttribute('aria-label') ?? el?.textContent);
        return { text: (label ?? '').trim().slice(0, 60), tag: el?.tagName, visible: el ? el.matches(':focus-visible') : false };
      });
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ text: 'Skip to main content', visible: true });
    const skipBox = await page.getByRole('link', { name: 'Skip to main content' }).boundingBox();
    expect(skipBox!.y).toBeGreaterThanOrEqual(0); // shown on focus, not off-screen
    await page.keyboard.press('Enter');
    expect((await focused()).tag).toBe('MAIN');
    // Tab to "Next", through the wizard.
    const tabTo = async (label: RegExp, max = 40) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        const f = await focused();
        if (label.test(f.text)) {
          expect(f.visible).toBe(true);
          return;
        }
      }
      throw new Error(`never reached ${label}`);
    };
    await tabTo(/^Next$/);
    await page.keyboard.press('Enter');
    await tabTo(/^Skip for now$|^Next$/);
    await page.keyboard.press('Enter');
    await tabTo(/^Next$/);
    await page.keyboard.press('Enter');
    await tabTo(/^Full/);
    await page.keyboard.press('ArrowDown'); // radio group: arrows move the choice
    expect(await page.getByRole('radio', { name: /^Basic/ }).isChecked()).toBe(true);
    await page.keyboard.press('ArrowUp');
    expect(await page.getByRole('radio', { name: /^Full/ }).isChecked()).toBe(true);
    await tabTo(/^Save my choice$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'What would be sent next' }).waitFor();
    expect((await fake.getStatus()).consent.storedChoice).toBe('share');

    // Into the history through the navigation, then the list with arrows.
    await page.keyboard.press('Shift+Tab'); // from the focused heading back into the header
    await tabTo(/^History$/, 10);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'History' }).waitFor();
    expect((await focused()).text).toBe('History');
    await tabTo(/^Attempts, newest first$/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await poll(() => page.getByRole('listbox').getAttribute('aria-activedescendant')).toBe('attempt-2');
    await page.getByRole('heading', { name: /^Attempt of/ }).waitFor();
    expect(await rawText(page)).toBe(fake.allEntries().at(-3)!.body);

    // Settings: the sharing switch answers Space.
    await page.keyboard.press('Shift+Tab');
    for (let i = 0; i < 20 && (await focused()).text !== 'Settings'; i++) await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await tabTo(/^Share anonymous usage statistics$/);
    await page.keyboard.press('Space');
    await poll(async () => (await fake.getStatus()).consent.sharing).toBe(false);
  }, 60_000);

  it('has no serious or critical axe violations on any screen, light and dark', async () => {
    // One page for every screen: each state is a new fake agent in the slot and a reload, and each
    // screen is checked in both schemes by switching the page's color scheme in place: every rule in
    // the first, the rules that look at colours in the other (a scheme changes nothing else).
    const { page } = await e2e.open({ storedChoice: null });
    const check = async (where: string) => {
      for (const scheme of SCHEMES) {
        await page.emulateMedia({ colorScheme: scheme });
        expect(await page.evaluate(() => window.matchMedia('(prefers-color-scheme: dark)').matches)).toBe(scheme === 'dark');
        const violations = await seriousViolations(page, scheme === SCHEMES[0] ? 'all' : 'colours');
        if (violations.length > 0) throw new Error(`${where} (${scheme}): ${JSON.stringify(violations, null, 1)}`);
      }
    };
    const show = async (options: FakeApiOptions, route = '') => {
      e2e.agent(options);
      await page.evaluate((hash) => void (window.location.hash = hash), `#/${route}`);
      await page.reload();
      await page.waitForSelector('main h1');
    };

    await check('wizard step 1');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/Connected to/).waitFor();
    await check('wizard step 2');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('raw-payload').waitFor();
    await check('wizard step 3');
    await page.getByRole('button', { name: 'Next' }).click();
    await check('wizard step 4, Full');
    for (const level of ['Basic', 'Custom', 'Local only', 'Off']) {
      await page.getByRole('radio', { name: new RegExp(`^${level}`) }).check();
      await page.locator('.level-preview[aria-busy="true"]').waitFor({ state: 'detached' });
      await check(`wizard step 4, ${level}`);
    }

    await show({ storedChoice: null, env: { DO_NOT_TRACK: '1' } });
    await page.getByText('Your configuration has already decided: sharing is off.').waitFor();
    await check('wizard, locked');

    await show({ storedChoice: 'share', history: 5, serverState: 'not-admin' }, 'preview');
    await page.getByTestId('payload-sha256').waitFor();
    await check('preview');
    await page.getByRole('tab', { name: 'Exact bytes' }).click();
    await check('preview, exact bytes');

    await show({ storedChoice: 'share', history: 300 }, 'history');
    await page.getByRole('img', { name: /Attempts over time/ }).waitFor();
    await page.getByRole('option').nth(2).click();
    await page.getByRole('button', { name: 'Compare with previous' }).click();
    await page.locator('section.compare table').waitFor();
    await check('history with a comparison');

    await show({ storedChoice: 'share', newFields: ['library.activePlayers'], fixedBy: { endpoint: 'the config file /etc/candor.toml' } }, 'settings');
    await page.getByRole('group', { name: /needs? your approval/ }).waitFor();
    await check('settings with approval and locks');
    await page.getByRole('button', { name: 'Reset the anonymous ID…' }).click();
    await page.getByRole('button', { name: 'Delete my data at the collector…' }).click();
    await page.getByRole('radio', { name: /^Basic/ }).check();
    await page.locator('.level-preview[aria-busy="true"]').waitFor({ state: 'detached' });
    await check('settings, confirming reset and deletion, another level pointed at');

    await show({ storedChoice: 'share', env: { CANDOR_INSIGHTS_LEVEL: 'local' }, history: 3 }, 'settings');
    await page.getByText('Local only: kept here, never sent.').first().waitFor();
    await check('settings, level locked at Local only');
  }, 120_000);
});
