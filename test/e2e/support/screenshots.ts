/**
 * Screenshots of every screen, light and dark, against the fake agent:
 *   npx tsx test/e2e/support/screenshots.ts [--all]
 * Writes the README set (wizard, preview, history, settings × light/dark) and the wizard's choice
 * step at each level (full, basic, local, off × light/dark) to docs/screenshots/.
 * With --all, also every other state (wizard steps, locks, approvals, errors) to screenshots-tmp/
 * for review.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { ApiError } from '../../../shared/api-contract';
import { NOT_ANSWERING } from '../../../renderer/api/http-client';
import { startServe } from '../../../headless/serve/server';
import { createFakeApi, type FakeApiOptions, type FakeCandorApi } from '../../support/fake-api';
import { launchChromium } from './browser';
import { ROOT, buildRenderer } from './build';

type Scheme = 'light' | 'dark';

/** One fixed moment for the fake agent and the page's clock, so relative times read the same in every run. */
const NOW = Date.parse('2026-11-25T14:05:00Z');

async function withServer<T>(options: FakeApiOptions, run: (url: string, api: FakeCandorApi) => Promise<T>): Promise<T> {
  const api = createFakeApi({ now: () => NOW, ...options });
  const server = await startServe({ api, staticDir: buildRenderer() });
  try {
    return await run(server.url, api);
  } finally {
    await server.close();
  }
}

async function open(browser: Browser, url: string, scheme: Scheme, route = ''): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: 1200, height: 800 },
    colorScheme: scheme,
    deviceScaleFactor: 1,
    timezoneId: 'Europe/Paris',
    locale: 'en-GB',
  });
  await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
  await page.clock.setFixedTime(NOW);
  await page.goto(route ? url.replace('#token=', `#/${route}?token=`) : url);
  await page.waitForSelector('main h1');
  return page;
}

