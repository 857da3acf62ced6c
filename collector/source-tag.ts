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
import { hash, randomBytes } from 'node:crypto';
import { utcDay } from './retention';

export const IMPORT_SOURCE = 'import';
/** The tag: 96 bits of the HMAC, in base64url. */
const TAG_CHARS = 16;
/** SHA-256's block size: HMAC pads its key to it. */
const BLOCK = 64;
/** A network is an IPv4 /24 or an IPv6 /64 in text (see networkOf): far shorter than this. */
const MAX_NETWORK_BYTES = 256;

/**
 * HMAC-SHA256 (RFC 2104) as two one-shot hashes over the day's padded salt, prepared once: the same
 * bytes as `createHmac`, without its objects on every report (a fifth of the time, measured).
 */
class DayHmac {
  /** The salt XOR ipad, then room for the network. */
  private readonly inner = Buffer.alloc(BLOCK + MAX_NETWORK_BYTES);
  /** The salt XOR opad, then the inner digest. */
  private readonly outer = Buffer.alloc(BLOCK + 32);

  constructor(salt: Buffer) {
    for (let i = 0; i < BLOCK; i++) {
      const k = i < salt.length ? salt[i]! : 0;
      this.inner[i] = k ^ 0x36;
      this.outer[i] = k ^ 0x5c;
    }
  }

  /** The digest of `message` in base64url. (Digests come out as text: a Buffer result is slower by far.) */
  digest(message: string): string {
    const length = this.inner.write(message, BLOCK, 'utf8');
    // A message that would not fit is cut by `write`: never the case for a network, checked anyway.
    if (length >= MAX_NETWORK_BYTES) throw new RangeError('network too long');
    this.outer.write(hash('sha256', this.inner.subarray(0, BLOCK + length), 'hex'), BLOCK, 'hex');
    return hash('sha256', this.outer, 'base64url');
  }

  wipe(): void {
    this.inner.fill(0);
    this.outer.fill(0);
  }
}

export class SourceTagger {
  private day = -1;
  private hmac: DayHmac | null = null;

  constructor(private readonly newSalt: () => Buffer = () => randomBytes(32)) {}

  /** The tag of `network` (see networkOf) for the UTC day of `now`. */
  tag(network: string, now: number): string {
    const day = utcDay(now);
    if (day !== this.day || this.hmac === null) {
      this.forget();
      this.day = day;
      const salt = this.newSalt();
      this.hmac = new DayHmac(salt);
      salt.fill(0);
    }
    // 12 bytes are exactly the first 16 characters of the base64url digest.
    return this.hmac.digest(network).slice(0, TAG_CHARS);
  }

  /** Drops the day's salt (at UTC midnight, and at shutdown): from then on its tags are opaque. */
  forget(): void {
    this.hmac?.wipe();
    this.hmac = null;
    this.day = -1;
  }
}
