// UI benchmarks, measured in Chromium against `candor serve` over the fake agent:
//   - history: time to interactive with 10,000 entries (from navigation start to the first rows
//     painted and the main thread free again), against a baseline that shows the same 10,000 rows
//     without windowing (plain DOM, no React: cheaper per row than any framework);
//   - preview: time from clicking Refresh to the new bytes painted, against the bare API round
//     trip of the same call (no rendering);
//   - history search over the 10,000 entries: time from a change in the search (text typed in the
//     bytes field, a result ticked) to the matching rows and their count painted, against the bare
//     `listHistory` round trip with the same filter (the agent's search included, no rendering).
// `npx tsx bench/ui.ts` prints the table; `benchUi()` returns the rows.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startServe, type ServeHandle } from '../headless/serve/server';
import { launchChromium } from '../test/e2e/support/browser';
import { buildRenderer } from '../test/e2e/support/build';
import { ENTRY_LEVELS, type HistoryFilter } from '../shared/api-contract';
import { createFakeApi, type FakeCandorApi } from '../test/support/fake-api';
import { formatBenchTable, percentile, round, type BenchResult } from './measure';

const HISTORY_ENTRIES = 10_000;
const COLD_RUNS = 7;
const WARM_RUNS = 40;
const WARMUP = 3;

function summarize(name: string, times: number[], note?: string): BenchResult {
  const sorted = [...times].sort((a, b) => a - b);
  return { name, medianMs: round(percentile(sorted, 50)), p95Ms: round(percentile(sorted, 95)), runs: sorted.length, ...(note ? { note } : {}) };
}

declare global {
  interface Window {
    __candorHistoryReady?: Promise<number>;
    __baselineReady?: Promise<number>;
  }
}

/** Resolves (in the page) when the first real history row exists and a frame plus a task have passed. */
function installHistoryProbe(): void {
  window.__candorHistoryReady = new Promise<number>((resolve) => {
    const observer = new MutationObserver(() => {
      const option = document.querySelector('[role="option"]');
      if (option && !option.textContent?.includes('Loading')) {
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
      }
    });
    observer.observe(document, { childList: true, subtree: true, characterData: true });
  });
}

function baselineHtml(cssHref: string): string {
  // Same stylesheet and row markup as the real list; every row in the DOM.
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="stylesheet" href="${cssHref}"><title>baseline</title></head>
<body><div class="vlist-header"><span>When</span><span>Why</span><span>Result</span><span>Size</span><span>Took</span></div><div id="list"></div>
<script>
window.__baselineReady = (async () => {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  const rows = [];
  for (let offset = 0; offset < ${HISTORY_ENTRIES}; offset += 1000) {
    const res = await fetch('/api/listHistory', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token }, body: JSON.stringify({ offset, limit: 1000 }) });
    rows.push(...(await res.json()).result.entries);
  }
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const nf = new Intl.NumberFormat();
  const frag = document.createDocumentFragment();
  for (const e of rows) {
    const row = document.createElement('div');
    row.className = 'vlist-row';
    row.setAttribute('role', 'option');
    row.style.position = 'static';
    row.style.height = '40px';
    const cells = [rtf.format(Math.round((Date.parse(e.at) - Date.now()) / 3600000), 'hour'), e.trigger, e.outcome, nf.format(e.size) + ' B', e.durationMs + ' ms'];
    for (const text of cells) { const span = document.createElement('span'); span.textContent = text; row.append(span); }
    frag.append(row);
  }
  document.getElementById('list').append(frag);
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)));
})();
</script></body></html>`;
}

async function historyRuns(browser: Browser, server: ServeHandle, staticDir: string): Promise<BenchResult[]> {
  const candor: number[] = [];
  const baseline: number[] = [];
  const css = readdirSync(path.join(staticDir, 'assets')).find((f) => f.endsWith('.css'));
  const origin = `http://127.0.0.1:${server.port}`;
  for (let i = 0; i < COLD_RUNS; i++) {
    // Alternate, each in a fresh browser context (cold cache), so drift affects both alike.
    {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.addInitScript(installHistoryProbe);
      await page.goto(server.url.replace('#token=', '#/history?token='));
      candor.push(await page.evaluate(() => window.__candorHistoryReady!));
      await context.close();
    }
    {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.route(`${origin}/__bench/baseline.html`, (route) => route.fulfill({ contentType: 'text/html', body: baselineHtml(`/assets/${css}`) }));
      await page.goto(`${origin}/__bench/baseline.html#token=${server.token}`);
      baseline.push(await page.evaluate(() => window.__baselineReady!));
      await context.close();
    }
  }
  return [
    summarize(
      `history/candor windowed list, ${HISTORY_ENTRIES.toLocaleString('en')} entries (cold)`,
      candor,
      'navigation start → first rows painted, main thread free; whole app boot included',
    ),
    summarize(`history/baseline all ${HISTORY_ENTRIES.toLocaleString('en')} rows as plain DOM (cold)`, baseline, 'same data, same CSS, no React, no windowing'),
  ];
}

