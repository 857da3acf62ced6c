/**
 * A tiny schema language for JSON documents whose every field carries its own documentation.
 *
 * Why not zod or JSON Schema: the payload schema is also the privacy allowlist, the source of the
 * preview's per-field explanations, the collector's validator and the generated docs. A dozen node
 * kinds with explicit caps (lengths, ranges, entry counts) keep all of that in one readable place,
 * with no dependency in the collector's hot path.
 */

export type Category = 'application' | 'system' | 'library' | 'config' | 'agent';

/** Where a field's value comes from. Shown next to the field in the preview and the docs. */
export type SourceId =
  | 'agent' // Candor itself
  | 'server-api' // the music server's API
  | 'server-config' // the music server's configuration (admin endpoint or local file)
  | 'server-process' // the server's process observed on this host
  | 'host' // the operating system of this host
  | 'navidrome-only'; // sent by Navidrome's built-in collector, never by Candor

export interface FieldDoc {
  /** Plain-language explanation shown in the preview, the wizard and the docs. */
  explain: string;
  source: SourceId;
  category: Category;
  /** Payload schema version that introduced the field; drives "new fields need approval". */
  since: number;
}

interface NodeBase {
  optional: boolean;
  doc?: FieldDoc;
}
export interface IntNode extends NodeBase {
  kind: 'int';
  min: number;
  max: number;
}
export interface BoolNode extends NodeBase {
  kind: 'bool';
}
export interface StringNode extends NodeBase {
  kind: 'string';
  pattern: RegExp;
  maxLength: number;
}
export interface EnumNode<V extends string = string> extends NodeBase {
  kind: 'enum';
  values: readonly V[];
}
export interface ObjectNode<F extends Fields = Fields> extends NodeBase {
  kind: 'object';
  fields: F;
}
export interface MapNode<V extends SchemaNode = SchemaNode> extends NodeBase {
  kind: 'map';
  keyPattern: RegExp;
  maxEntries: number;
  value: V;
}
export interface ArrayNode<V extends SchemaNode = SchemaNode> extends NodeBase {
  kind: 'array';
  item: V;
  maxItems: number;
}

export type SchemaNode = IntNode | BoolNode | StringNode | EnumNode | ObjectNode | MapNode | ArrayNode;
export type Fields = Record<string, SchemaNode>;

