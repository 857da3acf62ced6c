import type { SchemaNode } from '../../shared/schema/dsl';

/**
 * The core's schema language rendered as JSON Schema, for electron-store (ajv), which re-checks
 * every write of the settings file. Deliberately never stricter than the core's validator:
 * unknown keys stay allowed (the core drops them on load), and a pattern with flags JSON Schema
 * cannot express is left out. The core stays the authority; this is a second lock on the file.
 */
export type JsonSchema = Record<string, unknown>;

export function toJsonSchema(node: SchemaNode): JsonSchema {
  switch (node.kind) {
    case 'int':
      return { type: 'integer', minimum: node.min, maximum: node.max };
    case 'bool':
      return { type: 'boolean' };
    case 'string':
      return { type: 'string', maxLength: node.maxLength, ...(node.pattern.flags === '' ? { pattern: node.pattern.source } : {}) };
    case 'enum':
      return { enum: [...node.values] };
    case 'array':
      return { type: 'array', items: toJsonSchema(node.item), maxItems: node.maxItems };
    case 'map':
      return {
        type: 'object',
        maxProperties: node.maxEntries,
        ...(node.keyPattern.flags === '' ? { propertyNames: { pattern: node.keyPattern.source } } : {}),
        additionalProperties: toJsonSchema(node.value),
      };
    case 'object': {
      const properties = Object.fromEntries(Object.entries(node.fields).map(([key, child]) => [key, toJsonSchema(child)]));
      const required = Object.entries(node.fields)
        .filter(([, child]) => !child.optional)
        .map(([key]) => key);
      return { type: 'object', properties, ...(required.length ? { required } : {}) };
    }
  }
}
