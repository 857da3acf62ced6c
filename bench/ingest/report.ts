import { navidromeDocker } from '../../test/collector/support/navidrome';

/**
 * The report every ingest bench sends: the collector tests' Docker sample (Navidrome 0.58's exact
 * shape, about 1.35 KB), split around its id so each request carries a fresh one.
 */
export function reportTemplate(): { before: string; after: string } {
  const [before = '', after = ''] = JSON.stringify(navidromeDocker('@@ID@@')).split('@@ID@@');
  return { before, after };
}
