import { isObject, type JsonObject, type Spec } from './spec.js';

/** What the suite needs to know about one property schema, read through `$ref`, `anyOf` and `oneOf`. */
export interface PropertyFacts {
  name: string;
  pointer: string;
  required: boolean;
  deprecated: boolean;
  /** Declared values (without `null`); empty when the property has no enum. */
  enumValues: unknown[];
  /** A branch accepts any string, so values outside `enumValues` are valid too. */
  openString: boolean;
  nullable: boolean;
  /** `integer` or `number` bounds. */
  numeric?: { integer: boolean; minimum?: number; maximum?: number };
  /** A file upload: one file, or an array of files with its `maxItems`. */
  binary?: { multiple: boolean; single: boolean; maxItems?: number };
  /** `type: boolean` somewhere in the schema. */
  boolean: boolean;
  default: unknown;
  /** Other `examples` of the schema itself. */
  examples: unknown[];
}

const BINARY = (node: JsonObject) => node.format === 'binary' || (typeof node.contentMediaType === 'string' && node.type === 'string');

function types(node: JsonObject): string[] {
  if (typeof node.type === 'string') return [node.type];
  return Array.isArray(node.type) ? node.type.map(String) : [];
}

/** Facts about every property of the request (object) schema at `pointer`. */
export function requestProperties(spec: Spec, pointer: string): Map<string, PropertyFacts> {
  const { properties, required } = spec.objectShape(pointer);
  const out = new Map<string, PropertyFacts>();
  for (const [name, prop] of properties) out.set(name, propertyFacts(spec, name, prop.pointer, required.has(name)));
  return out;
}

export function propertyFacts(spec: Spec, name: string, pointer: string, required: boolean): PropertyFacts {
  const variants = spec.variants(pointer);
  const facts: PropertyFacts = {
    name,
    pointer,
    required,
    deprecated: variants.some((v) => v.node.deprecated === true),
    enumValues: [],
    openString: false,
    nullable: false,
    boolean: false,
    default: variants[0]?.node.default,
    examples: [],
  };
  for (const { node, pointer: at } of variants) {
    const t = types(node);
    // An enum the spec marks open accepts other values: not a place for an "unknown value" request.
    if (node['x-imagegen-open-enum'] === true) facts.openString = true;
    if (t.includes('null')) facts.nullable = true;
    if (t.includes('boolean')) facts.boolean = true;
    if (Array.isArray(node.enum)) {
      for (const value of node.enum) {
        if (value === null) facts.nullable = true;
        else if (!facts.enumValues.includes(value)) facts.enumValues.push(value);
      }
    } else if (t.includes('string') && !BINARY(node) && node.const === undefined) facts.openString = true;
    if (Array.isArray(node.examples)) facts.examples.push(...node.examples);
    if (t.includes('integer') || t.includes('number')) {
      facts.numeric = {
        integer: t.includes('integer'),
        ...(typeof node.minimum === 'number' && { minimum: node.minimum }),
        ...(typeof node.maximum === 'number' && { maximum: node.maximum }),
      };
    }
    if (t.includes('string') && BINARY(node)) facts.binary = { ...facts.binary, multiple: facts.binary?.multiple ?? false, single: true };
    if (t.includes('array')) {
      const items = spec.resolve(`${at}/items`).node;
      if (isObject(items) && BINARY(items)) {
        facts.binary = {
          single: facts.binary?.single ?? false,
          multiple: true,
          ...(typeof node.maxItems === 'number' && { maxItems: node.maxItems }),
        };
      }
    }
  }
  return facts;
}

/** A string that is not one of `values` (computed, so that no test or check restates an enum). */
export function undeclaredValue(values: readonly unknown[]): string {
  const strings = values.filter((v): v is string => typeof v === 'string');
  let candidate = `${strings[0] ?? 'value'}-undeclared`;
  while (strings.includes(candidate)) candidate = `${candidate}-x`;
  return candidate;
}
