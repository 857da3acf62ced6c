import { createHash } from 'node:crypto';
import { validate } from '../../shared/schema/dsl';
import { payloadSchema, type Payload } from '../../shared/schema/payload';

/**
 * A report in the only form that ever leaves the agent: the exact bytes, and their hash.
 * The preview shows these bytes, the sender posts them and the history stores them; the sha256
 * lets anyone check the three are the same.
 */
export interface EncodedReport {
  /** The exact UTF-8 JSON text that is sent. */
  text: string;
  /** Its SHA-256, lowercase hex. */
  sha256: string;
  /** Its length in bytes. */
  size: number;
}

export class PayloadRejected extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`payload refused: ${field || '(root)'} ${reason}`);
    this.name = 'PayloadRejected';
  }
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Validates against the allowlist (unknown fields are an error, not dropped: a field the schema
 * does not name must never be sent by accident) and serializes in schema order, so the same facts
 * always give the same bytes.
 */
export function encodePayload(payload: Payload): EncodedReport {
  const checked = validate(payloadSchema, payload, { unknownKeys: 'reject' });
  if (!checked.ok) throw new PayloadRejected(checked.path, checked.reason);
  const text = JSON.stringify(checked.value);
  return { text, sha256: sha256Hex(text), size: Buffer.byteLength(text, 'utf8') };
}
