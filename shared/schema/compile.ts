/**
 * The schema compiled into JavaScript: one function per object, map and list of the schema, each
 * reading its fields by name, for a reader that validates thousands of documents a second (the
 * collector). It gives exactly what `validate` gives for the same node, input and options: same
 * value, same key order, same `dropped`, same first error (test/shared/schema/compile.test.ts
 * proves it on random schemas and documents). `validate` stays the readable definition, and the
 * only one where code may not be generated (the renderer's content security policy forbids it).
 *
 * Why generate code: `validate` walks every document with one function for every node, so each
 * of its field reads and writes sees dozens of object shapes and V8 falls back to its slowest
 * lookups (measured: the walk was about 7% of the collector's event loop under load). A function
 * per node sees one shape, the one JSON.parse gives that object.
 *
 * Nothing a document says reaches the generated source: names come from the schema (written with
 * JSON.stringify), patterns, normalizers and vocabularies are passed in as values.
 */
import {
  FORBIDDEN_KEYS,
  isPlainObject,
  join,
  validate,
  Violation,
  type Infer,
  type MapNode,
  type ObjectNode,
  type SchemaNode,
  type ValidateOptions,
  type ValidationResult,
} from './dsl';

/** What the code depends on; `rescueKey` is passed at each call, so it may differ from call to call. */
type CompileOptions = Omit<ValidateOptions, 'rescueKey'>;
type Compiled = (input: unknown, options: ValidateOptions) => unknown;
/** Compiled once per node and options. */
const COMPILED = new WeakMap<SchemaNode, Map<string, Compiled>>();

/** `validate(node, input, options)`, compiled on first use. */
export function validateCompiled<N extends SchemaNode>(node: N, input: unknown, options: ValidateOptions): ValidationResult<Infer<N>> {
  const key = `${options.unknownKeys}|${options.maxDepth ?? ''}|${options.oddValues ?? 'refuse'}`;
  let forNode = COMPILED.get(node);
  if (!forNode) COMPILED.set(node, (forNode = new Map<string, Compiled>()));
  let run = forNode.get(key);
  if (!run) forNode.set(key, (run = compile(node, options)));
  return run(input, options) as ValidationResult<Infer<N>>;
}

/** What a value left out gives, inside the generated code (dsl.ts has its own). */
const LEFT_OUT = Symbol('left out');
/** Thrown by generated code for an object that is not what JSON.parse makes: `validate` reads that document. */
const NOT_PLAIN = Symbol('not a JSON object');

/** What the generated code calls: kept out of the source so it is written once, here. */
const RUNTIME = {
  Violation,
  LEFT_OUT,
  FORBIDDEN_KEYS,
  hasOwn: Object.hasOwn,
  getPrototypeOf: Object.getPrototypeOf,
  ObjectPrototype: Object.prototype,
  NOT_PLAIN,
  validate,
  isArray: Array.isArray,
  isInteger: Number.isInteger,
  isSafeInteger: Number.isSafeInteger,
  objectKeys: Object.keys,
  join,
  isPlainObject,
  /** As dsl.ts's odd() under oddValues 'drop': the value is left out and its path listed once. */
  odd: (dropped: string[], path: string) => {
    if (!dropped.includes(path)) dropped.push(path);
    return LEFT_OUT;
  },
  refuse: (path: string, reason: string): never => {
    throw new Violation(path, reason);
  },
  result: (value: unknown, dropped: string[]) =>
    value === LEFT_OUT ? { ok: false, path: dropped[0] ?? '', reason: 'not an allowed value' } : { ok: true, value, dropped },
  failure: (error: unknown) => {
    if (error instanceof Violation) return { ok: false, path: error.path, reason: error.reason };
    throw error;
  },
};

const lit = (value: string | number) => JSON.stringify(value);

