import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../shared/api-contract';
import { ApiError, checkApiInput, dispatch } from '../../shared/api-contract';
import { createAxiosHttpClient } from '../../core/net/axios-http-client';
import type { Logger } from '../../core/platform';
import { sha256Hex } from '../../core/report/encode';
import { CANDOR_FIELD_PATHS, type Payload } from '../../shared/schema/payload';
import type { PersistedState } from '../../core/state/state-schema';
import { configWith, makeAgent, tempHome } from '../support/agent-harness';
import { fakeSources } from '../support/fake-sources';
import { parseJson } from '../support/json';
import { textContaining, textMatching } from '../support/matchers';
import { loopbackServer } from '../support/loopback';
import { canMount, mountTmpfs } from '../support/storage';

const http = createAxiosHttpClient();
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((c) => c()));
  cleanup = [];
});

async function receiver(status = 204) {
  const server = await loopbackServer((_req, res) => res.writeHead(status).end());
  cleanup.push(server.close);
  return server;
}

describe('the agent', () => {
  it('sends the previewed bytes, logs the same bytes, and the hashes agree', async () => {
    const collector = await receiver();
    const { agent } = await makeAgent({ http, config: configWith({ endpoint: `${collector.url}/collect` }) });
    await agent.setConsent({ choice: 'share' });
    const preview = await agent.getPreview();
    const outcome = await agent.sendNow();
    expect(outcome.ok).toBe(true);
    const sent = collector.received[0]!.body;
    const logged = await agent.getHistoryEntry({ id: outcome.entry!.id });
    expect(sent).toBe(preview.text);
    expect(logged.body).toBe(sent);
    expect(logged.sha256).toBe(sha256Hex(sent));
    expect(logged.sha256).toBe(preview.sha256);
    expect(logged).toMatchObject({ outcome: 'sent', status: 204, trigger: 'manual', endpoint: `${collector.url}/collect` });
    const status = await agent.getStatus();
    expect(status.schedule.lastAttempt).toMatchObject({ ok: true, status: 204 });
    expect(status.schedule.lastSuccessAt).not.toBeNull();
  });

  it('sends nothing on the desktop before the wizard is answered', async () => {
    const collector = await receiver();
    const { agent } = await makeAgent({ http, shell: 'desktop', config: configWith({ endpoint: `${collector.url}/collect` }) });
    const outcome = await agent.sendNow();
    expect(outcome).toMatchObject({ ok: false, message: textMatching(/waits for your answer to the first-run question/) });
    expect(collector.received).toHaveLength(0);
    expect((await agent.getStatus()).consent.paused?.reason).toBe('awaiting-answer');
  });

  it('headless and unanswered, even `send` waits until 30 minutes after `candor run` or `serve` first started', async () => {
    const collector = await receiver();
    const { agent, clock } = await makeAgent({ http, config: configWith({ endpoint: `${collector.url}/collect` }) });
    // No long-running shell has started yet: the notice has not been shown, so nothing may go.
    expect((await agent.getStatus()).consent.paused).toEqual({ reason: 'headless-grace' });
    expect((await agent.sendNow()).ok).toBe(false);
    await agent.start();
    const waiting = await agent.getStatus();
    expect(Date.parse(waiting.consent.paused!.until!)).toBe(clock.now() + 30 * 60_000);
    expect(Date.parse(waiting.schedule.nextDueAt!)).toBeGreaterThanOrEqual(Date.parse(waiting.consent.paused!.until!));
    expect((await agent.sendNow()).ok).toBe(false);
    await agent.stop();
    await clock.advance(31 * 60_000);
    expect((await agent.sendNow()).ok).toBe(true);
    // The fields shown at start-up count as approved from then on.
    expect((await agent.getStatus()).consent.paused).toBeNull();
  });

  it('never sends when a config setting says no, whatever the wizard said, and says which setting', async () => {
    const collector = await receiver();
    const { agent } = await makeAgent({ http, env: { DO_NOT_TRACK: '1' }, config: configWith({ endpoint: `${collector.url}/collect` }) });
    const status = await agent.setConsent({ choice: 'share' });
    expect(status.consent).toMatchObject({ sharing: false, locked: true, storedChoice: 'share' });
    expect(status.consent.decidedByLabel).toContain('DO_NOT_TRACK');
    expect((await agent.sendNow()).ok).toBe(false);
    expect(collector.received).toHaveLength(0);
  });

  it('pauses for new fields until they are approved', async () => {
    const collector = await receiver();
    const home = tempHome();
    const first = await makeAgent({ http, home, config: configWith({ endpoint: `${collector.url}/collect` }) });
    await first.agent.setConsent({ choice: 'share' });
    // Pretend the user agreed under an older version that did not have `uptime`.
    const stateFile = path.join(home, 'state.json');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const state = parseJson<PersistedState>(readFileSync(stateFile, 'utf8'));
    state.consent.approvedFields = CANDOR_FIELD_PATHS.filter((f) => f !== 'uptime');
    writeFileSync(stateFile, JSON.stringify(state));
    const { agent } = await makeAgent({ http, home, config: configWith({ endpoint: `${collector.url}/collect` }) });
    const status = await agent.getStatus();
    expect(status.consent.paused).toEqual({ reason: 'new-fields', fields: ['uptime'] });
    expect((await agent.sendNow()).ok).toBe(false);
    await expect(agent.approveFields({ fields: ['no.such.field'] })).rejects.toBeInstanceOf(ApiError);
    expect((await agent.approveFields({ fields: ['uptime'] })).consent.paused).toBeNull();
    expect((await agent.sendNow()).ok).toBe(true);
  });

  it('refuses to send a payload the guard rejects, and logs the refusal', async () => {
    const collector = await receiver();
    const sources = fakeSources({
      server: () =>
        Promise.resolve({
          api: 'native-api',
          library: { tracks: 1, activePlayers: { 'Zoidberg Phone': 1 } },
          health: { source: 'server', state: 'ok', message: 'ok' },
          sensitive: [{ kind: 'name', value: 'Zoidberg Phone' }],
        }),
    });
    const { agent } = await makeAgent({ http, sources, config: configWith({ endpoint: `${collector.url}/collect` }) });
    await agent.setConsent({ choice: 'share' });
    const outcome = await agent.sendNow();
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/privacy guard.*library\.activePlayers/);
    expect(outcome.message).not.toMatch(/zoidberg/i);
    expect(collector.received).toHaveLength(0);
    expect((await agent.listHistory({ offset: 0, limit: 5 })).entries[0]).toMatchObject({ outcome: 'refused', errorClass: 'refused-by-guard' });
  });

  it('records failures with their class and keeps the preview', async () => {
    const collector = await receiver(503);
    const { agent } = await makeAgent({ http, config: configWith({ endpoint: `${collector.url}/collect` }) });
    await agent.setConsent({ choice: 'share' });
    const outcome = await agent.sendNow();
    expect(outcome).toMatchObject({ ok: false });
    const status = await agent.getStatus();
    expect(status.schedule).toMatchObject({ consecutiveFailures: 1, lastSuccessAt: null, lastAttempt: { ok: false, status: 503, errorClass: 'http-5xx' } });
    expect(status.schedule.nextDueAt).not.toBeNull();
  });

  it('does not send when the data folder cannot be written: every report must be logged first', async () => {
    const collector = await receiver();
    const parent = tempHome();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(parent, 'blocker'), '');
    // A data folder below a file can never be created: the strongest "cannot write" there is.
    const { agent } = await makeAgent({
      http,
      env: { CANDOR_INSIGHTS_ENABLED: 'true' },
      home: path.join(parent, 'blocker', 'home'),
      config: configWith({ endpoint: `${collector.url}/collect` }),
    });
    const outcome = await agent.sendNow();
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/could not be logged/);
    expect(collector.received).toHaveLength(0);
    // The cause, with the folder and the file in its way: not a permission problem.
    const blocker = path.join(parent, 'blocker');
    expect(outcome.message).toContain(`the data folder ${path.join(blocker, 'home')} cannot be used (${blocker} is a file, not a folder)`);
    expect((await agent.getStatus()).warnings).toContain(
      `Nothing can be saved or sent while the data folder ${path.join(blocker, 'home')} cannot be used (${blocker} is a file, not a folder): every report must be logged before it leaves.`,
    );
  });

  it('an answer that cannot be saved is an error, and a "no" still holds in this process', async () => {
    const parent = tempHome();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(parent, 'blocker'), '');
    const collector = await receiver();
    const { agent } = await makeAgent({ http, home: path.join(parent, 'blocker', 'home'), config: configWith({ endpoint: `${collector.url}/collect` }) });
    await expect(agent.setConsent({ choice: 'share' })).rejects.toMatchObject({
      code: 'unavailable',
      message: textMatching(/could not be saved.*Nothing changed/),
    });
    await expect(agent.setConsent({ choice: 'decline' })).rejects.toMatchObject({ code: 'unavailable', message: textMatching(/"no" could not be saved/) });
    const status = await agent.getStatus();
    expect(status.consent).toMatchObject({ sharing: false, decidedByLabel: textMatching(/not saved yet/) });
    expect((await agent.sendNow()).ok).toBe(false);
    expect(collector.received).toHaveLength(0);
  });

  it.runIf(canMount())('keeps running on a read-only data folder and says why nothing is sent', async () => {
    const collector = await receiver();
    const mount = mountTmpfs({ readOnly: true });
    cleanup.push(() => Promise.resolve(mount.unmount()));
    const { agent } = await makeAgent({
      http,
      env: { CANDOR_INSIGHTS_ENABLED: 'true' },
      home: mount.dir,
      config: configWith({ endpoint: `${collector.url}/collect` }),
    });
    expect((await agent.getStatus()).consent.sharing).toBe(true);
    const outcome = await agent.sendNow();
    expect(outcome.message).toMatch(/read-only/);
    expect(collector.received).toHaveLength(0);
  });

  it.runIf(canMount())('does not spin on a full disk: attempts that cannot be logged back off', async () => {
    const mount = mountTmpfs({ full: true });
    cleanup.push(() => Promise.resolve(mount.unmount()));
    let tries = 0;
    const logger: Logger = { log: (_level, message) => void (message === 'report not sent: the attempt could not be logged' && tries++) };
    const { agent, clock } = await makeAgent({ http, logger, env: { CANDOR_INSIGHTS_ENABLED: 'true' }, home: mount.dir });
    clock.afterTimer = () => agent.idle();
    await agent.start();
    await clock.advance(24 * 3600_000);
    await agent.stop();
    // Backing off from 5 minutes to 6 hours: a handful of tries in a day, not thousands.
    expect(tries).toBeGreaterThan(2);
    expect(tries).toBeLessThan(15);
  });

  it('pushes status, preview and history events to subscribers, and a throwing listener hurts no one', async () => {
    const collector = await receiver();
    const { agent } = await makeAgent({ http, config: configWith({ endpoint: `${collector.url}/collect` }) });
    const events: AgentEvent['type'][] = [];
    agent.subscribe(() => {
      throw new Error('broken listener');
    });
    const unsubscribe = agent.subscribe((e) => events.push(e.type));
    await agent.setConsent({ choice: 'share' });
    await agent.sendNow();
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(expect.arrayContaining(['status', 'preview', 'history']));
    unsubscribe();
    await agent.stop();
  });

  it('refuses settings fixed by the config file, naming the file', async () => {
    const { agent } = await makeAgent({ http, config: configWith({ path: '/etc/candor.toml', endpoint: 'https://fixed.example/collect' }) });
    await expect(agent.updateSettings({ endpoint: 'https://other.example/collect' })).rejects.toMatchObject({
      code: 'locked',
      message: textContaining('/etc/candor.toml'),
    });
    expect((await agent.getStatus()).settings.fixedBy.endpoint).toContain('/etc/candor.toml');
  });

  it('validates settings: no plain-http endpoints elsewhere, no odd server URLs', async () => {
    const { agent } = await makeAgent({ http, config: configWith({ endpoint: undefined, server: {} }) });
    await expect(agent.updateSettings({ endpoint: 'http://insights.example.org/collect' })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(agent.updateSettings({ server: { url: 'ftp://x' } })).rejects.toMatchObject({ code: 'invalid-input' });
    const status = await agent.updateSettings({ server: { url: 'http://127.0.0.1:4533/', username: 'admin', password: 'pw' }, historyRetentionDays: 30 });
    expect(status.settings.server).toMatchObject({ url: 'http://127.0.0.1:4533', username: 'admin', passwordStorage: 'private-file' });
    expect(JSON.stringify(status)).not.toContain('"pw"');
  });

  it('shows the id that will be sent from the very first preview, before any answer', async () => {
    const collector = await receiver();
    const { agent } = await makeAgent({ http, config: configWith({ endpoint: `${collector.url}/collect` }) });
    const preview = await agent.getPreview();
    const id = parseJson<Payload>(preview.text).id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(preview.omitted.map((o) => o.path)).not.toContain('id');
    expect((await agent.getStatus()).instanceId).toBe(id);
    await agent.setConsent({ choice: 'share' });
    expect((await agent.sendNow()).ok).toBe(true);
    expect(parseJson<Payload>(collector.received[0]!.body).id).toBe(id);
    expect(collector.received[0]!.body).toBe(preview.text);
  });

  it('keeps the instance id stable until reset, and a reset gives a new random one', async () => {
    const { agent } = await makeAgent({ http });
    expect((await agent.getStatus()).instanceId).toBeNull();
    const first = (await agent.setConsent({ choice: 'share' })).instanceId;
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect((await agent.setConsent({ choice: 'share' })).instanceId).toBe(first);
    const second = (await agent.resetInstanceId()).instanceId;
    expect(second).not.toBe(first);
    expect(parseJson<Payload>((await agent.refreshPreview()).text).id).toBe(second);
  });

  it('validates every input crossing the contract', async () => {
    const { agent } = await makeAgent({ http });
    await expect(dispatch(agent, 'setConsent', { choice: 'maybe' })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(dispatch(agent, 'listHistory', { offset: 0, limit: 1e9 })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(dispatch(agent, 'constructor', {})).rejects.toMatchObject({ code: 'unknown-method' });
    await expect(dispatch(agent, 'getStatus', { sneaky: 1 })).rejects.toMatchObject({ code: 'invalid-input' });
    expect(() => checkApiInput('updateSettings', { server: { url: 'x', extra: 1 } })).toThrow(ApiError);
    await expect(dispatch(agent, 'setConsent', { choice: 'decline' })).resolves.toMatchObject({ consent: { sharing: false } });
  });
});
