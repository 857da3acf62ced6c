/**
 * Body bytes -> a validated report, with the exact status for each kind of bad input.
 * Validation is the payload schema module itself (shared/schema), never a copy of it.
 */
import { isUtf8 } from 'node:buffer';
import { validateCompiled } from '../shared/schema/compile';
import { FORBIDDEN_KEYS, validate, type OddValuePolicy, type SchemaNode } from '../shared/schema/dsl';
import { payloadSchema, type Payload } from '../shared/schema/payload';
import { storablePlayer } from './summary/players';

/** A report the collector can store: the schema's payload, with the id the dedup needs. */
export type Report = Payload & { id: string };

export type ParseFailure =
  | { ok: false; status: 400; reason: 'malformed-json'; message: string; path?: string }
  | { ok: false; status: 413; reason: 'too-large'; message: string; path?: string }
  | { ok: false; status: 422; reason: 'schema'; path: string; message: string };

/** `dropped`: paths of the odd values left out of the stored report (see validateReport). */
export type ParseResult = { ok: true; report: Report; dropped: string[] } | ParseFailure;
export type JsonResult = { ok: true; input: unknown } | ParseFailure;

/**
 * Deepest bracket nesting in a JSON text, stopping as soon as it passes `limit`. Runs before
 * JSON.parse so a 100 KiB run of `[` costs one linear scan and nothing else; strings are skipped
 * so brackets inside them do not count.
 */