/**
 * A path known when compiling (a field's place outside any list) or only at run time (under a
 * list, where it holds the index). `expr` is JavaScript that evaluates to it; it is evaluated only
 * where a path is needed: an error, a dropped value, a list's items.
 */
interface Path {
  known: string | null;
  expr: string;
}
const knownPath = (path: string): Path => ({ known: path, expr: lit(path) });
function child(path: Path, key: string): Path {
  if (path.known !== null) return knownPath(path.known ? `${path.known}.${key}` : key);
  return { known: null, expr: `join(${path.expr}, ${lit(key)})` };
}

class Generator {
  private readonly functions: string[] = [];
  private readonly constants: unknown[] = [];
  private readonly lenient: boolean;
  private names = 0;
  /** Every field name of every object node: the entry checks Object.prototype holds none of them. */
  private readonly fieldNames = new Set<string>();

  constructor(private readonly options: CompileOptions) {
    this.lenient = options.oddValues === 'drop';
  }

  /** The source of a factory that takes the constants and gives the root's function. */
  program(root: SchemaNode): { source: string; constants: unknown[] } {
    const body = this.check(root, 'input', knownPath(''), 0, 'value');
    // A field Object.prototype holds would be read as if the document had sent it.
    const inherited = [...this.fieldNames].map((name) => `${lit(name)} in ObjectPrototype`).join(' || ') || 'false';
    const entry = [
      'return function validateCompiled(input, options) {',
      `  if (${inherited}) return validate(root, input, options);`,
      '  const rescue = options.rescueKey;',
      '  const dropped = [];',
      '  let value;',
      '  try {',
      body,
      '  } catch (error) {',
      '    if (error === NOT_PLAIN) return validate(root, input, options);',
      '    return failure(error);',
      '  }',
      '  return result(value, dropped);',
      '};',
    ].join('\n');
    const runtime = `const { ${Object.keys(RUNTIME).join(', ')} } = runtime;`;
    const constants = this.constants.map((_, index) => `const k${index} = constants[${index}];`).join('\n');
    return { source: [runtime, constants, ...this.functions, entry].join('\n'), constants: this.constants };
  }

  private constant(value: unknown): string {
    this.constants.push(value);
    return `k${this.constants.length - 1}`;
  }

  /** What a value outside its field's shape does: fails the document, or (lenient) is left out. */
  private odd(path: Path, reason: string): string {
    return this.lenient ? `odd(dropped, ${path.expr})` : `refuse(${path.expr}, ${lit(reason)})`;
  }

  /** Statements that check the JavaScript value `value` against `node` and put the result (or LEFT_OUT) in `target`. */
  private check(node: SchemaNode, value: string, path: Path, depth: number, target: string): string {
    const fail = (reason: string) => `throw new Violation(${path.expr}, ${lit(reason)});`;
    switch (node.kind) {
      case 'int': {
        const range = `must be between ${node.min} and ${node.max}`;
        return [
          `if (typeof ${value} !== 'number' || !isInteger(${value})) ${fail('expected an integer')}`,
          `if (${value} >= ${node.min} && ${value} <= ${node.max}) ${target} = ${value};`,
          // Below the minimum or past 2^53: structure (dsl.ts says why). Above the maximum: an odd value.
          `else if (${value} < ${node.min} || !isSafeInteger(${value})) ${fail(range)}`,
          `else ${target} = ${this.odd(path, range)};`,
        ].join('\n');
      }
      case 'bool':
        return `if (typeof ${value} !== 'boolean') ${fail('expected true or false')}\n${target} = ${value};`;
      case 'string': {
        const pattern = this.constant(node.pattern);
        const lines = [`if (typeof ${value} !== 'string') ${fail('expected a string')}`];
        let text = value;
        if (this.lenient) {
          text = `${target}_text`;
          lines.push(`let ${text} = ${value}.trim();`);
          if (node.normalize) lines.push(`${text} = ${this.constant(node.normalize)}(${text});`);
        }
        const blank = this.lenient && node.optional ? `if (${text} === '') ${target} = LEFT_OUT;\nelse ` : '';
        lines.push(
          `${blank}if (${text}.length > ${node.maxLength}) ${target} = ${this.odd(path, `longer than ${node.maxLength} characters`)};`,
          `else if (!${pattern}.test(${text})) ${target} = ${this.odd(path, 'not an allowed value')};`,
          `else ${target} = ${text};`,
        );
        return `{\n${lines.join('\n')}\n}`;
      }
      case 'enum': {
        const values = this.constant(new Set(node.values));
        const reason = `expected one of ${node.values.join(', ')}`;
        const lines = [`if (typeof ${value} !== 'string') ${fail('expected a string')}`, `if (${values}.has(${value})) ${target} = ${value};`];
        if (this.lenient) {
          // A fixed vocabulary: compared trimmed and in lower case.
          lines.push(
            `else {`,
            `  const folded = ${value}.trim().toLowerCase();`,
            node.optional ? `  if (folded === '') ${target} = LEFT_OUT; else` : '',
            `  if (${values}.has(folded)) ${target} = folded;`,
            `  else ${target} = ${this.odd(path, reason)};`,
            `}`,
          );
        } else lines.push(`else ${fail(reason)}`);
        return lines.join('\n');
      }
      case 'object':
      case 'map':
      case 'array': {
        const name = this.container(node, path, depth);
        return `${target} = ${name}(${value}, ${path.known === null ? path.expr : '""'}, dropped, rescue);`;
      }
    }
  }

