import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateCompiled } from '../../../shared/schema/compile';
import { optional, s, validate, type SchemaNode, type ValidateOptions } from '../../../shared/schema/dsl';
import { payloadSchema } from '../../../shared/schema/payload';
import { NAVIDROME_RELEASES, releaseReport } from '../../collector/support/navidrome-releases';

const lowerCase = (text: string) => text.toLowerCase();

/** Random schemas: every node kind, optional or not, with patterns, normalizers and field names that test the edges. */
const schemas: fc.Arbitrary<SchemaNode> = fc.letrec<{ node: SchemaNode }>((tie) => ({
  node: fc
    .tuple(
      fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.tuple(fc.integer({ min: -3, max: 5 }), fc.integer({ min: 0, max: 8 })).map(([min, span]) => s.int(min, min + span)),
        fc.constant(s.bool()),
        fc
          .tuple(fc.constantFrom(/^[a-z]{1,5}$/, /^[\x20-\x7e]{0,10}$/, /^x?$/, /^[A-Za-z ]+$/), fc.integer({ min: 0, max: 8 }), fc.boolean())
          .map(([pattern, max, fold]) => s.string(pattern, max, fold ? lowerCase : undefined)),
        fc.uniqueArray(fc.constantFrom('a', 'b', 'linux', 'x y'), { minLength: 1, maxLength: 3 }).map((values) => s.enum(values)),
        fc
          .uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'id', 'x y', 'toString', 'valueOf'), tie('node')), { selector: ([name]) => name, maxLength: 4 })
          .map((fields) => s.object(Object.fromEntries(fields))),
        fc
          .tuple(fc.constantFrom(/^[a-z]{1,4}$/, /^[A-Za-z0-9 ]+$/), tie('node'), fc.integer({ min: 0, max: 4 }), fc.boolean())
          .map(([pattern, value, max, fold]) => s.map(pattern, value, max, fold ? lowerCase : undefined)),
        fc.tuple(tie('node'), fc.integer({ min: 0, max: 3 })).map(([item, max]) => s.array(item, max)),
      ),
      fc.boolean(),
    )
    .map(([node, isOptional]) => (isOptional ? optional(node) : node)),
})).node;

const texts = fc.constantFrom('abc', ' Abc ', '', '  ', 'x', 'ABC', 'a'.repeat(12), 'linux', ' LINUX', '__proto__', 'constructor', 'toString', 'é', 'x y', 'b');
const junk = fc.oneof(fc.constantFrom(undefined, null, 0, 1, -1, 1.5, 2 ** 53, 7, 100, true, false, [], {}), texts, fc.jsonValue({ maxDepth: 2 }));

type Prototype = 'plain' | 'null' | 'inherits';
/**
 * An object with these own keys, in this order, whatever their names (`__proto__` too, as JSON.parse
 * makes it); its prototype Object.prototype, none, or one that holds fields of the schemas above.
 */
function objectOf(entries: [string, unknown][], kind: Prototype): Record<string, unknown> {
  const target: object =
    kind === 'plain' ? {} : kind === 'null' ? (Object.create(null) as object) : (Object.create({ a: 'abc', b: 1, id: true, ab: 2 }) as object);
  for (const [key, value] of entries) Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target as Record<string, unknown>;
}
const prototypes = fc.constantFrom<Prototype>('plain', 'plain', 'plain', 'plain', 'null', 'inherits');
/** Map keys: ones that normalize to one another, need trimming, are rescued, or are forbidden once trimmed. */
const mapKeys = fc.oneof(fc.constantFrom('FLAC', 'flac', ' flac', 'ab', ' ab', 'rescue me', 'prototype', ' __proto__ ', ' constructor', 'x y'), texts);

/** Documents shaped like `node` most of the time, with junk, odd text, extra and forbidden keys mixed in. */
function documentFor(node: SchemaNode): fc.Arbitrary<unknown> {
  const shaped = ((): fc.Arbitrary<unknown> => {
    switch (node.kind) {
      case 'int':
        return fc.oneof(fc.integer({ min: node.min - 2, max: node.max + 2 }), fc.constantFrom(node.min, node.max, 2 ** 53 + 2, 0.5));
      case 'bool':
        return fc.boolean();
      case 'string':
      case 'enum':
        return node.kind === 'enum' ? fc.oneof(fc.constantFrom(...node.values), texts) : texts;
      case 'array':
        return fc.array(documentFor(node.item), { maxLength: node.maxItems + 1 });
      case 'map':
        return fc
          .tuple(fc.uniqueArray(fc.tuple(mapKeys, documentFor(node.value)), { selector: ([key]) => key, maxLength: node.maxEntries + 1 }), prototypes)
          .map(([entries, kind]) => objectOf(entries, kind));
      case 'object': {
        const fields = Object.entries(node.fields).map(([name, child]) =>
          fc.option(
            documentFor(child).map((value): [string, unknown] => [name, value]),
            { nil: undefined, freq: 4 },
          ),
        );
        const extra = fc.array(fc.tuple(fc.constantFrom('zz', '__proto__', 'constructor', 'prototype', 'other'), junk), { maxLength: 1 });
        return fc.tuple(fc.tuple(...fields), extra, prototypes, fc.boolean()).map(([present, more, kind, reversed]) => {
          const entries = [...present.filter((entry) => entry !== undefined), ...more];
          return objectOf(reversed ? entries.reverse() : entries, kind);
        });
      }
    }
  })();
  return fc.oneof({ weight: 6, arbitrary: shaped }, { weight: 1, arbitrary: junk });
}

