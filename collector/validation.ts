/**
 * Body bytes -> a validated report, with the exact status for each kind of bad input.
 * Validation is the payload schema module itself (electron/core/schema), never a copy of it.
 */
import { isUtf8 } from 'node:buffer';
import { validate } from '../electron/core/schema/dsl';
import { payloadSchema, type Payload } from '../electron/core/schema/payload';

/** A report the collector can store: the schema's payload, with the id the dedup needs. */
export type Report = Payload & { id: string };

export type ParseFailure =
  | { ok: false; status: 400; reason: 'malformed-json'; message: string }
  | { ok: false; status: 422; reason: 'schema'; path: string; message: string };

export type ParseResult = { ok: true; report: Report } | ParseFailure;

/**
 * Deepest bracket nesting in a JSON text, stopping as soon as it passes `limit`. Runs before
 * JSON.parse so a 100 KiB run of `[` costs one linear scan and nothing else; strings are skipped
 * so brackets inside them do not count.
 */
export function exceedsDepth(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export function parseReport(bytes: Buffer, maxDepth: number): ParseResult {
  // A byte-order mark is refused rather than skipped: RFC 8259 forbids senders to add one, and
  // neither Navidrome nor Candor does, so one means a client we have never tested.
  if (!isUtf8(bytes) || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) {
    return { ok: false, status: 400, reason: 'malformed-json', message: 'body is not UTF-8 JSON' };
  }
  if (exceedsDepth(bytes, maxDepth)) {
    return { ok: false, status: 422, reason: 'schema', path: '', message: 'nested too deeply' };
  }
  let input: unknown;
  try {
    // JSON.parse also refuses trailing data after the value.
    input = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, status: 400, reason: 'malformed-json', message: 'body is not valid JSON' };
  }
  const result = validate(payloadSchema, input, { unknownKeys: 'drop', maxDepth });
  if (!result.ok) return { ok: false, status: 422, reason: 'schema', path: result.path, message: result.reason };
  // The schema lets the agent omit what it cannot know; the collector cannot dedup without an id.
  if (result.value.id === undefined) return { ok: false, status: 422, reason: 'schema', path: 'id', message: 'required' };
  return { ok: true, report: result.value as Report };
}

/** Navidrome omits zero values (`omitempty`); Candor omits only what it cannot know. */
export function isCandorReport(report: Payload): boolean {
  return report.candor !== undefined;
}
