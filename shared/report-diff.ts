import type { FieldChange } from './api-contract';

/** Leaves of a JSON value as dotted paths; maps' entries count as their own leaves. */
export function flattenJson(value: unknown, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) out.set(prefix, {});
    for (const [key, child] of entries) flattenJson(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) {
    out.set(prefix, value);
  }
  return out;
}

/** Field-by-field differences between two reports' JSON texts. */
export function diffReports(beforeText: string, afterText: string): FieldChange[] {
  const before = flattenJson(JSON.parse(beforeText));
  const after = flattenJson(JSON.parse(afterText));
  const changes: FieldChange[] = [];
  for (const [path, value] of after) {
    if (!before.has(path)) changes.push({ path, change: 'added', after: value });
    else if (JSON.stringify(before.get(path)) !== JSON.stringify(value)) changes.push({ path, change: 'changed', before: before.get(path), after: value });
  }
  for (const [path, value] of before) if (!after.has(path)) changes.push({ path, change: 'removed', before: value });
  return changes;
}
