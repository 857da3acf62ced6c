/**
 * The preview's "explained" view: the exact JSON, parsed and laid out field by field with the
 * schema's explanation of each, grouped by the policy's categories.
 */
import type { Category, FieldInfo, SourceId } from '../../shared/schema/dsl';
import { CATEGORY_TITLES } from '../../shared/schema/payload';

export interface AnnotatedField {
  path: string;
  value: unknown;
  info: FieldInfo | null;
}

export interface AnnotatedGroup {
  id: Category | 'unknown';
  title: string;
  fields: AnnotatedField[];
}

export const SOURCE_LABELS: Record<SourceId, string> = {
  agent: 'Candor',
  'server-api': "the music server's API",
  'server-config': "the music server's settings",
  'server-process': 'the server process on this machine',
  host: 'this machine',
  'navidrome-only': 'Navidrome only',
};

function valueAt(root: unknown, path: string): unknown {
  let node = root;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function leaves(value: unknown, prefix: string, out: string[]): string[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) out.push(prefix);
  return out;
}

export function annotatePayload(text: string, catalog: readonly FieldInfo[]): { groups: AnnotatedGroup[]; error: string | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { groups: [], error: 'The payload is not valid JSON.' };
  }
  const order = Object.keys(CATEGORY_TITLES) as Category[];
  const groups = new Map<AnnotatedGroup['id'], AnnotatedGroup>(order.map((id) => [id, { id, title: CATEGORY_TITLES[id], fields: [] }]));
  const covered: string[] = [];
  for (const info of catalog) {
    const value = valueAt(parsed, info.path);
    if (value === undefined) continue;
    groups.get(info.category)?.fields.push({ path: info.path, value, info });
    covered.push(info.path);
  }
  const unknown = leaves(parsed, '', []).filter((leaf) => !covered.some((path) => leaf === path || leaf.startsWith(`${path}.`)));
  if (unknown.length > 0) {
    groups.set('unknown', {
      id: 'unknown',
      title: 'Not described by the schema',
      fields: unknown.map((path) => ({ path, value: valueAt(parsed, path), info: null })),
    });
  }
  return { groups: [...groups.values()].filter((g) => g.fields.length > 0), error: null };
}

/** Pretty-printed JSON, two spaces, as `JSON.stringify` makes it. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
