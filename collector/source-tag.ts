/**
 * Which network a report came from, as a tag that means something for one UTC day only. The
 * summaries count distinct sources so that one address (or one /24, one IPv6 /64) cannot make a
 * group of K_ANONYMITY on its own by sending fake reports beside a real one.
 *
 * The tag is HMAC-SHA256(day salt, network), cut to 96 bits. The salt is 32 random bytes made in
 * memory when the day's first report arrives, never written anywhere, and dropped at the next UTC
 * midnight. Why a secret salt and not a plain hash: there are only 2^24 IPv4 /24 networks, so an
 * unsalted (or known-salt) hash is reversed by trying them all in seconds. While the salt lives,
 * the tag is a salted network hash; once it is gone, nobody, the operator included, can test a
 * network against a stored tag, and tags of different days cannot be linked. A table of random
 * tags per network would be no safer (whoever can read the salt in memory can read that table, or
 * the live traffic) and would cost memory for every network seen in a day.
 *
 * Reports no network stands behind carry the tag IMPORT_SOURCE, which the publication rule counts
 * as no source at all (summary/threshold.ts): `candor-collector import`, and an export file posted
 * on a later UTC day than it was made (that day's salt is gone: its tag could not be told from the
 * same network's own reports of the day). An export file posted the day it was made counts as the
 * network that posts it, like any report.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { utcDay } from './retention';

export const IMPORT_SOURCE = 'import';
const TAG_BYTES = 12;

export class SourceTagger {
  private day = -1;
  private salt: Buffer | null = null;

  constructor(private readonly newSalt: () => Buffer = () => randomBytes(32)) {}

  /** The tag of `network` (see networkOf) for the UTC day of `now`. */
  tag(network: string, now: number): string {
    const day = utcDay(now);
    if (day !== this.day || this.salt === null) {
      this.forget();
      this.day = day;
      this.salt = this.newSalt();
    }
    return createHmac('sha256', this.salt).update(network).digest().subarray(0, TAG_BYTES).toString('base64url');
  }

  /** Drops the day's salt (at UTC midnight, and at shutdown): from then on its tags are opaque. */
  forget(): void {
    this.salt?.fill(0);
    this.salt = null;
    this.day = -1;
  }
}
