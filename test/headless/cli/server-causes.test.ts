/**
 * A server that cannot be reached or refuses the sign-in, through the real `bin/candor.js`: `status`
 * shows the server's address and the real cause once (with every source it stopped), and `preview`
 * lists each field left out once, with that cause once.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../../support/agent-harness';
import { candor } from '../../support/cli';
import { closedPort } from '../../support/loopback';
import { startNavidromeTestServer, type NavidromeTestServer } from '../../support/navidrome';

let navidrome: NavidromeTestServer;
beforeAll(async () => {
  navidrome = await startNavidromeTestServer();
});
afterAll(() => navidrome.close());

function home(url: string, password: string): Record<string, string> {
  const dir = tempHome('candor-causes-');
  writeFileSync(path.join(dir, 'candor.toml'), `[server]\nurl = "${url}"\nusername = "canary-admin-alice"\npassword = "${password}"\n`);
  return { CANDOR_HOME: dir };
}

const count = (text: string, part: string) => text.split(part).length - 1;

function leftOutFields(previewText: string): string[] {
  const block = previewText.split('Left out:\n')[1] ?? '';
  return block
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .flatMap((line) => line.trim().split(': ')[0]!.split(', '));
}

describe('a server that cannot be read', () => {
  const cases = [
    {
      name: 'nothing listening',
      url: async () => `http://127.0.0.1:${await closedPort()}`,
      password: 'alice-canary-pass',
      cause: "Nothing answers at the server's address.",
    },
    {
      name: 'a refused password',
      url: () => Promise.resolve(navidrome.url),
      password: 'wrong-password',
      cause: 'The server refused the user name or password.',
    },
  ];
  for (const c of cases) {
    it(`${c.name}: status names the address and the cause once; preview leaves each field out once`, async () => {
      const url = await c.url();
      const env = home(url, c.password);
      const status = await candor(['status'], env);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^Server: +${url.replace(/[.:/]/g, '\\$&')}$`, 'm'));
      expect(count(status.stdout, c.cause)).toBe(1);
      expect(status.stdout).toMatch(new RegExp(`^ {2}server, [a-z, -]+ +failed +${c.cause.replace(/\./g, '\\.')}$`, 'm'));
      expect(status.stdout).not.toMatch(/To read your music server/);

      const preview = await candor(['preview'], env);
      expect(preview.code).toBe(0);
      expect(count(preview.stdout, c.cause)).toBe(1);
      const fields = leftOutFields(preview.stdout);
      expect(fields).toEqual(expect.arrayContaining(['version', 'library']));
      expect(new Set(fields).size).toBe(fields.length);
      // A parent covers its children: `library` is never listed beside `library.tracks`.
      for (const field of fields) expect(fields.filter((other) => other.startsWith(`${field}.`))).toEqual([]);
      expect(preview.stdout).not.toContain(c.password);
    });
  }
});