export function exceedsDepth(bytes: Uint8Array, limit: number): boolean {
  if (opensAtMost(bytes, limit)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * Whether at most `limit` brackets open in all: then nesting cannot pass it. Counted with native
 * searches, 8x faster than the scan above on a real report (about a dozen objects, measured), so
 * the scan runs only for a body that opens more (a bracket inside a string counts here too).
 */
function opensAtMost(bytes: Uint8Array, limit: number): boolean {
  let opens = 0;
  for (const bracket of [0x7b, 0x5b]) {
    for (let at = bytes.indexOf(bracket); at !== -1; at = bytes.indexOf(bracket, at + 1)) if (++opens > limit) return false;
  }
  return true;
}

/**
 * Bytes -> a JSON value, refusing what no known client sends (not UTF-8, a byte-order mark),
 * nesting past `maxDepth` anywhere, and the keys `__proto__`, `constructor`, `prototype` anywhere.
 */
export function parseJson(bytes: Buffer, maxDepth: number, what = 'body'): JsonResult {
  // A byte-order mark is refused rather than skipped: RFC 8259 forbids senders to add one, and
  // neither Navidrome nor Candor does, so one means a client we have never tested.
  if (!isUtf8(bytes) || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) {
    return { ok: false, status: 400, reason: 'malformed-json', message: `${what} is not UTF-8 JSON` };
  }
  if (exceedsDepth(bytes, maxDepth)) {
    return { ok: false, status: 422, reason: 'schema', path: '', message: 'nested too deeply' };
  }
  let input: unknown;
  try {
    // JSON.parse also refuses trailing data after the value.
    input = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, status: 400, reason: 'malformed-json', message: `${what} is not valid JSON` };
  }
  // The schema drops unknown fields without looking inside them; the promise covers them too.
  if (mayHoldForbiddenKey(bytes)) {
    const forbidden = forbiddenKeyPath(input, payloadSchema, '');
    if (forbidden !== null) return { ok: false, status: 422, reason: 'schema', path: forbidden, message: 'forbidden key' };
  }
  return { ok: true, input };
}

/**
 * Fields that identify or protect a report: a value outside their shape refuses the report (a
 * report without its id cannot be deduplicated; one without its deletion key would become
 * deletable by anyone who knows the id). Nothing here is normalized.
 */
const MUST_FIT = [
  { path: 'id', keys: ['id'], node: payloadSchema.fields.id },
  { path: 'candor.deletionKeyHash', keys: ['candor', 'deletionKeyHash'], node: payloadSchema.fields.candor.fields.deletionKeyHash },
] as const;

const PLAYERS_PATH = 'library.activePlayers';
/** A client name the schema will not store as sent (a URL, "_hiby_") is stored as the app the player table names. */
const rescuePlayer = (mapPath: string, key: string) => (mapPath === PLAYERS_PATH ? storablePlayer(key) : undefined);

/**
 * A parsed JSON value -> a report: the payload schema, unknown fields dropped, an id required.
 * With `oddValues` 'drop' (the default), what a real sender's harmless odd value costs is that
 * value alone: text is trimmed and normalized as the schema says, a value that still does not fit
 * is left out and its path listed in `dropped`. 'refuse' (benchmarks only) is the schema's strict
 * reading, where any such value refuses the report.
 */
export function validateReport(input: unknown, maxDepth: number, oddValues: OddValuePolicy = 'drop'): ParseResult {
  const strict = checkMustFit(input, maxDepth);
  if (strict) return strict;
  const result = validateCompiled(payloadSchema, input, { unknownKeys: 'drop', maxDepth, oddValues, rescueKey: rescuePlayer });
  if (!result.ok) return { ok: false, status: 422, reason: 'schema', path: result.path, message: result.reason };
  // The schema lets the agent omit what it cannot know; the collector cannot dedup without an id.
  if (result.value.id === undefined) return { ok: false, status: 422, reason: 'schema', path: 'id', message: 'required' };
  return { ok: true, report: result.value as Report, dropped: result.dropped };
}

function checkMustFit(input: unknown, maxDepth: number): ParseFailure | null {
  for (const { path, keys, node } of MUST_FIT) {
    let value: unknown = input;
    for (const key of keys)
      value = typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    // The usual case, a value that fits, is told at once; the schema's own words for one that does not.
    if (value === undefined || (typeof value === 'string' && value.length <= node.maxLength && node.pattern.test(value))) continue;
    const checked = validate(node, value, { unknownKeys: 'reject', maxDepth });
    if (!checked.ok) return { ok: false, status: 422, reason: 'schema', path, message: checked.reason };
  }
  return null;
}

export function parseReport(bytes: Buffer, maxDepth: number): ParseResult {
  const json = parseJson(bytes, maxDepth);
  return json.ok ? validateReport(json.input, maxDepth) : json;
}

/** `proto` stands for `__proto__` and `prototype`: one scan fewer of every body. */
const FORBIDDEN_SPELLINGS = ['proto', 'constructor', '\\u'].map((text) => Buffer.from(text));

/** A cheap scan of the raw bytes: without one of these words or a \u escape, no key can be one of them. */
function mayHoldForbiddenKey(bytes: Buffer): boolean {
  return FORBIDDEN_SPELLINGS.some((word) => bytes.includes(word));
}

/**
 * The path of the first `__proto__`, `constructor` or `prototype` key anywhere in the document,
 * known fields or not. Known field names are written out; map keys and unknown fields show as `*`,
 * so the path never echoes text the client chose.
 */
function forbiddenKeyPath(value: unknown, node: SchemaNode | undefined, path: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    const item = node?.kind === 'array' ? node.item : undefined;
    for (let i = 0; i < value.length; i++) {
      const found = forbiddenKeyPath(value[i], item, `${path}[${node?.kind === 'array' ? i : '*'}]`);
      if (found !== null) return found;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const known = node?.kind === 'object' && Object.hasOwn(node.fields, key) ? node.fields[key] : undefined;
    const child = known ?? (node?.kind === 'map' ? node.value : undefined);
    const step = FORBIDDEN_KEYS.has(key) || known ? key : '*';
    const childPath = path ? `${path}.${step}` : step;
    if (FORBIDDEN_KEYS.has(key)) return childPath;
    const found = forbiddenKeyPath((value as Record<string, unknown>)[key], child, childPath);
    if (found !== null) return found;
  }
  return null;
}

/**
 * The report as stored: its JSON without `candor.deletionKeyHash`, which is kept in a column of
 * its own (the deletion check reads it there; the summaries never see it). `stored` is that JSON's
 * object, for the summaries to count without parsing it again (summarizer.ts, `counted`).
 */
export function storedForm(report: Report): { stored: Payload; payload: string; deletionKeyHash: string | null } {
  const deletionKeyHash = report.candor?.deletionKeyHash ?? null;
  if (deletionKeyHash === null) return { stored: report, payload: JSON.stringify(report), deletionKeyHash };
  const { deletionKeyHash: _kept, ...candor } = report.candor!;
  const stored = { ...report, candor };
  return { stored, payload: JSON.stringify(stored), deletionKeyHash };
}

/** Navidrome omits zero values (`omitempty`); Candor omits only what it cannot know. */
export function isCandorReport(report: Payload): boolean {
  return report.candor !== undefined;
}
