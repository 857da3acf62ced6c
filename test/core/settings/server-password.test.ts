/**
 * The stored password goes only where it was saved for: a server's origin (scheme, host, port).
 * Real loopback servers record every sign-in they receive, so a password sent anywhere else shows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAxiosHttpClient } from '../../../core/net/axios-http-client';
import type { PersistedState } from '../../../core/state/state-schema';
import { configWith, makeAgent } from '../../support/agent-harness';
import { parseJson } from '../../support/json';
import { textMatching } from '../../support/matchers';
import { loopbackServer } from '../../support/loopback';
import { startNavidromeTestServer, type NavidromeTestServer } from '../../support/navidrome';

const http = createAxiosHttpClient();
const PASSWORD = 'alice-canary-pass';
let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((c) => c()));
  cleanup = [];
});

async function navidrome(): Promise<NavidromeTestServer> {
  const server = await startNavidromeTestServer();
  cleanup.push(() => server.close());
  return server;
}

/** Any HTTP server that remembers every body it was sent. */
async function listener() {
  const server = await loopbackServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"no"}'));
  cleanup.push(server.close);
  return server;
}

async function agentFor(url: string) {
  const { agent } = await makeAgent({ http, sources: undefined, config: configWith({ server: {} }) });
  await agent.updateSettings({ server: { url, username: 'canary-admin-alice', password: PASSWORD } });
  return agent;
}

describe('the stored password stays with its server', () => {
  it('a changed address does not take the password with it: it must be typed again', async () => {
    const real = await navidrome();
    const other = await listener();
    const agent = await agentFor(real.url);
    expect((await agent.getStatus()).settings.server).toMatchObject({ passwordStorage: 'private-file', passwordForThisServer: true });
    const status = await agent.updateSettings({ server: { url: other.url } });
    expect(status.settings.server).toMatchObject({ url: other.url, passwordForThisServer: false });
    await agent.refreshPreview();
    expect(other.received.map((r) => r.body).join('\n')).not.toContain(PASSWORD);
    // Back to the server it was saved for: it is used again.
    expect((await agent.updateSettings({ server: { url: real.url } })).settings.server.passwordForThisServer).toBe(true);
  });

  it('a connection test against another address without a password sends nothing and asks for it', async () => {
    const real = await navidrome();
    const other = await listener();
    const agent = await agentFor(real.url);
    const result = await agent.testConnection({ url: other.url, username: 'canary-admin-alice' });
    expect(result.ok).toBe(false);
    expect(result.checks).toEqual([{ name: 'login', state: 'failed', message: textMatching(/Type the password for this address/) }]);
    expect(other.received).toHaveLength(0);
    // The same origin spelled differently (a path, a trailing slash) is the same server.
    expect((await agent.testConnection({ url: `${real.url}/`, username: 'canary-admin-alice' })).ok).toBe(true);
    // With the password typed, the other address gets it: the user chose to send it there.
    await agent.testConnection({ url: other.url, username: 'canary-admin-alice', password: 'typed-for-other' });
    expect(other.received.map((r) => r.body).join('\n')).toContain('typed-for-other');
  });

  it('a password saved before origins were kept belongs to the address of then', async () => {
    const real = await navidrome();
    const other = await listener();
    const { agent, home } = await makeAgent({ http, sources: undefined, config: configWith({ server: {} }) });
    await agent.updateSettings({ server: { url: real.url, username: 'canary-admin-alice', password: PASSWORD } });
    const { readFileSync, writeFileSync } = await import('node:fs');
    const file = `${home}/state.json`;
    const state = parseJson<PersistedState>(readFileSync(file, 'utf8'));
    delete state.settings.passwordOrigin;
    writeFileSync(file, JSON.stringify(state));
    expect((await agent.getStatus()).settings.server.passwordForThisServer).toBe(true);
    await agent.updateSettings({ server: { url: other.url } });
    await agent.refreshPreview();
    expect(other.received.map((r) => r.body).join('\n')).not.toContain(PASSWORD);
  });

  it('refuses an address with a user name or password in it, never quoting it back', async () => {
    const { agent } = await makeAgent({ http, config: configWith({ server: {} }) });
    const error = await agent.updateSettings({ server: { url: 'http://admin:s3cret-canary@127.0.0.1:4533' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid-input', message: textMatching(/must not hold a user name or password/) });
    expect((error as Error).message).not.toContain('s3cret-canary');
    const test = await agent.testConnection({ url: 'http://admin:s3cret-canary@127.0.0.1:9', username: 'a', password: 'b' });
    expect(test).toMatchObject({ ok: false, checks: [{ name: 'reach', state: 'failed' }] });
    expect(JSON.stringify(test)).not.toContain('s3cret-canary');
  });

  it('a connection test of an address that is not http(s) says so instead of "reach: ok"', async () => {
    const { agent } = await makeAgent({ http, config: configWith({ server: {} }) });
    for (const url of ['ftp://127.0.0.1:4533', 'navidrome.local:4533']) {
      const result = await agent.testConnection({ url, username: 'a', password: 'b' });
      expect(result).toMatchObject({
        ok: false,
        checks: [{ name: 'reach', state: 'failed', message: textMatching(/must start with http:\/\/ or https:\/\//) }],
      });
    }
  });
});
