/**
 * Usage through the real `bin/candor.js`: the version, help, and bad usage answered in one line
 * with exit 2 before anything is loaded or written (no data folder is created).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_VERSION } from '../../../core/version';
import { tempHome } from '../../support/agent-harness';
import { candor } from '../../support/cli';

/** A data folder path that does not exist yet: any command that touches it would create it. */
function untouchedHome(): { env: Record<string, string>; dir: string } {
  const dir = path.join(tempHome('candor-usage-'), 'data');
  return { env: { CANDOR_HOME: dir }, dir };
}

describe('candor usage', () => {
  it('`--version` and `-v` print the version alone and exit 0, before or after a command', async () => {
    for (const args of [['--version'], ['-v'], ['status', '--version']]) {
      const { env, dir } = untouchedHome();
      const result = await candor(args, env);
      expect(result, args.join(' ')).toMatchObject({ code: 0, stdout: `${AGENT_VERSION}\n`, stderr: '' });
      expect(existsSync(dir)).toBe(false);
    }
    // One version for the package, the command lines and the reports.
    expect(AGENT_VERSION).toBe((JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string }).version);
  });

  it('`--help` prints the usage with exit 0; no command prints it with exit 2; neither creates the data folder', async () => {
    const { env, dir } = untouchedHome();
    const help = await candor(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: candor <command>/);
    expect(help.stdout).toContain(`CANDOR_HOME            Data folder (default: ${dir})`);
    const none = await candor([], env);
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/Usage: candor <command>/);
    expect(existsSync(dir)).toBe(false);
  });

  it('bad usage exits 2 with one clean line naming the problem, and creates no data folder', async () => {
    const cases: Array<[string[], string]> = [
      [['frobnicate'], 'candor: unknown command "frobnicate" (see candor --help)'],
      [['status', '--colour'], 'candor: unknown option --colour (see candor --help)'],
      [['-x', 'status'], 'candor: unknown option -x (see candor --help)'],
      [['status', '--json=yes'], 'candor: --json takes no value (see candor --help)'],
      [['serve', '--port'], 'candor: --port needs a value (see candor --help)'],
      [['serve', '--port', '--json'], 'candor: --port needs a value (see candor --help)'],
      [['serve', '--port', 'eighty'], 'candor: --port takes a number from 0 to 65535 (see candor --help)'],
      [['serve', '--port=70000'], 'candor: --port takes a number from 0 to 65535 (see candor --help)'],
      [['consent', 'perhaps'], 'candor: consent takes full, basic, local or no (yes means full) (see candor --help)'],
      [['consent'], 'candor: consent takes full, basic, local or no (yes means full) (see candor --help)'],
      [['--share', '--no-share', 'send'], 'candor: --share and --no-share contradict each other (see candor --help)'],
      [['--share=no', '--share', 'send'], 'candor: --share and --no-share contradict each other (see candor --help)'],
      // A control character in a word is shown, not obeyed: the message stays one line.
      [['status', '--a\nb'], 'candor: unknown option --a?b (see candor --help)'],
      [['fro\u001b[2Jb'], 'candor: unknown command "fro?[2Jb" (see candor --help)'],
    ];
    for (const [args, message] of cases) {
      const { env, dir } = untouchedHome();
      const result = await candor(args, env);
      expect(result.code, JSON.stringify(args)).toBe(2);
      expect(result.stderr, JSON.stringify(args)).toBe(`${message}\n`);
      expect(result.stdout).toBe('');
      expect(existsSync(dir), JSON.stringify(args)).toBe(false);
    }
  });
});