export async function takeScreenshots(options: { all?: boolean; readmeDir?: string; reviewDir?: string } = {}): Promise<string[]> {
  const readmeDir = options.readmeDir ?? path.join(ROOT, 'docs/screenshots');
  const reviewDir = options.reviewDir ?? path.join(ROOT, 'screenshots-tmp');
  mkdirSync(readmeDir, { recursive: true });
  if (options.all) mkdirSync(reviewDir, { recursive: true });
  const written: string[] = [];
  const browser = await launchChromium();
  const shot = async (page: Page, dir: string, name: string, fullPage = false) => {
    const file = path.join(dir, `${name}.png`);
    await page.waitForTimeout(150);
    await page.screenshot({ path: file, fullPage });
    written.push(file);
    await page.close();
  };
  try {
    for (const scheme of ['light', 'dark'] as const) {
      // README set (the wizard as `npm start` shows it headless: what happens if nothing is chosen)
      await withServer({ storedChoice: null, history: 0, shell: 'headless' }, async (url) => {
        await shot(await open(browser, url, scheme), readmeDir, `wizard-${scheme}`);
      });
      await withServer({ storedChoice: 'share', history: 400 }, async (url) => {
        const page = await open(browser, url, scheme, 'preview');
        await page.waitForSelector('[data-testid="payload-sha256"]');
        await shot(page, readmeDir, `preview-${scheme}`);
      });
      await withServer({ storedChoice: 'share', history: 10_000 }, async (url) => {
        const page = await open(browser, url, scheme, 'history');
        await page.waitForSelector('.history-chart');
        await page.getByRole('option').first().click();
        await page.waitForSelector('#entry-title');
        await shot(page, readmeDir, `history-${scheme}`);
      });
      await withServer({ storedChoice: 'share', history: 30, sendFailure: null }, async (url) => {
        const page = await open(browser, url, scheme, 'settings');
        await shot(page, readmeDir, `settings-${scheme}`);
      });
      // The wizard's choice step, pointed at each level in turn: the bytes shown are that level's.
      for (const [level, radio] of [
        ['full', 'Full'],
        ['basic', 'Basic'],
        ['local', 'Local only'],
        ['off', 'Off'],
      ] as const) {
        // Like the agent, which makes the id with the first preview, so the wizard's bytes carry it.
        await withServer({ storedChoice: null, history: 0, instanceId: '5f0c1b2e-8a7d-4c3b-a1e2-9d8c7b6a5f40' }, async (url) => {
          const page = await open(browser, url, scheme);
          for (let i = 0; i < 3; i++) await page.getByRole('button', { name: /^(Next|Skip for now)$/ }).click();
          await page.getByRole('radio', { name: new RegExp(`^${radio}`) }).check();
          if (level !== 'off') await page.waitForSelector('.level-preview[aria-busy="false"] [data-testid="raw-payload"]');
          await shot(page, readmeDir, `wizard-level-${level}-${scheme}`, true);
        });
      }

      if (!options.all) continue;
      // Review set: every other state, full page.
      await withServer({ storedChoice: null, history: 0 }, async (url) => {
        const page = await open(browser, url, scheme);
        for (let step = 2; step <= 4; step++) {
          await page.getByRole('button', { name: /^(Next|Skip for now)$/ }).click();
          if (step === 2) {
            await page.getByRole('button', { name: 'Test connection' }).click();
            await page.waitForSelector('.connection-result');
          }
          await page.waitForTimeout(100);
          await page.screenshot({ path: path.join(reviewDir, `wizard-step${step}-${scheme}.png`), fullPage: true });
        }
        await page.close();
      });
      await withServer({ storedChoice: null, env: { DO_NOT_TRACK: '1' } }, async (url) => {
        const page = await open(browser, url, scheme);
        await page.screenshot({ path: path.join(reviewDir, `wizard-locked-${scheme}.png`), fullPage: true });
        for (let i = 0; i < 3; i++) await page.getByRole('button', { name: /^(Next|Skip for now)$/ }).click();
        await shot(page, reviewDir, `wizard-locked-choice-${scheme}`, true);
      });
      await withServer(
        {
          storedChoice: 'share',
          newFields: ['candor.hostMemory.total', 'library.activePlayers'],
          env: {},
          fixedBy: { endpoint: 'the config file /etc/candor/candor.toml' },
        },
        async (url) => {
          await shot(await open(browser, url, scheme, 'settings'), reviewDir, `settings-new-fields-${scheme}`, true);
        },
      );
      await withServer(
        {
          storedChoice: 'decline',
          configFile: { path: '/etc/candor/candor.toml', enabled: false },
          serverState: 'unauthorized',
          history: 3,
          sendFailure: 'timeout',
        },
        async (url) => {
          await shot(await open(browser, url, scheme, 'settings'), reviewDir, `settings-locked-errors-${scheme}`, true);
        },
      );
      await withServer({ storedChoice: 'local', history: 12 }, async (url) => {
        await shot(await open(browser, url, scheme, 'settings'), reviewDir, `settings-local-${scheme}`, true);
      });
      await withServer(
        {
          storedChoice: 'share',
          env: { CANDOR_INSIGHTS_LEVEL: 'basic' },
          scheduler: { role: 'standby', keptBy: { label: 'candor run', pid: 913, since: '2026-11-20T08:00:00.000Z' } },
        },
        async (url) => {
          await shot(await open(browser, url, scheme, 'settings'), reviewDir, `settings-level-locked-${scheme}`, true);
        },
      );
      await withServer({ storedChoice: 'share', history: 3 }, async (url) => {
        const page = await open(browser, url, scheme, 'settings');
        await page.getByRole('radio', { name: /^Basic/ }).check();
        await page.getByLabel('Server address').fill('http://localhost:4533');
        await page.getByRole('button', { name: 'Save connection' }).click();
        await page.getByRole('button', { name: 'Export for a machine without internet' }).click();
        await page.getByRole('button', { name: 'Delete my data at the collector…' }).click();
        await page.getByRole('button', { name: 'Delete at the collector' }).click();
        await page.waitForSelector('[data-testid="deletion-result"]');
        await shot(page, reviewDir, `settings-actions-${scheme}`, true);
      });
      await withServer({ storedChoice: 'share', storedCategories: ['application', 'system'], history: 20 }, async (url) => {
        const page = await open(browser, url, scheme, 'preview');
        await page.waitForSelector('[data-testid="payload-sha256"]');
        await shot(page, reviewDir, `preview-basic-${scheme}`);
      });
      // A server on another machine: where it runs, and what that leaves out, on every screen that says it.
      const remote: FakeApiOptions = {
        server: { url: 'http://192.168.1.50:4533', username: 'admin', password: 'correct horse' },
        reachableUrls: ['http://192.168.1.50:4533'],
      };
      await withServer({ ...remote, storedChoice: 'share', history: 3 }, async (url) => {
        const preview = await open(browser, url, scheme, 'preview');
        await preview.waitForSelector('[data-testid="payload-sha256"]');
        await shot(preview, reviewDir, `preview-remote-${scheme}`, true);
        await shot(await open(browser, url, scheme, 'settings'), reviewDir, `settings-remote-${scheme}`, true);
      });
      await withServer({ ...remote, storedChoice: null, history: 0 }, async (url) => {
        const page = await open(browser, url, scheme);
        await page.getByRole('button', { name: /^Next$/ }).click();
        await page.getByRole('button', { name: 'Test connection' }).click();
        await page.waitForSelector('.connection-result');
        await shot(page, reviewDir, `wizard-server-remote-${scheme}`, true);
      });
      await withServer({ storedChoice: 'share', serverState: 'unreachable', history: 0 }, async (url) => {
        await shot(await open(browser, url, scheme, 'preview'), reviewDir, `preview-unreachable-${scheme}`, true);
      });
      await withServer({ storedChoice: 'share', history: 0 }, async (url) => {
        await shot(await open(browser, url, scheme, 'history'), reviewDir, `history-empty-${scheme}`, true);
      });
      await withServer({ storedChoice: 'share', serverState: 'unreachable', history: 4, sendFailure: 'server-not-read' }, async (url) => {
        // A report about a server that could not be read: not sent, shown where other failures are.
        const page = await open(browser, url, scheme, 'settings');
        await page.getByRole('button', { name: 'Send now' }).click();
        await page
          .locator('#main')
          .getByText(/^Not sent: /)
          .waitFor();
        await shot(page, reviewDir, `settings-not-sent-${scheme}`, true);
        const history = await open(browser, url, scheme, 'history');
        await history.getByRole('option').first().click();
        await history.getByRole('heading', { name: /^Attempt of/ }).waitFor();
        await shot(history, reviewDir, `history-not-sent-${scheme}`);
      });
      await withServer({ storedChoice: 'share', history: 50 }, async (url) => {
        const page = await open(browser, url, scheme, 'history');
        await page.getByRole('option').nth(3).click();
        await page.getByRole('button', { name: 'Compare with previous' }).click();
        await page.waitForSelector('#compare-title');
        await page.locator('#entry-title').scrollIntoViewIfNeeded();
        await shot(page, reviewDir, `history-compare-${scheme}`);
      });
      await withServer({ storedChoice: 'share', history: 400 }, async (url) => {
        const page = await open(browser, url, scheme, 'history');
        await page.getByRole('checkbox', { name: /^Failed or unanswered/ }).check();
        await page.getByLabel('Text in the exact bytes').fill('"numCPU":4');
        await page.waitForSelector('.search-status:has-text("attempts match")');
        await shot(page, reviewDir, `history-search-${scheme}`);
      });
      await withServer({ storedChoice: 'share', history: 400, endpoint: 'https://collector.example.org/collect', collectorAccess: 'foreign' }, async (url) => {
        const page = await open(browser, url, scheme, 'history');
        await page.getByRole('button', { name: 'Check what the collector holds' }).click();
        await page.waitForSelector('[data-testid="collector-check-result"]');
        await shot(page, reviewDir, `history-collector-check-${scheme}`, true);
      });
      await withServer(
        { storedChoice: 'share', history: 5, guardFailure: { field: 'library.activePlayers', reason: 'looks like a host name' } },
        async (url) => {
          await shot(await open(browser, url, scheme, 'preview'), reviewDir, `preview-guard-${scheme}`, true);
        },
      );
      await withServer({ storedChoice: 'share' }, async (url, api) => {
        api.failNext('getStatus', new ApiError('unavailable', NOT_ANSWERING), Infinity);
        await shot(await open(browser, url, scheme), reviewDir, `boot-failed-${scheme}`, true);
      });
      {
        const api = createFakeApi({ storedChoice: 'share', now: () => NOW });
        const server = await startServe({ api, staticDir: buildRenderer() });
        const page = await open(browser, server.url, scheme, 'preview');
        await page.waitForSelector('[data-testid="payload-sha256"]');
        await server.close();
        await page.waitForSelector('.linkbar');
        await shot(page, reviewDir, `agent-gone-${scheme}`);
      }
    }
  } finally {
    await browser.close();
  }
  return written;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  takeScreenshots({ all: process.argv.includes('--all') }).then(
    (files) => process.stdout.write(`${files.length} screenshots written\n`),
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