  /** A function for an object, map or list node at `path`; its name. */
  private container(node: ObjectNode | MapNode | (SchemaNode & { kind: 'array' }), at: Path, depth: number): string {
    const name = `check${this.names++}_${node.kind}`;
    // A path known when compiling is written in; otherwise the caller passes it.
    const path: Path = at.known !== null ? at : { known: null, expr: 'path' };
    const lines = [`function ${name}(input, path, dropped, rescue) {`];
    const fail = (reason: string, where = path) => `throw new Violation(${where.expr}, ${lit(reason)});`;
    const enter = this.options.maxDepth !== undefined && depth >= this.options.maxDepth ? fail('nested too deeply') : '';
    switch (node.kind) {
      case 'array': {
        lines.push(
          `if (!isArray(input)) ${fail('expected a list')}`,
          enter,
          `if (input.length > ${node.maxItems}) ${fail(`more than ${node.maxItems} items`)}`,
          `const out = [];`,
          `for (let index = 0; index < input.length; index++) {`,
          `  const item = input[index];`,
          `  let checked;`,
          this.check(node.item, 'item', { known: null, expr: `${path.expr} + "[" + index + "]"` }, depth + 1, 'checked'),
          `  if (checked !== LEFT_OUT) out.push(checked);`,
          `}`,
          `return out;`,
        );
        break;
      }
      case 'map':
        lines.push(...this.mapBody(node, path, depth, fail, enter));
        break;
      case 'object':
        lines.push(...this.objectBody(node, path, depth, fail, enter));
        break;
    }
    lines.push('}');
    this.functions.push(lines.join('\n'));
    return name;
  }

