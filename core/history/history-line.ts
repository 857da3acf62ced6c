import { OUTCOMES, TRIGGERS } from '../../shared/api-contract';
import { optional, s, validate } from '../../shared/schema/dsl';
import { POLICY_CATEGORIES } from '../../shared/schema/levels';

/**
 * What a line of the history file must hold to be an entry. A line that is valid JSON but not an
 * entry (`{}`, `[]`, `42`, an entry missing its time or with a size that is not a number) is set
 * aside like a torn line: counted as damaged, never shown, never returned by the API. Keys the
 * schema does not name are allowed (a newer Candor may write more) and kept.
 */
const anyText = (max: number) => s.string(/^[\s\S]*$/, max);
const count = () => optional(s.int(0, Number.MAX_SAFE_INTEGER));

const historyLineSchema = s.object({
  // The API looks entries up by this pattern, so an id outside it could never be opened.
  id: s.string(/^[A-Za-z0-9_-]{1,64}$/, 64),
  at: s.string(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/, 40),
  trigger: s.enum(TRIGGERS),
  level: optional(s.enum(['full', 'basic', 'local', 'off', 'custom'])),
  categories: optional(s.array(s.enum(POLICY_CATEGORIES), POLICY_CATEGORIES.length)),
  endpoint: anyText(8192),
  sha256: s.string(/^[0-9a-f]{64}$/, 64),
  size: s.int(0, Number.MAX_SAFE_INTEGER),
  durationMs: s.int(0, Number.MAX_SAFE_INTEGER),
  outcome: s.enum(OUTCOMES),
  status: optional(s.int(0, 999)),
  errorClass: optional(s.string(/^[a-z0-9-]{1,64}$/, 64)),
  message: anyText(64 * 1024),
  receipt: optional(s.string(/^[0-9a-f]{64}$/, 64)),
  body: anyText(16 * 1024 * 1024),
  counts: optional(s.object({ tracks: count(), albums: count(), artists: count() })),
  pending: optional(s.bool()),
});

/** Whether one line of the history file is an entry. */
export function isHistoryLine(line: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return false;
  }
  return validate(historyLineSchema, value, { unknownKeys: 'drop', maxDepth: 4 }).ok && !Number.isNaN(Date.parse((value as { at: string }).at));
}
