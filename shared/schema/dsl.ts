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
  /**
   * What a lenient reader (the collector) does to a received value, after trimming it, before
   * checking it: lower-casing a name from a fixed vocabulary, say. Never applied to what the agent sends.
   */
  normalize?: (value: string) => string;
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
  /** As StringNode.normalize, for the keys. */
  normalizeKey?: (key: string) => string;
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
  string: (pattern: RegExp, maxLength: number, normalize?: (value: string) => string): StringNode => ({
    kind: 'string',
    pattern,
    maxLength,
    optional: false,
    ...(normalize ? { normalize } : {}),
  }),
  enum: <const V extends string>(values: readonly V[]): EnumNode<V> => ({ kind: 'enum', values, optional: false }),
  object: <F extends Fields>(fields: F): ObjectNode<F> => ({ kind: 'object', fields, optional: false }),
  map: <V extends SchemaNode>(keyPattern: RegExp, value: V, maxEntries: number, normalizeKey?: (key: string) => string): MapNode<V> => ({
    kind: 'map',
    keyPattern,
    value,
    maxEntries,
    optional: false,
    ...(normalizeKey ? { normalizeKey } : {}),
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

export type OddValuePolicy =
  /** The agent's allowlist, and the default: a value outside its field's shape fails the document. */
  | 'refuse'
  /**
   * The collector: a real sender's harmless odd value costs its field, never the report. Text is
   * first trimmed and normalized as the field says (a blank value counts as absent); a value that
   * still does not fit is left out and its path listed in `dropped`. Structure still fails the
   * document: a wrong JSON type, a number that is not an exact integer or is below its minimum, a
   * map or list over its size, a forbidden key, too deep a nesting.
   */
  | 'drop';

export interface ValidateOptions {
  unknownKeys: UnknownKeyPolicy;
  /** Deepest nesting accepted, counted in objects, maps and arrays. */
  maxDepth?: number;
  oddValues?: OddValuePolicy;
  /**
   * With oddValues 'drop': the last chance of a map key outside its pattern, given the map's path.
   * A string is used as the key as it is (the caller vouches for it: a name from its own table);
   * undefined drops the entry.
   */
  rescueKey?: (mapPath: string, key: string) => string | undefined;
}

export type ValidationResult<T> =
  | {
      ok: true;
      value: T;
      /** Paths of the values left out under oddValues 'drop' (map keys as `*`), each once, in document order. */
      dropped: string[];
    }
  | { ok: false; path: string; reason: string };

/** Keys that would poison a plain object if ever merged; refused wherever they appear. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** What ends a validation with an error (compile.ts's generated code throws it too). */
export class Violation extends Error {
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
  const run: Run = { options, lenient: options.oddValues === 'drop', dropped: [] };
  try {
    const value = check(node, input, '', null, 0, run);
    if (value === LEFT_OUT) return { ok: false, path: run.dropped[0] ?? '', reason: 'not an allowed value' };
    return { ok: true, value: value as Infer<N>, dropped: run.dropped };
  } catch (error) {
    if (error instanceof Violation) return { ok: false, path: error.path, reason: error.reason };
    throw error;
  }
}

interface Run {
  options: ValidateOptions;
  lenient: boolean;
  dropped: string[];
}

/** What check() gives for a value left out under oddValues 'drop' (or blank, which counts as absent). */
const LEFT_OUT = Symbol('left out');

/** A value outside its field's shape: the document fails, or (lenient) the value is left out and its path listed. */
function odd(run: Run, path: string, reason: string): typeof LEFT_OUT {
  if (!run.lenient) throw new Violation(path, reason);
  if (!run.dropped.includes(path)) run.dropped.push(path);
  return LEFT_OUT;
}

/** A child's dotted path (compile.ts's generated code uses it too). */
export function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object node's fields as a list, made once per node: validation walks them for every document. */
const FIELD_LISTS = new WeakMap<ObjectNode, [string, SchemaNode][]>();
function fieldList(node: ObjectNode): [string, SchemaNode][] {
  let list = FIELD_LISTS.get(node);
  if (!list) FIELD_LISTS.set(node, (list = Object.entries(node.fields)));
  return list;
}

/**
 * Checks `input` at the path `base` + `key` (`key` null: the path is `base`). The path is put
 * together only where it is needed (an error, a dropped value, a container's children): most
 * fields are leaves that fit, and a document has dozens of them.
 */
function check(node: SchemaNode, input: unknown, base: string, key: string | null, depth: number, run: Run): unknown {
  switch (node.kind) {
    case 'int':
      if (typeof input !== 'number' || !Number.isInteger(input)) throw new Violation(pathOf(base, key), 'expected an integer');
      if (input >= node.min && input <= node.max) return input;
      // Below the minimum (a negative count), or past 2^53 where a JSON number is no longer the
      // integer that was sent: no real sender does that. Above the maximum: a setting someone chose.
      if (input < node.min || !Number.isSafeInteger(input)) throw new Violation(pathOf(base, key), `must be between ${node.min} and ${node.max}`);
      return odd(run, pathOf(base, key), `must be between ${node.min} and ${node.max}`);
    case 'bool':
      if (typeof input !== 'boolean') throw new Violation(pathOf(base, key), 'expected true or false');
      return input;
    case 'string': {
      if (typeof input !== 'string') throw new Violation(pathOf(base, key), 'expected a string');
      let value = input;
      if (run.lenient) {
        value = input.trim();
        if (node.normalize) value = node.normalize(value);
        // Go's omitempty leaves empty text out: blank text is absence, not an odd value.
        if (value === '' && node.optional) return LEFT_OUT;
      }
      if (value.length > node.maxLength) return odd(run, pathOf(base, key), `longer than ${node.maxLength} characters`);
      if (!node.pattern.test(value)) return odd(run, pathOf(base, key), 'not an allowed value');
      return value;
    }
    case 'enum': {
      if (typeof input !== 'string') throw new Violation(pathOf(base, key), 'expected a string');
      if (node.values.includes(input)) return input;
      if (run.lenient) {
        // An enum is a fixed vocabulary: compared trimmed and in lower case.
        const value = input.trim().toLowerCase();
        if (value === '' && node.optional) return LEFT_OUT;
        if (node.values.includes(value)) return value;
      }
      return odd(run, pathOf(base, key), `expected one of ${node.values.join(', ')}`);
    }
    case 'array': {
      const path = pathOf(base, key);
      if (!Array.isArray(input)) throw new Violation(path, 'expected a list');
      enterContainer(path, depth, run.options);
      if (input.length > node.maxItems) throw new Violation(path, `more than ${node.maxItems} items`);
      const out: unknown[] = [];
      for (let index = 0; index < input.length; index++) {
        const item = check(node.item, input[index], `${path}[${index}]`, null, depth + 1, run);
        if (item !== LEFT_OUT) out.push(item);
      }
      return out;
    }
    case 'map': {
      const path = pathOf(base, key);
      if (!isPlainObject(input)) throw new Violation(path, 'expected an object');
      enterContainer(path, depth, run.options);
      const keys = Object.keys(input);
      if (keys.length > node.maxEntries) throw new Violation(path, `more than ${node.maxEntries} entries`);
      const out: Record<string, unknown> = {};
      // Map keys are data, not names: paths show `*` so an error message never echoes a key's text.
      const entryPath = join(path, '*');
      for (const entry of keys) {
        if (FORBIDDEN_KEYS.has(entry)) throw new Violation(entryPath, 'forbidden key');
        const name = run.lenient ? mapKey(node, entry, path, entryPath, run) : node.keyPattern.test(entry) ? entry : odd(run, entryPath, 'key not allowed');
        if (name === LEFT_OUT) continue;
        const value = check(node.value, input[entry], entryPath, null, depth + 1, run);
        if (value === LEFT_OUT) continue;
        const earlier = out[name];
        if (!Object.hasOwn(out, name)) out[name] = value;
        // Two keys that normalize to one (`FLAC` and `flac`): counts add up; anything else keeps the first.
        else if (typeof value === 'number' && typeof earlier === 'number') out[name] = earlier + value;
        else odd(run, entryPath, 'key not allowed');
      }
      return out;
    }
    case 'object': {
      const path = pathOf(base, key);
      if (!isPlainObject(input)) throw new Violation(path, 'expected an object');
      enterContainer(path, depth, run.options);
      const reject = run.options.unknownKeys === 'reject';
      for (const name in input) {
        if (!Object.hasOwn(input, name)) continue;
        if (FORBIDDEN_KEYS.has(name)) throw new Violation(join(path, name), 'forbidden key');
        if (reject && !Object.hasOwn(node.fields, name)) throw new Violation(join(path, name), 'field not in the allowlist');
      }
      const out: Record<string, unknown> = {};
      for (const [name, child] of fieldList(node)) {
        const value = Object.hasOwn(input, name) ? input[name] : undefined;
        if (value === undefined) {
          if (!child.optional) throw new Violation(join(path, name), 'required');
          continue;
        }
        const checked = check(child, value, path, name, depth + 1, run);
        if (checked !== LEFT_OUT) out[name] = checked;
        // A required part left out takes its whole object with it (a plugin without its name).
        else if (!child.optional) return LEFT_OUT;
      }
      return out;
    }
  }
}

function pathOf(base: string, key: string | null): string {
  return key === null ? base : join(base, key);
}

/** A map key under oddValues 'drop': trimmed and normalized, rescued by the caller, or left out. */
function mapKey(node: MapNode, key: string, mapPath: string, entryPath: string, run: Run): string | typeof LEFT_OUT {
  if (node.keyPattern.test(key) && !node.normalizeKey && key.trim() === key) return key;
  let name = key.trim();
  if (node.normalizeKey) name = node.normalizeKey(name);
  if (FORBIDDEN_KEYS.has(name)) throw new Violation(entryPath, 'forbidden key');
  if (node.keyPattern.test(name)) return name;
  return run.options.rescueKey?.(mapPath, name) ?? odd(run, entryPath, 'key not allowed');
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