async function previewRuns(browser: Browser, server: ServeHandle): Promise<BenchResult[]> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page: Page = await context.newPage();
  await page.goto(server.url.replace('#token=', '#/preview?token='));
  await page.getByTestId('payload-sha256').waitFor();
  const render: number[] = [];
  const roundTrip: number[] = [];
  for (let i = 0; i < WARM_RUNS + WARMUP; i++) {
    await page.getByRole('button', { name: 'Refresh' }).waitFor();
    const ms = await page.evaluate(async () => {
      const sha = document.querySelector('[data-testid="payload-sha256"]')!;
      const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Refresh')!;
      const before = sha.textContent;
      const changed = new Promise<void>((resolve) => {
        const observer = new MutationObserver(() => {
          if (document.querySelector('[data-testid="payload-sha256"]')?.textContent !== before) {
            observer.disconnect();
            resolve();
          }
        });
        observer.observe(document.body, { childList: true, characterData: true, subtree: true });
      });
      const started = performance.now();
      button.click();
      await changed;
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return performance.now() - started;
    });
    const base = await page.evaluate(async (token) => {
      const started = performance.now();
      const res = await fetch('/api/refreshPreview', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: 'null',
      });
      await res.json();
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return performance.now() - started;
    }, server.token);
    if (i >= WARMUP) {
      render.push(ms);
      roundTrip.push(base);
    }
  }
  await context.close();
  return [
    summarize('preview/candor Refresh → new bytes painted (warm)', render, 'click → sha256 and text replaced, next frame'),
    summarize('preview/baseline refreshPreview round trip, no rendering (warm)', roundTrip, 'same HTTP call + JSON parse + next frame'),
  ];
}

/** One change to the search and the count line it must end on. */
interface SearchStep {
  kind: 'text' | 'result';
  /** The search text to type, or the result checkbox to click (by its id in OUTCOME_FILTERS order). */
  text?: string;
  click?: number;
  filter: HistoryFilter;
  expect: string;
}

async function searchRuns(browser: Browser, server: ServeHandle, api: FakeCandorApi): Promise<BenchResult[]> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page: Page = await context.newPage();
  await page.goto(server.url.replace('#token=', '#/history?token='));
  await page.locator('.search-status').getByText('attempts, none left out.').waitFor();
  const entries = api.allEntries();
  // A value one report carried (its uptime), and the failures: a narrow text search and a wide result filter.
  const rare = `"uptime":${(JSON.parse(entries[4321]!.body) as { uptime: number }).uptime},`;
  const count = async (filter: HistoryFilter) => (await api.listHistory({ offset: 0, limit: 1, filter })).total;
  const all = `${HISTORY_ENTRIES.toLocaleString('en')} attempts, none left out.`;
  const match = (n: number) => `${n.toLocaleString('en')} of ${HISTORY_ENTRIES.toLocaleString('en')} attempts match.`;
  const steps: SearchStep[] = [
    { kind: 'text', text: rare, filter: { text: rare }, expect: match(await count({ text: rare })) },
    { kind: 'text', text: '', filter: {}, expect: all },
    { kind: 'result', click: 1, filter: { outcomes: ['failed'] }, expect: match(await count({ outcomes: ['failed'] })) },
    { kind: 'result', click: 1, filter: {}, expect: all },
  ];
  const times: Record<SearchStep['kind'], number[]> = { text: [], result: [] };
  const baseline: number[] = [];
  for (let i = 0; i < WARM_RUNS + WARMUP; i++) {
    for (const step of steps) {
      const ms = await page.evaluate(async ({ text, click, expect }) => {
        const status = document.querySelector('.search-status')!;
        const painted = new Promise<void>((resolve, reject) => {
          const observer = new MutationObserver(() => {
            if (status.textContent === expect) {
              observer.disconnect();
              resolve();
            }
          });
          observer.observe(document.body, { childList: true, characterData: true, subtree: true });
          setTimeout(() => reject(new Error(`the search never showed "${expect}" (it shows "${status.textContent}")`)), 20_000);
        });
        const started = performance.now();
        if (click !== undefined) document.querySelectorAll<HTMLInputElement>('.search-choices input[type="checkbox"]')[click]!.click();
        else {
          const input = document.getElementById('search-text') as HTMLInputElement;
          // React listens for the input event; set the value as typing does.
          Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, text);
          input.dispatchEvent(new Event('input', { bubbles: true }));
        }
        await painted;
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        return performance.now() - started;
      }, step);
      const base = await page.evaluate(
        async ({ token, filter }) => {
          const started = performance.now();
          const res = await fetch('/api/listHistory', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
            body: JSON.stringify({ offset: 0, limit: 100, filter }),
          });
          await res.json();
          await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
          return performance.now() - started;
        },
        // Every level named: the same matches, but a search the agent has not just answered, so it searches again.
        { token: server.token, filter: { ...step.filter, levels: [...ENTRY_LEVELS] } },
      );
      if (i >= WARMUP) {
        times[step.kind].push(ms);
        baseline.push(base);
      }
    }
  }
  await context.close();
  const n = HISTORY_ENTRIES.toLocaleString('en');
  return [
    summarize(`search/candor text in the bytes over ${n} entries → rows and count painted (warm)`, times.text, 'one value typed, then cleared'),
    summarize(`search/candor a result ticked over ${n} entries → rows and count painted (warm)`, times.result, '"Failed or unanswered", then unticked'),
    summarize(
      'search/baseline listHistory round trip with the same filters, no rendering (warm)',
      baseline,
      'same HTTP call, agent search + JSON parse + next frame',
    ),
  ];
}

export async function benchUi(): Promise<BenchResult[]> {
  const staticDir = buildRenderer();
  const api = createFakeApi({ storedChoice: 'share', history: HISTORY_ENTRIES });
  const server = await startServe({ api, staticDir });
  const browser = await launchChromium();
  try {
    return [...(await historyRuns(browser, server, staticDir)), ...(await searchRuns(browser, server, api)), ...(await previewRuns(browser, server))];
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchUi().then(
    (rows) => process.stdout.write(`${formatBenchTable(rows)}\n`),
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
