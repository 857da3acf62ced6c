/**
 * A full disk and a read-only data folder, for every command that writes: each says why in one
 * line, exits 1 (or, for `run`, keeps running and says nothing can be sent), sends nothing, and
 * leaves the state exactly as it was. An opt-out that cannot be saved is never reported as saved.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candor, candorLongRunning } from '../../support/cli';
import { loopbackServer } from '../../support/loopback';
import { canMount, mountTmpfs } from '../../support/storage';

let collector: Awaited<ReturnType<typeof loopbackServer>>;
beforeAll(async () => {
  collector = await loopbackServer((_req, res) => res.writeHead(204).end());
});
afterAll(() => collector.close());

const SHARING = JSON.stringify({
  version: 2,
  instanceId: '5a1f3a2e-0c4b-4d7e-9f6a-2b8c1d0e4f5a',
  firstStartAt: 1,
  consent: { choice: 'share', answeredAt: 1 },
  schedules: {},
  settings: { historyRetentionDays: 365 },
});

const problems = [
  ['read-only', { readOnly: true }, /read-only/],
  ['full', { full: true }, /disk .* is full/],
] as const;

describe.runIf(canMount())('a data folder that cannot be written', () => {
  for (const [name, options, reason] of problems) {
    describe(name, () => {
      const withFolder = async (test: (env: Record<string, string>, stateBefore: string) => Promise<void>) => {
        const mount = mountTmpfs({ ...options, seed: { 'state.json': SHARING, 'candor.toml': `[insights]\nendpoint = "${collector.url}/collect"\n` } });
        try {
          await test({ CANDOR_HOME: mount.dir }, SHARING);
          expect(readFileSync(path.join(mount.dir, 'state.json'), 'utf8')).toBe(SHARING);
        } finally {
          mount.unmount();
        }
      };

      for (const args of [['consent', 'no'], ['consent', 'yes'], ['reset-id']]) {
        it(`\`candor ${args.join(' ')}\` exits 1 and says why, in one line`, () =>
          withFolder(async (env) => {
            const result = await candor(args, env);
            expect(result.code).toBe(1);
            expect(result.stdout).not.toMatch(/Saved|New anonymous ID/);
            expect(result.stderr.trim().split('\n')).toHaveLength(1);
            expect(result.stderr).toMatch(reason);
            expect(result.stderr).toContain(`data folder ${env.CANDOR_HOME}`);
          }));
      }

      it('`candor send` sends nothing: the attempt cannot be logged first', () =>
        withFolder(async (env) => {
          const before = collector.received.length;
          const result = await candor(['send'], env);
          expect(result.code).toBe(1);
          expect(result.stderr).toMatch(reason);
          expect(result.stderr).toMatch(/could not be logged/);
          expect(result.stderr).toContain(`data folder ${env.CANDOR_HOME}`);
          expect(result.stderr.trim().split('\n')).toHaveLength(1);
          expect(collector.received).toHaveLength(before);
        }));

      it('`candor send` before the first answer names the folder, and does not offer `candor consent yes`, which could not be saved', async () => {
        const mount = mountTmpfs({ ...options, seed: { 'candor.toml': `[insights]\nendpoint = "${collector.url}/collect"\n` } });
        try {
          const result = await candor(['send'], { CANDOR_HOME: mount.dir });
          expect(result.code).toBe(1);
          expect(result.stderr).toMatch(reason);
          expect(result.stderr).toContain(`data folder ${mount.dir}`);
          expect(result.stderr).not.toMatch(/consent yes/);
          const status = await candor(['status'], { CANDOR_HOME: mount.dir });
          expect(status.stdout).toMatch(/^Sharing: +on, paused: the first report waits until/m);
          expect(status.stdout).not.toMatch(/consent yes/);
        } finally {
          mount.unmount();
        }
      });

      it('`candor status` warns, naming the folder', () =>
        withFolder(async (env) => {
          const result = await candor(['status'], env);
          expect(result.code).toBe(0);
          const warning = result.stdout.split('\n').find((l) => l.startsWith('  ! Nothing can be saved or sent while '));
          expect(warning, result.stdout).toContain(`data folder ${env.CANDOR_HOME}`);
          expect(warning).toMatch(reason);
        }));

      it('`candor run` keeps running, says nothing can be sent, and stops cleanly', () =>
        withFolder(async (env) => {
          const run = candorLongRunning(['run'], env, /Warning: Nothing can be saved or sent/);
          try {
            await run.started;
            expect(run.output().stderr).toMatch(reason);
            expect(run.output().stderr).toContain(`data folder ${env.CANDOR_HOME}`);
            // The cause is the folder, not another process: no "stands by", no `candor consent no` that could not be saved.
            expect(run.output().stdout).not.toMatch(/keeps the daily schedule|stands by|consent no/);
            expect(await run.stop()).toBe(0);
          } finally {
            run.child.kill('SIGKILL');
          }
        }));
    });
  }
});
