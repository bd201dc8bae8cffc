import { describe, expect, it } from 'vitest';
import { exampleImages } from './example-images.js';
import { isObject, type JsonObject, knownValues, loadSpec, operations, schemaAt, schemaProperties } from './spec.js';
import { expandDirectives, type MarkdownContext, propertiesList, streamEvents } from './spec-markdown.js';

const doc = loadSpec();
const ctx: MarkdownContext = { doc, samples: [], images: exampleImages(doc), generated: { page: () => 'GENERATED' } };
const expand = (markdown: string) => expandDirectives(markdown, 'guide.md', ctx);
const schemas = (doc.components as JsonObject).schemas as JsonObject;
// A request schema with a property whose values the spec lists, found rather than named.
const [schemaName, propName] = Object.entries(schemas)
  .flatMap(([name, s]) => Object.keys(schemaProperties(doc, s).properties).map((p) => [name, p] as const))
  .find(([name, p]) => knownValues(doc, schemaAt(doc, `${name}.${p}`)).length > 2) ?? ['', ''];

describe('spec directives', () => {
  it('renders the values a schema knows, in the spec’s order', () => {
    const values = knownValues(doc, schemaAt(doc, `${schemaName}.${propName}`));
    const text = expand(`<!-- values: ${schemaName}.${propName} -->`);
    expect(text).toBe(
      `${values
        .slice(0, -1)
        .map((v) => `\`${v}\``)
        .join(', ')} or \`${values.at(-1)}\``,
    );
  });

  it('renders a route and a link for every operation', () => {
    for (const op of operations(doc)) {
      expect(expand(`<!-- route: ${op.operationId} -->`)).toBe(`\`${op.method.toUpperCase()} ${op.path}\``);
      expect(expand(`<!-- ref: ${op.operationId} -->`)).toMatch(new RegExp(`\\]\\(/reference#${op.operationId}\\)$`));
    }
  });

  it('names the client method of every operation: the spec’s x-imagegen-method, else the method documenting its route', () => {
    const withMethods: MarkdownContext = {
      ...ctx,
      clientMethods: operations(doc).map((op, i) => ({ name: `method${i}`, doc: `\`${op.method.toUpperCase()} ${op.path}\`. More.` })),
    };
    for (const [i, op] of operations(doc).entries()) {
      const expected = typeof op.node['x-imagegen-method'] === 'string' ? op.node['x-imagegen-method'] : `method${i}`;
      expect(expandDirectives(`<!-- method: ${op.operationId} -->`, 'g.md', withMethods)).toBe(`\`client.images.${expected}(params)\``);
    }
  });

  it('reads any keyword of a schema, through anyOf branches', () => {
    const [name, prop] =
      Object.entries(schemas)
        .flatMap(([n, s]) => Object.entries(schemaProperties(doc, s).properties).map(([p, v]) => [n, p, v] as const))
        .find(([, , v]) => isObject(v) && typeof v.maximum === 'number') ?? [];
    const schema = schemaAt(doc, `${name}.${prop}`);
    expect(expand(`<!-- spec: ${name}.${prop} maximum -->`)).toBe(String(schema.maximum));
  });

  it('lists each stream event of a streaming operation with its fields', () => {
    const streaming = operations(doc).filter((op) => streamEvents(doc, op.operationId).length > 0);
    expect(streaming.length).toBeGreaterThan(0);
    for (const op of streaming) {
      const table = expand(`<!-- events: ${op.operationId} -->`);
      for (const e of streamEvents(doc, op.operationId)) expect(table).toContain(`- **\`${e.type}\`** · fields `);
    }
  });

  it('lists every property of a schema once, required ones marked', () => {
    const list = propertiesList(doc, schemaAt(doc, schemaName));
    const { properties, required } = schemaProperties(doc, schemaAt(doc, schemaName));
    for (const p of Object.keys(properties)) expect(list.split(`**\`${p}\`**`)).toHaveLength(2);
    for (const r of required) expect(list).toMatch(new RegExp(`\\*\\*\`${r.replace(/[[\]]/g, '\\$&')}\`\\*\\* · [^\\n]* · required`));
  });

  it('stops on anything the spec does not have, naming the file and the directive', () => {
    expect(() => expand('<!-- route: noSuchOperation -->')).toThrow(
      'guide.md: <!-- route: noSuchOperation -->: the spec has no operation noSuchOperation',
    );
    expect(() => expand(`<!-- values: ${schemaName}.noSuchField -->`)).toThrow(
      `guide.md: <!-- values: ${schemaName}.noSuchField -->: the spec has no ${schemaName}.noSuchField`,
    );
    expect(() => expand('<!-- sample: missing.ts -->')).toThrow('no sample missing.ts');
    expect(expand('<!-- generated: page -->')).toBe('GENERATED');
  });

  it('leaves other comments alone', () => {
    expect(expand('<!-- just a note -->')).toBe('<!-- just a note -->');
  });
});
