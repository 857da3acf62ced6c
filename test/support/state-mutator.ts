/**
 * A child process that applies M random changes to the shared state, each through the real store
 * under the real folder lock, journaling each one inside the lock: the journal's order is the order
 * the changes were really applied in.
 *   node state-mutator.mjs <home> <journal> <seed> <count> <os|pid-file>
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { StateStore } from '../../core/state/state-store';
import { seeded } from './random';
import { applyMutation, randomMutation } from './state-mutations';
import { folderLock } from './storage';

const [home, journal, seedText, countText, kind] = process.argv.slice(2) as [string, string, string, string, 'os' | 'pid-file'];
const next = seeded(Number(seedText));
const store = new StateStore(home, folderLock(home, kind, 60_000), Date.now);
for (let i = 0; i < Number(countText); i++) {
  const mutation = randomMutation(next, `p${seedText}i${i}`);
  await store.update((draft) => {
    applyMutation(draft, mutation);
    appendFileSync(journal, JSON.stringify(mutation) + '\n');
  });
  // A little jitter so the processes interleave differently each run of the loop.
  if (next() < 0.3) await sleep(Math.floor(next() * 3));
}