const optionSets: fc.Arbitrary<ValidateOptions> = fc.record({
  unknownKeys: fc.constantFrom('reject' as const, 'drop' as const),
  oddValues: fc.constantFrom('refuse' as const, 'drop' as const, undefined),
  maxDepth: fc.constantFrom(undefined, 0, 1, 2, 3, 16),
  rescueKey: fc.constantFrom(undefined, (_path: string, key: string) => (key.startsWith('r') ? `rescued ${key.length}` : undefined)),
});

/** Both validators on one document, typed loosely: the random schemas have no static type to infer. */
const compiled = (node: SchemaNode, input: unknown, options: ValidateOptions): unknown => validateCompiled(node as never, input, options);
const interpreted = (node: SchemaNode, input: unknown, options: ValidateOptions): unknown => validate(node as never, input, options);

/** Everything a result says, keys in their order: two results print the same only if they are the same. */
const printed = (run: () => unknown) => {
  try {
    return JSON.stringify(run());
  } catch (error) {
    return `threw ${String(error)}`;
  }
};

describe('the compiled validator', () => {
  it('gives what validate gives, on random schemas, documents and options', () => {
    const cases = schemas.chain((node) => fc.tuple(fc.constant(node), documentFor(node), optionSets));
    fc.assert(
      fc.property(cases, ([node, input, options]) => {
        expect(printed(() => compiled(node, input, options))).toBe(printed(() => interpreted(node, input, options)));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives what validate gives on the payload schema, for every released Navidrome shape, as sent and altered', () => {
    const options: ValidateOptions = {
      unknownKeys: 'drop',
      oddValues: 'drop',
      maxDepth: 16,
      rescueKey: (_path, key) => (key === 'rescue me' ? 'Rescued' : undefined),
    };
    const samples = NAVIDROME_RELEASES.map((shape) => releaseReport(shape));
    expect(samples.length).toBeGreaterThan(3);
    for (const sample of samples) {
      for (const strict of [options, { ...options, oddValues: 'refuse' as const }, { unknownKeys: 'reject' as const }]) {
        expect(printed(() => validateCompiled(payloadSchema, sample, strict))).toBe(printed(() => validate(payloadSchema, sample, strict)));
      }
    }
    // Each sample with one field replaced by something odd, anywhere the schema names.
    const paths = listPaths(payloadSchema);
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.constantFrom(...paths), junk, (sample, path, value) => {
        const altered = JSON.parse(JSON.stringify(sample)) as Record<string, unknown>;
        setAt(altered, path, value);
        expect(printed(() => validateCompiled(payloadSchema, altered, options))).toBe(printed(() => validate(payloadSchema, altered, options)));
      }),
      { numRuns: 1000 },
    );
    // The two maps whose keys are data: counts under keys that fold into one, need trimming, are rescued.
    const entries = fc.uniqueArray(fc.tuple(mapKeys, fc.oneof(fc.integer({ min: -1, max: 5 }), junk)), { selector: ([key]) => key, maxLength: 6 });
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.constantFrom<string[]>(['library', 'fileSuffixes'], ['library', 'activePlayers']),
        entries,
        (sample, path, mapEntries) => {
          const altered = JSON.parse(JSON.stringify(sample)) as Record<string, unknown>;
          setAt(altered, path, objectOf(mapEntries, 'plain'));
          expect(printed(() => validateCompiled(payloadSchema, altered, options))).toBe(printed(() => validate(payloadSchema, altered, options)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reads a document as validate does when Object.prototype holds a field of the schema', () => {
    const node = s.object({ version: optional(s.string(/^[0-9.]+$/, 16)), extra: optional(s.int(0, 9)) });
    const options: ValidateOptions = { unknownKeys: 'drop', oddValues: 'drop' };
    expect(validateCompiled(node, { extra: 1 }, options)).toEqual({ ok: true, value: { extra: 1 }, dropped: [] });
    const prototype = Object.prototype as Record<string, unknown>;
    prototype.version = '1.0';
    try {
      expect(validateCompiled(node, { extra: 1 }, options)).toEqual(validate(node, { extra: 1 }, options));
      expect(validateCompiled(node, { extra: 1 }, options)).toEqual({ ok: true, value: { extra: 1 }, dropped: [] });
    } finally {
      delete prototype.version;
    }
  });
});

/** Every path the schema names through objects (maps and lists as one field). */
function listPaths(node: SchemaNode, path: string[] = []): string[][] {
  if (node.kind !== 'object') return [path];
  return [path, ...Object.entries(node.fields).flatMap(([name, child]) => listPaths(child, [...path, name]))].filter((p) => p.length > 0);
}

function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let at = target;
  for (const key of path.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[path.at(-1)!] = value;
}