  private mapBody(node: MapNode, path: Path, depth: number, fail: (reason: string, where?: Path) => string, enter: string): string[] {
    const entryPath = child(path, '*');
    const keyPattern = this.constant(node.keyPattern);
    const key: string[] = [];
    if (this.lenient) {
      // dsl.ts's mapKey(): trimmed and normalized, rescued by the caller, or left out.
      const plain = node.normalizeKey ? 'false' : `${keyPattern}.test(entry) && entry.trim() === entry`;
      key.push(
        `let name;`,
        `if (${plain}) name = entry;`,
        `else {`,
        `  let trimmed = entry.trim();`,
        node.normalizeKey ? `  trimmed = ${this.constant(node.normalizeKey)}(trimmed);` : '',
        `  if (FORBIDDEN_KEYS.has(trimmed)) ${fail('forbidden key', entryPath)}`,
        `  if (${keyPattern}.test(trimmed)) name = trimmed;`,
        `  else name = (rescue === undefined ? undefined : rescue(${path.expr}, trimmed)) ?? odd(dropped, ${entryPath.expr});`,
        `}`,
      );
    } else key.push(`if (!${keyPattern}.test(entry)) ${fail('key not allowed', entryPath)}`, `const name = entry;`);
    return [
      `if (!isPlainObject(input)) ${fail('expected an object')}`,
      enter,
      `const keys = objectKeys(input);`,
      `if (keys.length > ${node.maxEntries}) ${fail(`more than ${node.maxEntries} entries`)}`,
      `const out = {};`,
      `for (let index = 0; index < keys.length; index++) {`,
      `  const entry = keys[index];`,
      `  if (FORBIDDEN_KEYS.has(entry)) ${fail('forbidden key', entryPath)}`,
      ...key,
      `  if (name === LEFT_OUT) continue;`,
      `  const value = input[entry];`,
      `  let checked;`,
      this.check(node.value, 'value', entryPath, depth + 1, 'checked'),
      `  if (checked === LEFT_OUT) continue;`,
      `  if (!hasOwn(out, name)) { out[name] = checked; continue; }`,
      // Two keys that normalize to one (FLAC and flac): counts add up; anything else keeps the first.
      `  const earlier = out[name];`,
      `  if (typeof checked === 'number' && typeof earlier === 'number') out[name] = earlier + checked;`,
      `  else ${this.odd(entryPath, 'key not allowed')};`,
      `}`,
      `return out;`,
    ];
  }

  private objectBody(node: ObjectNode, path: Path, depth: number, fail: (reason: string, where?: Path) => string, enter: string): string[] {
    const keyPath: Path = { known: null, expr: `join(${path.expr}, name)` };
    const lines = [
      `if (!isPlainObject(input)) ${fail('expected an object')}`,
      enter,
      // Fields are read by name below, without asking whether each is the object's own: only an
      // object whose prototype is Object.prototype (unpolluted: the entry checks it) or null is read here.
      `const prototype = getPrototypeOf(input);`,
      `if (prototype !== ObjectPrototype && prototype !== null) throw NOT_PLAIN;`,
      `for (const name of objectKeys(input)) {`,
      `  if (FORBIDDEN_KEYS.has(name)) ${fail('forbidden key', keyPath)}`,
      this.options.unknownKeys === 'reject' ? `  if (!hasOwn(${this.constant(node.fields)}, name)) ${fail('field not in the allowlist', keyPath)}` : '',
      `}`,
      `const out = {};`,
    ];
    let index = 0;
    for (const [name, field] of Object.entries(node.fields)) {
      this.fieldNames.add(name);
      const value = `field${index}`;
      const result = `checked${index++}`;
      const fieldPath = child(path, name);
      const property = `[${lit(name)}]`;
      lines.push(
        `const ${value} = input${property};`,
        `let ${result};`,
        `if (${value} === undefined) {`,
        field.optional ? '' : `  ${fail('required', fieldPath)}`,
        `} else {`,
        this.check(field, value, fieldPath, depth + 1, result),
        `  if (${result} !== LEFT_OUT) out${property} = ${result};`,
        // A required part left out takes its whole object with it (a plugin without its name).
        field.optional ? '' : `  else return LEFT_OUT;`,
        `}`,
      );
    }
    lines.push('return out;');
    return lines;
  }
}

function compile(node: SchemaNode, options: CompileOptions): Compiled {
  const { source, constants } = new Generator(options).program(node);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point of this module; see its header.
  const factory = new Function('runtime', 'constants', 'root', source) as (runtime: typeof RUNTIME, constants: unknown[], root: SchemaNode) => Compiled;
  return factory(RUNTIME, constants, node);
}
