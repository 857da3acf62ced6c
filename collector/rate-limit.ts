/**
 * A loose token bucket per client address (IPv6 by /64), in memory only (no address ever reaches
 * the store or a log), so a flood from one host is cut off while a household or an office behind
 * one NAT, each server reporting daily, never notices. The per-instance cap is admission.ts.
 */
import { hash, randomBytes } from 'node:crypto';
import type { CollectorClock } from './platform';

interface Bucket {
  tokens: number;
  at: number;
}

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

export class AddressLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Keys are salted hashes, fresh per process: even a heap dump holds no address. */
  private readonly salt = randomBytes(16).toString('hex');

  constructor(
    private readonly clock: CollectorClock,
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly maxTracked: number,
  ) {}

  get tracked(): number {
    return this.buckets.size;
  }

  take(key: string): Admission {
    const id = hash('sha256', this.salt + key, 'base64url').slice(0, 22);
    const now = this.clock.monotonic();
    const bucket = this.buckets.get(id);
    let tokens = this.burst;
    if (bucket) {
      tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
      // Re-inserting keeps the map in least-recently-used order for eviction.
      this.buckets.delete(id);
    } else if (this.buckets.size >= this.maxTracked) {
      this.evict();
    }
    if (tokens >= 1) {
      this.buckets.set(id, { tokens: tokens - 1, at: now });
      return { ok: true };
    }
    this.buckets.set(id, { tokens, at: now });
    return { ok: false, retryAfterSeconds: this.perSecond > 0 ? Math.max(1, Math.ceil((1 - tokens) / this.perSecond)) : 3600 };
  }

  private evict(): void {
    // The map is in least-recently-used order. Dropping a slice at once keeps a flood of fresh
    // addresses at amortized O(1) per request; the oldest buckets are almost always full anyway.
    let drop = Math.max(1, Math.floor(this.maxTracked / 100));
    for (const id of this.buckets.keys()) {
      if (drop-- <= 0) break;
      this.buckets.delete(id);
    }
  }
}
