import { afterEach, describe, expect, it } from 'vitest';
import { findServerProcess } from '../../../../core/sources/host';
import { parseProcStat } from '../../../../core/sources/host/server-process';
import { removeTree, writeTree } from './fixtures';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map(removeTree));
});

const BTIME = 1_700_000_000;

/** A /proc/PID/stat line: fields 3..24 are state, ppid, …, starttime (22), vsize, rss (24). */
function statLine(pid: number, comm: string, state: string, ppid: number, startTicks: number, rssPages: number): string {
  const middle = Array.from({ length: 17 }, () => '0'); // fields 5..21
  return `${pid} (${comm}) ${state} ${ppid} ${middle.join(' ')} ${startTicks} 123456 ${rssPages} 0 0\n`;
}

const PROC: Record<string, string> = {
  stat: `cpu  1 2 3 4\nintr 5\nbtime ${BTIME}\nprocesses 9\n`,
  '1/stat': statLine(1, 'systemd', 'S', 0, 1, 100),
  '100/stat': statLine(100, 'navidrome', 'S', 1, 250_000, 2000),
  '100/status': 'Name:\tnavidrome\nVmRSS:\t   81920 kB\n',
  '150/stat': statLine(150, 'navidrome', 'S', 100, 300_000, 900), // the scanner child
  '90/stat': statLine(90, 'navidrome', 'Z', 1, 10, 0), // a zombie from an earlier run
  '200/stat': statLine(200, 'tricky) (name', 'S', 1, 5, 1),
  '300/stat': statLine(300, 'navidrome-serve', 'S', 1, 400_000, 10), // comm is cut to 15 chars
  'self/stat': statLine(1, 'ignored', 'S', 0, 0, 0),
};

async function fakeProc(files: Record<string, string> = PROC) {
  const root = await writeTree(files);
  roots.push(root);
  return { procRoot: root, platform: 'linux' as const };
}

describe('findServerProcess', () => {
  it('finds the server, not its scanner child or a zombie, with RSS and start time', async () => {
    const found = await findServerProcess(await fakeProc());
    expect(found).toEqual({ pid: 100, rssBytes: 81920 * 1024, startTime: new Date((BTIME + 250_000 / 100) * 1000) });
  });

  it('honours another clock tick rate', async () => {
    const found = await findServerProcess({ ...(await fakeProc()), clockTicksPerSecond: 1000 });
    expect(found?.startTime).toEqual(new Date((BTIME + 250) * 1000));
  });

  it('matches names longer than the kernel keeps, and falls back to stat RSS pages', async () => {
    const found = await findServerProcess(await fakeProc(), ['navidrome-server-custom']);
    expect(found).toMatchObject({ pid: 300, rssBytes: 10 * 4096 });
  });

  it('parses comm containing spaces and parentheses', async () => {
    expect(parseProcStat(statLine(200, 'tricky) (name', 'S', 1, 5, 1))).toMatchObject({
      comm: 'tricky) (name',
      state: 'S',
      startTicks: 5,
      rssPages: 1,
    });
    expect((await findServerProcess(await fakeProc(), ['tricky) (name']))?.pid).toBe(200);
  });

  it('returns null when nothing matches, procfs is missing, btime is missing or off Linux', async () => {
    const proc = await fakeProc();
    expect(await findServerProcess(proc, ['jellyfin'])).toBeNull();
    expect(await findServerProcess({ ...proc, procRoot: `${proc.procRoot}/nope` })).toBeNull();
    expect(await findServerProcess({ ...proc, platform: 'win32' })).toBeNull();
    const { stat: _, ...noBtime } = PROC;
    expect(await findServerProcess(await fakeProc(noBtime))).toBeNull();
  });

  it.runIf(process.platform === 'linux')('finds this very process by its title on this machine', async () => {
    const previous = process.title;
    process.title = `candor-t${process.pid % 10000}`;
    try {
      const found = await findServerProcess(undefined, [process.title]);
      expect(found?.pid).toBe(process.pid);
      const started = Date.now() - process.uptime() * 1000;
      expect(Math.abs((found?.startTime.getTime() ?? 0) - started)).toBeLessThan(2000);
      expect(found?.rssBytes).toBeGreaterThan(process.memoryUsage().rss / 2);
    } finally {
      process.title = previous;
    }
  });
});
