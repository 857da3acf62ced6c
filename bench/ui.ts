// UI benchmarks, measured in Chromium against `candor serve` over the fake agent:
//   - history: time to interactive with 10,000 entries (from navigation start to the first rows
//     painted and the main thread free again), against a baseline that shows the same 10,000 rows
//     without windowing (plain DOM, no React: cheaper per row than any framework);
//   - preview: time from clicking Refresh to the new bytes painted, against the bare API round
//     trip of the same call (no rendering).
// `npx tsx bench/ui.ts` prints the table; `benchUi()` returns the rows.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startServe, type ServeHandle } from '../electron/headless/serve/server';
import { launchChromium } from '../test/e2e/support/browser';
import { buildRenderer } from '../test/e2e/support/build';
import { createFakeApi } from '../test/support/fake-api';
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

export async function benchUi(): Promise<BenchResult[]> {
  const staticDir = buildRenderer();
  const api = createFakeApi({ storedChoice: 'share', history: HISTORY_ENTRIES });
  const server = await startServe({ api, staticDir });
  const browser = await launchChromium();
  try {
    return [...(await historyRuns(browser, server, staticDir)), ...(await previewRuns(browser, server))];
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
