import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { readMemory } from '../../../../core/sources/host';
import { parseMeminfo } from '../../../../core/sources/host/memory';
import { removeTree, writeTree } from './fixtures';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map(removeTree));
});

const MEMINFO = [
  'MemTotal:        8000000 kB',
  'MemFree:          500000 kB',
  'MemAvailable:    6000000 kB',
  'Buffers:          100000 kB',
  'Cached:          2000000 kB',
  'Active(anon):     300000 kB',
  'HugePages_Total:       0',
  '',
].join('\n');

const fakeOs = { totalMem: () => 1111, freeMem: () => 222 };

async function procWith(meminfo?: string) {
  const root = await writeTree(meminfo === undefined ? { '.keep': '' } : { meminfo });
  roots.push(root);
  return { procRoot: root, platform: 'linux' as const, ...fakeOs };
}

describe('parseMeminfo', () => {
  it('reads MemTotal and MemAvailable in bytes', () => {
    expect(parseMeminfo(MEMINFO)).toEqual({ hostTotal: 8000000 * 1024, hostAvailable: 6000000 * 1024 });
  });

  it('estimates available as free + buffers + cached on kernels without MemAvailable', () => {
    const old = MEMINFO.split('\n')
      .filter((l) => !l.startsWith('MemAvailable'))
      .join('\n');
    expect(parseMeminfo(old)?.hostAvailable).toBe((500000 + 100000 + 2000000) * 1024);
  });

  it('gives up without MemTotal', () => {
    expect(parseMeminfo('MemFree: 1 kB\n')).toBeUndefined();
  });
});

describe('readMemory', () => {
  it('reads the fixture meminfo', async () => {
    expect(await readMemory(await procWith(MEMINFO))).toEqual({ hostTotal: 8192000000, hostAvailable: 6144000000 });
  });

  it('falls back to os.totalmem/freemem when meminfo is missing or off Linux', async () => {
    expect(await readMemory(await procWith())).toEqual({ hostTotal: 1111, hostAvailable: 222 });
    expect(await readMemory({ ...(await procWith(MEMINFO)), platform: 'darwin' })).toEqual({
      hostTotal: 1111,
      hostAvailable: 222,
    });
  });

  it('agrees with os.totalmem on this machine', async () => {
    const memory = await readMemory();
    expect(memory.hostTotal).toBe(os.totalmem());
    expect(memory.hostAvailable).toBeGreaterThan(0);
    expect(memory.hostAvailable).toBeLessThanOrEqual(memory.hostTotal);
  });
});
