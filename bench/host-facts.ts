// Host facts: Candor's readers vs bare Node built-ins vs systeminformation, in one
// run on this machine. `npx tsx bench/host-facts.ts` prints the table.
import { existsSync } from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { filesystemType, readHostFacts, readMemory } from '../core/sources/host';
import { formatBenchTable, installSpawnCounter, measure, round, type BenchResult } from './measure';

export type { BenchResult };

const WARM_RUNS = 50;
const TICK_RUNS = 200;
const SI_RUNS = 10;

/** Four distinct existing folders, preferring ones on different filesystems. */
function benchFolders(): string[] {
  const candidates = [os.tmpdir(), process.cwd(), os.homedir(), '/dev/shm', '/proc', '/'];
  return [...new Set(candidates.filter((folder) => existsSync(folder)))].slice(0, 4);
}

/** The same facts with nothing but built-ins: what any implementation has to pay. */
async function builtInsReport(folders: string[]): Promise<unknown> {
  const [release, ...fsTypes] = await Promise.all([
    fsp.readFile('/etc/os-release', 'utf8').catch(() => ''),
    ...folders.map((folder) => fsp.statfs(folder).then((s) => s.type)),
  ]);
  return [release.length, os.platform(), os.arch(), os.availableParallelism(), os.totalmem(), os.freemem(), fsTypes];
}

async function candorReport(folders: string[]): Promise<unknown> {
  return Promise.all([readHostFacts(), ...folders.map((folder) => filesystemType(folder))]);
}

export async function benchHostFacts(): Promise<BenchResult[]> {
  installSpawnCounter();
  const folders = benchFolders();
  const results: BenchResult[] = [];
  const foldersNote = `folders: ${folders.length}`;

  // Candor's cold run goes first so it, not the baseline, pays for a cold page cache.
  results.push(await measure('report/candor (cold)', 1, () => candorReport(folders), 'first call in this process'));
  results.push(await measure('report/baseline built-ins (cold)', 1, () => builtInsReport(folders)));
  results.push(await measure('report/baseline built-ins (warm)', WARM_RUNS, () => builtInsReport(folders), foldersNote));
  results.push(await measure('report/candor (warm)', WARM_RUNS, () => candorReport(folders), foldersNote));

  results.push(await measure('tick/baseline readFile /proc/meminfo (warm)', TICK_RUNS, () => meminfoBaseline()));
  results.push(await measure('tick/candor readMemory (warm)', TICK_RUNS, () => readMemory()));

  const importStarted = performance.now();
  const si = (await import('systeminformation')).default;
  const importMs = round(performance.now() - importStarted);
  // osInfo's result holds the host name and machine-id; it is measured and dropped, never kept.
  const siReport = () => Promise.all([si.osInfo(), si.cpu(), si.mem(), si.fsSize()]);
  results.push(await measure('report/systeminformation (cold)', 1, siReport, `import took ${importMs} ms, not included`));
  results.push(await measure('report/systeminformation (warm)', SI_RUNS, siReport, 'osInfo+cpu+mem+fsSize'));
  results.push(await measure('tick/systeminformation mem (warm)', TICK_RUNS, () => si.mem()));
  return results;
}

function meminfoBaseline(): Promise<unknown> {
  return process.platform === 'linux' ? fsp.readFile('/proc/meminfo', 'utf8') : Promise.resolve([os.totalmem(), os.freemem()]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchHostFacts();
  console.log(`Node ${process.version}, ${os.platform()}/${os.arch()}, ${os.availableParallelism()} CPUs`);
  console.log(formatBenchTable(rows));
  console.log('max stall = longest event-loop delay sampled every 1 ms; about 1-4 ms is the idle floor.');
}
