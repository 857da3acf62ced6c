// The whole product, for real: the `candor serve` command (a child process running the real agent),
// the built UI in Chromium, a Navidrome-compatible server, and a loopback receiver for the reports.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentStatus, ApiEnvelope } from '../../shared/api-contract';
import { sha256Hex } from '../../core/report/encode';
import type { Payload } from '../../shared/schema/payload';
import { tempHome } from '../support/agent-harness';
import { parseJson } from '../support/json';
import { loopbackServer } from '../support/loopback';
import { startNavidromeTestServer, type NavidromeTestServer } from '../support/navidrome';
import { launchChromium, seriousViolations } from './support/browser';
import { buildRenderer, ROOT } from './support/build';

let browser: Browser;
let navidrome: NavidromeTestServer;
let receiver: Awaited<ReturnType<typeof loopbackServer>>;
let child: ChildProcess;
let url: string;
let env: NodeJS.ProcessEnv;
let configFile: string;

beforeAll(async () => {
  const staticDir = buildRenderer();
  navidrome = await startNavidromeTestServer();
  receiver = await loopbackServer((_req, res) => res.writeHead(202).end());
  const home = tempHome('candor-e2e-real-');
  configFile = path.join(home, 'candor.toml');
  writeFileSync(configFile, `[insights]\nendpoint = "${receiver.url}/collect"\n`);
  env = { ...process.env, CANDOR_HOME: home, CANDOR_RENDERER_DIR: staticDir, DO_NOT_TRACK: '' };
  child = spawn(process.execPath, [path.join(ROOT, 'bin/candor.js'), 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Candor admin UI: (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`candor serve exited with ${code}`)));
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  child?.kill('SIGTERM');
  await navidrome?.close();
  await receiver?.close();
});

