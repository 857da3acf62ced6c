/**
 * Which network a report came from, as a tag that means something for one UTC day only. The
 * summaries count distinct sources so that one address (or one /24, one IPv6 /64) cannot make a
 * group of K_ANONYMITY on its own by sending fake reports beside a real one.
 *
 * The tag is HMAC-SHA256(day salt, network), cut to 96 bits. The salt is 32 random bytes kept in
 * the store for its day only (Store.daySalt): made by whichever process of the deployment needs it
 * first, read by the others and by a restarted one, so a network has one tag all day however many
 * processes see it; never in a file of its own or a log line; deleted, with every copy the store
 * keeps, once the day is over (Store.forgetSalts). Why a secret salt and not a plain hash: there
 * are only 2^24 IPv4 /24 networks, so an unsalted (or known-salt) hash is reversed by trying them
 * all in seconds. While the salt lives, the tag is a salted network hash; once it is gone, nobody,
 * the operator included, can test a network against a stored tag, and tags of different days
 * cannot be linked. A table of random tags per network would be no safer (whoever can read the salt
 * can read that table, or the live traffic) and would cost a row for every network seen in a day.
 *
 * Reports no network stands behind carry the tag IMPORT_SOURCE, which the publication rule counts
 * as no source at all (summary/threshold.ts): `candor-collector import`, and an export file posted
 * on a later UTC day than it was made (that day's salt is gone: its tag could not be told from the
 * same network's own reports of the day). An export file posted the day it was made counts as the
 * network that posts it, like any report.
 */
import { hash } from 'node:crypto';
import type { CollectorClock } from './platform';
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
  private wiped = false;

  constructor(salt: Buffer) {
    for (let i = 0; i < BLOCK; i++) {
      const k = i < salt.length ? salt[i]! : 0;
      this.inner[i] = k ^ 0x36;
      this.outer[i] = k ^ 0x5c;
    }
  }

  /** The digest of `message` in base64url. (Digests come out as text: a Buffer result is slower by far.) */
  digest(message: string): string {
    // A wiped key is all zeros, a key anyone knows: never tag with it.
    if (this.wiped) throw new SaltUnavailable();
    const length = this.inner.write(message, BLOCK, 'utf8');
    // A message that would not fit is cut by `write`: never the case for a network, checked anyway.
    if (length >= MAX_NETWORK_BYTES) throw new RangeError('network too long');
    this.outer.write(hash('sha256', this.inner.subarray(0, BLOCK + length), 'hex'), BLOCK, 'hex');
    return hash('sha256', this.outer, 'base64url');
  }

  wipe(): void {
    this.wiped = true;
    this.inner.fill(0);
    this.outer.fill(0);
  }
}

/** No salt for the report's day: the day ended while the report was read, or the store could not give it. */
export class SaltUnavailable extends Error {}

/** The salt of a UTC day from the store (Store.daySalt, with fresh random bytes); null once a later day has one. */
export type DaySalts = (day: number) => Promise<Buffer | null>;

export class SourceTagger {
  private day = -1;
  private hmac: DayHmac | null = null;
  private loading: { day: number; hmac: Promise<DayHmac> } | null = null;

  constructor(
    private readonly salts: DaySalts,
    private readonly clock: Pick<CollectorClock, 'now'>,
  ) {}

  /**
   * The tag of `network` (see networkOf) for the UTC day of `now`: at once while the day's salt is
   * in memory, otherwise once it is read from the store (or made there). Rejects with
   * SaltUnavailable for a day that is no longer today.
   */
  tag(network: string, now: number): string | Promise<string> {
    const day = utcDay(now);
    // 12 bytes are exactly the first 16 characters of the base64url digest.
    if (day === this.day && this.hmac) return this.hmac.digest(network).slice(0, TAG_CHARS);
    return this.load(day).then((hmac) => hmac.digest(network).slice(0, TAG_CHARS));
  }

  /** Null when today's salt is in memory; otherwise a promise that settles once it is read. */
  ready(now: number): Promise<void> | null {
    const day = utcDay(now);
    return day === this.day && this.hmac ? null : this.load(day).then(() => {});
  }

  private load(day: number): Promise<DayHmac> {
    // Only today's salt is ever asked for: the store would make one for a day that has none.
    if (day !== utcDay(this.clock.now())) return Promise.reject(new SaltUnavailable());
    if (this.loading?.day === day) return this.loading.hmac;
    const hmac = this.salts(day).then(
      (salt) => {
        if (this.loading?.hmac === hmac) this.loading = null;
        if (salt === null || day !== utcDay(this.clock.now())) {
          salt?.fill(0);
          throw new SaltUnavailable();
        }
        const keyed = new DayHmac(salt);
        salt.fill(0);
        this.hmac?.wipe();
        this.day = day;
        this.hmac = keyed;
        return keyed;
      },
      (error: unknown) => {
        if (this.loading?.hmac === hmac) this.loading = null;
        throw error;
      },
    );
    this.loading = { day, hmac };
    return hmac;
  }

  /** Drops the salt from memory (at UTC midnight, and at shutdown); the store deletes its copy at midnight. */
  forget(): void {
    this.hmac?.wipe();
    this.hmac = null;
    this.day = -1;
  }
}
