/**
 * `candor serve` start-up failures, through the real `bin/candor.js`: one line on stderr, exit 1,
 * and the process ends (it used to print and then hang). None starts the grace period.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../../support/agent-harness';
import type { PersistedState } from '../../../core/state/state-schema';
import { candor } from '../../support/cli';
import { readJson } from '../../support/json';
import { loopbackServer } from '../../support/loopback';

let occupied: Awaited<ReturnType<typeof loopbackServer>>;
beforeAll(async () => {
  occupied = await loopbackServer((_req, res) => res.end());
});
afterAll(() => occupied.close());

describe('`candor serve` that cannot start', () => {
  it('says why in one line, exits 1 without hanging, and starts no grace period', async () => {
    const port = new URL(occupied.url).port;
    const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
      [
        'port in use',
        ['--port', port],
        {},
        new RegExp(
          `^candor: Port ${port} on 127\\.0\\.0\\.1 is already in use \\(another candor serve\\?\\)\\. Choose another with --port, or --port 0 for any free port\\.$`,
        ),
      ],
      [
        'a non-loopback address without --allow-remote',
        ['--host', '0.0.0.0'],
        {},
        /^candor: Refusing to serve on 0\.0\.0\.0: the admin UI listens on this machine only .*--allow-remote\.$/,
      ],
      ['an address this machine does not have', ['--host', '192.0.2.1', '--allow-remote'], {}, /^candor: 192\.0\.2\.1 is not an address of this machine\.$/],
      ['a host name', ['--host', 'example.invalid', '--allow-remote'], {}, /^candor: example\.invalid is not an IP address\./],
      [
        'the UI not built',
        [],
        { CANDOR_RENDERER_DIR: tempHome('candor-no-ui-') },
        /^candor: The admin UI is not built \(no index\.html in .*\)\. Build it with `npm run build:renderer` \(`npm ci` does it\)\.$/,
      ],
    ];
    for (const [name, args, extraEnv, message] of cases) {
      const home = tempHome('candor-serve-fail-');
      const result = await candor(['serve', ...args], { CANDOR_HOME: home, ...extraEnv }, { timeoutMs: 15_000 });
      expect(result.code, name).toBe(1);
      expect(result.stdout, name).toBe('');
      expect(result.stderr.trimEnd().split('\n'), name).toHaveLength(1);
      expect(result.stderr.trimEnd(), name).toMatch(message);
      const state = path.join(home, 'state.json');
      if (existsSync(state)) expect(readJson<PersistedState>(state).firstStartAt, name).toBeUndefined();
    }
  });
});