async function apiCall<T>(page: Page, method: string, input?: unknown): Promise<T> {
  const token = new URL(url).hash.replace('#token=', '');
  return page.evaluate(
    async ({ method, input, token }) => {
      const res = await fetch(`/api/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input ?? null),
      });
      const body = (await res.json()) as ApiEnvelope<unknown>;
      if (!body.ok) throw new Error(body.error.message);
      return body.result;
    },
    { method, input, token },
  ) as Promise<T>;
}

describe('candor serve with the real agent', () => {
  it('first run: connect the server, see the exact payload, share; a send lands in the history with the same sha256', async () => {
    // A 24-hour clock, so the badge's time reads the same wherever the test runs.
    const page = await browser.newPage({ locale: 'en-GB' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.getByRole('heading', { level: 1, name: 'What is shared' }).waitFor();

    // Before any choice the badge never says "Sharing on": it says what goes where, and when, if nothing is chosen.
    const before = await apiCall<AgentStatus>(page, 'getStatus');
    const collectorHost = new URL(receiver.url).host;
    const pill = page.getByTestId('status-pill');
    await expect
      .poll(() => pill.textContent())
      .toMatch(new RegExp(`^If you do nothing, the Full report goes to ${collectorHost.replace(/\./g, '\\.')} at \\d\\d:\\d\\d$`));
    expect(await pill.locator('time').getAttribute('datetime')).toBe(before.schedule.nextDueAt);
    expect(before.consent.paused?.reason).toBe('headless-grace');
    expect(Date.parse(before.schedule.nextDueAt!)).toBe(Date.parse(before.consent.paused!.until!));
    expect(await page.getByTestId('wizard-endpoint').textContent()).toBe(`Reports go to ${collectorHost} (${receiver.url}/collect), at most once a day.`);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByLabel('Server address').fill(navidrome.url);
    await page.getByLabel('Admin user name').fill('canary-admin-alice');
    await page.getByLabel('Password').fill('alice-canary-pass');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/Connected to navidrome 0\.58\.0/).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Save and continue' }).click();

    await page.getByRole('heading', { level: 1, name: 'The exact payload' }).waitFor();
    const shown = await page.getByTestId('raw-payload').first().textContent();
    const preview = await apiCall<{ text: string; sha256: string }>(page, 'getPreview');
    expect(shown).toBe(preview.text);
    const payload = parseJson<Payload>(shown!);
    expect(payload.library?.tracks).toBe(navidrome.seed.songs.length);
    expect(payload.version).toBe(navidrome.seed.version);
    expect(shown).not.toMatch(/canary/i);

    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.getByRole('radio', { name: /^Full/ }).isChecked()).toBe(true);
    // The real agent builds the report of the level pointed at: Basic carries no library and no configuration, and the sha256 shown is its bytes'.
    await page.getByRole('radio', { name: /^Basic/ }).check();
    await page
      .locator('.level-preview[aria-busy="false"]')
      .getByText(/^Basic \(application details, system information\):/)
      .waitFor();
    const basic = parseJson<Payload>((await page.getByTestId('raw-payload').textContent())!);
    expect(Object.keys(basic)).toEqual(expect.arrayContaining(['id', 'version', 'os', 'candor']));
    expect(basic).not.toHaveProperty('library');
    expect(basic).not.toHaveProperty('config');
    expect(await page.getByTestId('payload-sha256').textContent()).toBe(sha256Hex((await page.getByTestId('raw-payload').textContent())!));
    await page.getByRole('radio', { name: /^Full/ }).check();
    await page.getByRole('button', { name: 'Save my choice' }).click();
    await page.getByRole('heading', { level: 1, name: 'What would be sent next' }).waitFor();

    // The preview page shows the agent's current bytes exactly.
    await page.getByRole('tab', { name: 'Exact bytes' }).click();
    const current = await apiCall<{ text: string; sha256: string }>(page, 'getPreview');
    await expect.poll(() => page.getByTestId('payload-sha256').textContent()).toBe(current.sha256);

    // Send now from Settings: the receiver gets bytes whose hash is the one in the history.
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Send now' }).click();
    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(1);
    const sent = receiver.received[0]!.body;
    // The receiver has the bytes a moment before the agent has its answer and records it.
    const newest = async () =>
      (await apiCall<{ entries: Array<{ id: string; sha256: string; outcome: string }> }>(page, 'listHistory', { offset: 0, limit: 5 })).entries[0]!;
    await expect.poll(async () => (await newest()).outcome, { timeout: 15_000 }).toBe('sent');
    const history = { entries: [await newest()] };
    expect(history.entries[0]).toMatchObject({ outcome: 'sent', sha256: sha256Hex(sent) });
    const entry = await apiCall<{ body: string }>(page, 'getHistoryEntry', { id: history.entries[0]!.id });
    expect(entry.body).toBe(sent);

    await page.getByRole('navigation').getByRole('link', { name: 'History' }).click();
    await page.getByRole('listbox', { name: 'Attempts, newest first' }).getByRole('option').first().click();
    await page.getByRole('heading', { name: /^Attempt of/ }).waitFor();
    await page.getByText(sha256Hex(sent)).first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  }, 90_000);

  it('`candor preview --json` prints the same bytes the UI shows (only the clock and free memory may move)', async () => {
    const page = await browser.newPage();
    await page.goto(url.replace('#token=', '#/preview?token='));
    await page.getByRole('tab', { name: 'Exact bytes' }).click();
    const shown = parseJson<Payload>((await page.getByTestId('raw-payload').first().textContent())!);
    const cli = await new Promise<string>((resolve) => {
      const p = spawn(process.execPath, [path.join(ROOT, 'bin/candor.js'), 'preview', '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.once('exit', () => resolve(out.trim()));
    });
    const fromCli = parseJson<Payload>(cli);
    const still = (p: Payload) => ({ ...p, uptime: 0, candor: { ...p.candor, hostMemory: null } });
    expect(still(fromCli)).toEqual(still(shown));
  }, 60_000);

  it('an opt-out written in the config file shows in the open page, without a reload; removed, sharing is back', async () => {
    const page = await browser.newPage();
    await page.goto(url.replace('#token=', '#/settings?token='));
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const before = receiver.received.length;

    writeFileSync(configFile, `[insights]\nendpoint = "${receiver.url}/collect"\nenabled = false\n`);
    const locked = page.getByText(`Sharing is off, set by [insights] enabled = false in ${configFile}.`);
    await locked.waitFor();
    expect(await page.getByRole('button', { name: 'Send now' }).isDisabled()).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

    writeFileSync(configFile, `[insights]\nendpoint = "${receiver.url}/collect"\n`);
    await locked.waitFor({ state: 'detached' });
    expect(await page.getByRole('button', { name: 'Send now' }).isDisabled()).toBe(false);
    expect(receiver.received).toHaveLength(before);
  }, 60_000);
});