type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K]['optional'] extends true ? K : never }[keyof F];
type RequiredKeys<F extends Fields> = Exclude<keyof F, OptionalKeys<F>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The TypeScript type of the JSON a node accepts. */
export type Infer<N extends SchemaNode> = N extends IntNode
  ? number
  : N extends BoolNode
    ? boolean
    : N extends StringNode
      ? string
      : N extends EnumNode<infer V>
        ? V
        : N extends ObjectNode<infer F>
          ? Simplify<{ [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> }>
          : N extends MapNode<infer V>
            ? Record<string, Infer<V>>
            : N extends ArrayNode<infer V>
              ? Infer<V>[]
              : never;

type Opt<N extends SchemaNode> = N & { optional: true };
type Documented<N extends SchemaNode> = N & { doc: FieldDoc };

/** Node constructors. Every node is required unless wrapped in `optional()`. */
export const s = {
  int: (min: number, max: number): IntNode => ({ kind: 'int', min, max, optional: false }),
  bool: (): BoolNode => ({ kind: 'bool', optional: false }),
  string: (pattern: RegExp, maxLength: number): StringNode => ({ kind: 'string', pattern, maxLength, optional: false }),
  enum: <const V extends string>(values: readonly V[]): EnumNode<V> => ({ kind: 'enum', values, optional: false }),
  object: <F extends Fields>(fields: F): ObjectNode<F> => ({ kind: 'object', fields, optional: false }),
  map: <V extends SchemaNode>(keyPattern: RegExp, value: V, maxEntries: number): MapNode<V> => ({
    kind: 'map',
    keyPattern,
    value,
    maxEntries,
    optional: false,
  }),
  array: <V extends SchemaNode>(item: V, maxItems: number): ArrayNode<V> => ({ kind: 'array', item, maxItems, optional: false }),
};

export function optional<N extends SchemaNode>(node: N): Opt<N> {
  return { ...node, optional: true };
}

export function documented<N extends SchemaNode>(node: N, doc: FieldDoc): Documented<N> {
  return { ...node, doc };
}

// ---------------------------------------------------------------------------------------------
// Validation

export type UnknownKeyPolicy =
  /** The agent's allowlist: any key the schema does not name is a violation. */
  | 'reject'
  /** The collector: newer clients may add fields; accept the report, drop what we do not know. */
  | 'drop';

export interface ValidateOptions {
  unknownKeys: UnknownKeyPolicy;
  /** Deepest nesting accepted, counted in objects, maps and arrays. */
  maxDepth?: number;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; path: string; reason: string };

/** Keys that would poison a plain object if ever merged; refused wherever they appear. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

class Violation extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path || '(root)'}: ${reason}`);
  }
}

/**
 * Validates `input` against `node` and returns a fresh value holding only what the schema allows,
 * with keys in schema order (so serialization of the result is deterministic).
 */
export function validate<N extends SchemaNode>(node: N, input: unknown, options: ValidateOptions): ValidationResult<Infer<N>> {
  try {
    return { ok: true, value: check(node, input, '', 0, options) as Infer<N> };
  } catch (error) {
    if (error instanceof Violation) return { ok: false, path: error.path, reason: error.reason };
    throw error;
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function check(node: SchemaNode, input: unknown, path: string, depth: number, options: ValidateOptions): unknown {
  switch (node.kind) {
    case 'int':
      if (typeof input !== 'number' || !Number.isInteger(input)) throw new Violation(path, 'expected an integer');
      if (input < node.min || input > node.max) throw new Violation(path, `must be between ${node.min} and ${node.max}`);
      return input;
    case 'bool':
      if (typeof input !== 'boolean') throw new Violation(path, 'expected true or false');
      return input;
    case 'string':
      if (typeof input !== 'string') throw new Violation(path, 'expected a string');
      if (input.length > node.maxLength) throw new Violation(path, `longer than ${node.maxLength} characters`);
      if (!node.pattern.test(input)) throw new Violation(path, 'not an allowed value');
      return input;
    case 'enum':
      if (typeof input !== 'string' || !node.values.includes(input)) throw new Violation(path, `expected one of ${node.values.join(', ')}`);
      return input;
    case 'array': {
      if (!Array.isArray(input)) throw new Violation(path, 'expected a list');
      enterContainer(path, depth, options);
      if (input.length > node.maxItems) throw new Violation(path, `more than ${node.maxItems} items`);
      return input.map((item, index) => check(node.item, item, `${path}[${index}]`, depth + 1, options));
    }
    case 'map': {
      if (!isPlainObject(input)) throw new Violation(path, 'expected an object');
      enterContainer(path, depth, options);
      const keys = Object.keys(input);
      if (keys.length > node.maxEntries) throw new Violation(path, `more than ${node.maxEntries} entries`);
      const out: Record<string, unknown> = {};
      // Map keys are data, not names: paths show `*` so an error message never echoes a key's text.
      const entryPath = join(path, '*');
      for (const key of keys) {
        if (FORBIDDEN_KEYS.has(key)) throw new Violation(entryPath, 'forbidden key');
        if (!node.keyPattern.test(key)) throw new Violation(entryPath, 'key not allowed');
        out[key] = check(node.value, input[key], entryPath, depth + 1, options);
      }
      return out;
    }
    case 'object': {
      if (!isPlainObject(input)) throw new Violation(path, 'expected an object');
      enterContainer(path, depth, options);
      for (const key of Object.keys(input)) {
        if (FORBIDDEN_KEYS.has(key)) throw new Violation(join(path, key), 'forbidden key');
        if (!Object.hasOwn(node.fields, key) && options.unknownKeys === 'reject') {
          throw new Violation(join(path, key), 'field not in the allowlist');
        }
      }
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node.fields)) {
        const value = Object.hasOwn(input, key) ? input[key] : undefined;
        if (value === undefined) {
          if (!child.optional) throw new Violation(join(path, key), 'required');
          continue;
        }
        out[key] = check(child, value, join(path, key), depth + 1, options);
      }
      return out;
    }
  }
}

function enterContainer(path: string, depth: number, options: ValidateOptions): void {
  if (options.maxDepth !== undefined && depth >= options.maxDepth) throw new Violation(path, 'nested too deeply');
}

// ---------------------------------------------------------------------------------------------
// Introspection: the flat field list the preview, the approval diff and the docs are made from.

export interface FieldInfo extends FieldDoc {
  /** Dotted path, e.g. `library.tracks`. Map and array fields are listed once, for the whole container. */
  path: string;
  type: string;
  optional: boolean;
}

export function describeType(node: SchemaNode): string {
  switch (node.kind) {
    case 'int':
      return `integer ${node.min}…${node.max}`;
    case 'bool':
      return 'true/false';
    case 'string':
      return `text (≤ ${node.maxLength} chars)`;
    case 'enum':
      return `one of: ${node.values.join(', ')}`;
    case 'object':
      return 'object';
    case 'map':
      return `map of ${describeType(node.value)} (≤ ${node.maxEntries} entries)`;
    case 'array':
      return `list of ${describeType(node.item)} (≤ ${node.maxItems} items)`;
  }
}

/** Every documented field under `node`, depth first, in schema order. */
export function listFields(node: SchemaNode, path = ''): FieldInfo[] {
  const out: FieldInfo[] = [];
  if (node.doc && path) out.push({ path, type: describeType(node), optional: node.optional, ...node.doc });
  if (node.kind === 'object') {
    for (const [key, child] of Object.entries(node.fields)) out.push(...listFields(child, join(path, key)));
  }
  return out;
}
