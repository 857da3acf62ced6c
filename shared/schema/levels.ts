import type { SchemaNode } from './dsl';
import { CANDOR_FIELD_PATHS, PAYLOAD_FIELDS, payloadSchema, type Payload } from './payload';

/**
 * How much is shared, derived from the one payload schema: every field names its policy category,
 * and a choice of categories keeps exactly the fields of those categories (plus the report's own
 * notes, category `agent`: the anonymous id, Candor's version, the format version).
 */
export const POLICY_CATEGORIES = ['application', 'system', 'library', 'config'] as const;
export type PolicyCategory = (typeof POLICY_CATEGORIES)[number];

/** Application details (the id and the server's version) are the least any report that leaves carries. */
export const REQUIRED_CATEGORY: PolicyCategory = 'application';

export type Level = 'full' | 'basic' | 'local' | 'off';
/** A choice of categories that matches neither preset. */
export type LevelName = Level | 'custom';

export const PRESETS: Record<'full' | 'basic', readonly PolicyCategory[]> = {
  full: POLICY_CATEGORIES,
  basic: ['application', 'system'],
};

/** The words people use for each category on the command line (`--without configuration`). */
export const CATEGORY_WORDS: Record<string, PolicyCategory> = {
  application: 'application',
  app: 'application',
  system: 'system',
  library: 'library',
  configuration: 'config',
  config: 'config',
};

export function isPolicyCategory(value: string): value is PolicyCategory {
  return (POLICY_CATEGORIES as readonly string[]).includes(value);
}

/** Sorted, without duplicates, always with the required category. */
export function normalizeCategories(categories: readonly PolicyCategory[]): PolicyCategory[] {
  const set = new Set<PolicyCategory>([REQUIRED_CATEGORY, ...categories]);
  return POLICY_CATEGORIES.filter((c) => set.has(c));
}

/** `full`, `basic`, or `custom` for any other set of categories. */
export function presetOf(categories: readonly PolicyCategory[]): 'full' | 'basic' | 'custom' {
  const key = normalizeCategories(categories).join(',');
  if (key === PRESETS.full.join(',')) return 'full';
  if (key === PRESETS.basic.join(',')) return 'basic';
  return 'custom';
}

/** The payload with only the fields of `categories` and the report's own notes; empty objects go. */
export function keepCategories(payload: Payload, categories: readonly PolicyCategory[]): Payload {
  const allowed = new Set<string>(['agent', ...categories]);
  return prune(payloadSchema, payload, allowed) ?? {};
}

function prune(node: SchemaNode, value: unknown, allowed: Set<string>): unknown {
  if (node.doc) return allowed.has(node.doc.category) ? value : undefined;
  if (node.kind !== 'object' || value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node.fields)) {
    const kept = prune(child, (value as Record<string, unknown>)[key], allowed);
    if (kept !== undefined) out[key] = kept;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const fieldsByCategories = new Map<string, string[]>();

/** The fields a report at these categories can carry: what a user approves at that level. */
export function fieldsFor(categories: readonly PolicyCategory[]): string[] {
  const key = normalizeCategories(categories).join();
  let fields = fieldsByCategories.get(key);
  if (!fields) {
    const allowed = new Set<string>(['agent', ...categories]);
    const inCategory = new Set(PAYLOAD_FIELDS.filter((f) => allowed.has(f.category)).map((f) => f.path));
    fields = CANDOR_FIELD_PATHS.filter((path) => inCategory.has(path));
    fieldsByCategories.set(key, fields);
  }
  return [...fields];
}

/** The policy category of a field, or of the fields under a path (`library`, `fs`); null for the report's own notes. */
export function categoryOfPath(path: string): PolicyCategory | null {
  const field = PAYLOAD_FIELDS.find((f) => f.path === path) ?? PAYLOAD_FIELDS.find((f) => f.path.startsWith(`${path}.`));
  return field && isPolicyCategory(field.category) ? field.category : null;
}

/** The shortest paths that hold a category's fields (`library`, `candor.hostMemory`…): how the preview names what a level leaves out. */
export function categoryRoots(category: PolicyCategory): string[] {
  const roots = new Set<string>();
  for (const f of PAYLOAD_FIELDS) {
    if (f.category !== category || f.source === 'navidrome-only') continue;
    const parts = f.path.split('.');
    roots.add(parts.slice(0, parts[0] === 'candor' ? Math.min(parts.length, parts[1] === 'sources' ? 3 : 2) : 1).join('.'));
  }
  return [...roots];
}
