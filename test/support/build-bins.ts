import { buildCli } from '../../scripts/build-cli.mjs';

/**
 * Vitest global set-up: the command lines are bundles (dist/cli), and every test that runs
 * `bin/candor.js` or `bin/candor-collector.js` must run the sources as they are now, so the bundles
 * are rebuilt before any test starts (well under a second). A stale bundle can never be tested.
 */
export default async function buildBins(): Promise<void> {
  await buildCli();
}
