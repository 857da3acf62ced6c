/**
 * What every e2e file shares: one Chromium for the whole file, one `candor serve` server over an
 * agent slot (each test puts its own fake agent in it), and a new browser context and page per
 * test, closed after it. Pages record console errors and CSP violations, which must stay empty.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startServe, type ServeHandle } from '../../../headless/serve/server';
import { createFakeApi, type FakeApiOptions, type FakeCandorApi } from '../../support/fake-api';
import { AgentSlot } from './agent-slot';
import { launchChromium } from './browser';
import { buildRenderer } from './build';

export type Scheme = 'light' | 'dark';
export const SCHEMES: readonly Scheme[] = ['light', 'dark'];

/** The page may be slow when the machine is busy: wait longer than expect.poll's default second. */
export const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000 });

export interface OpenPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen by the page: must stay empty. */
  problems: string[];
}

export interface Session extends OpenPage {
  fake: FakeCandorApi;
  server: ServeHandle;
}

export interface E2e {
  browser(): Browser;
  /** The file's server (over the slot). */
  server(): ServeHandle;
  staticDir(): string;
  /** Closed after the test. */
  track(context: BrowserContext): void;
  /** A page at `route` of the server at `baseUrl` (the file's by default), showing whatever agent is in the slot. */
  openAt(baseUrl: string, route?: string, scheme?: Scheme): Promise<OpenPage>;
  /** A new fake agent with `options`, put in the slot (no page). */
  agent(options?: FakeApiOptions): { fake: FakeCandorApi; server: ServeHandle };
  /** A new fake agent with `options`, put in the slot, and a page on it (a function, not a method: tests take it out). */
  open: (options?: FakeApiOptions, route?: string, scheme?: Scheme) => Promise<Session>;
}

export function e2eSessions(): E2e {
  let browser: Browser;
  let server: ServeHandle;
  let staticDir: string;
  const slot = new AgentSlot();
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    staticDir = buildRenderer();
    [browser, server] = await Promise.all([launchChromium(), startServe({ api: slot.api, staticDir })]);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await browser?.close();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  const openAt = async (baseUrl: string, route = '', scheme: Scheme = 'light'): Promise<OpenPage> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme, acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(route ? baseUrl.replace('#token=', `#/${route}?token=`) : baseUrl);
    await page.waitForSelector('main h1');
    return { context, page, problems };
  };

  return {
    browser: () => browser,
    server: () => server,
    staticDir: () => staticDir,
    track: (context) => void contexts.push(context),
    openAt,
    agent: (options = {}) => ({ fake: slot.use(createFakeApi(options)), server }),
    open: async (options = {}, route = '', scheme = 'light') => {
      const fake = slot.use(createFakeApi(options));
      return { fake, server, ...(await openAt(server.url, route, scheme)) };
    },
  };
}
