/** The per-run secret: made at start, required as `Authorization: Bearer …` on every API request. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export const SECRET_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Checks requests against `secret` in constant time (both sides hashed to one length first). */
export function bearerCheck(secret: string): (req: http.IncomingMessage) => boolean {
  const expected = digest(secret);
  return (req) => {
    const header = req.headers.authorization;
    if (typeof header !== 'string') return false;
    const match = /^Bearer\s+([A-Za-z0-9_-]{1,256})\s*$/.exec(header);
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  };
}
