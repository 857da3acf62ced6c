/**
 * Private files through the real `bin/candor.js`: a data folder Candor creates is 0700 and every file
 * it writes is 0600 (state, history, the two lock files, the server password), whatever the umask.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempHome } from '../../support/agent-harness';
import { candor, candorLongRunning, serveApi } from '../../support/cli';
import { loopbackServer } from '../../support/loopback';

let collector: Awaited<ReturnType<typeof loopbackServer>>;
beforeAll(async () => {
  collector = await loopbackServer((_req, res) => res.writeHead(200).end('{}'));
});
afterAll(() => collector.close());

let umask: number;
beforeEach(() => {
  // Children inherit it: the most open umask, so every mode seen is the one Candor asked for.
  umask = process.umask(0);
});
afterEach(() => {
  process.umask(umask);
});

const mode = (file: string) => statSync(file).mode & 0o777;

describe('the data folder through the real bin', () => {
  it('is created 0700, and state, history, candor.lock, scheduler.lock and server-password are 0600', async () => {
    const parent = tempHome('candor-private-');
    const home = path.join(parent, 'data');
    const config = path.join(parent, 'candor.toml');
    writeFileSync(config, `[insights]\nendpoint = "${collector.url}/collect"\n`);
    const env = { CANDOR_HOME: home, CANDOR_CONFIG: config };

    expect((await candor(['consent', 'yes'], env)).code).toBe(0);
    // No server is configured: the attempt is not sent, but it is written to the history all the same.
    expect((await candor(['send'], env)).code).toBe(1);

    const run = candorLongRunning(['run'], env, /To opt out/);
    try {
      await run.started;
      expect(await run.stop()).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }

    const serve = candorLongRunning(['serve'], env, /Candor admin UI: (http\S+)/);
    try {
      await serve.started;
      const answer = await serveApi(serve.output().stdout).call('updateSettings', {
        server: { url: 'http://127.0.0.1:9', username: 'admin', password: 'a-password-for-the-test' },
      });
      expect(answer.status).toBe(200);
      expect(await serve.stop()).toBe(0);
    } finally {
      serve.child.kill('SIGKILL');
    }

    expect(mode(home)).toBe(0o700);
    const files = readdirSync(home).sort();
    expect(files).toEqual(expect.arrayContaining(['candor.lock', 'history.jsonl', 'scheduler.lock', 'server-password', 'state.json']));
    for (const file of files) expect(`${file} ${mode(path.join(home, file)).toString(8)}`).toBe(`${file} 600`);
  });
});
