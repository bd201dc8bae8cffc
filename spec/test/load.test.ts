import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import spec from '../index.js';
import { deref, escapePointer, followRefs, jsonPath, pointerGet, readSpec, SpecError } from '../load.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'spec-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const at = path.join(tmp, name);
  writeFileSync(at, text);
  return at;
}

const doc = {
  openapi: '3.1.0',
  paths: { '/a/{b}': { post: { $ref: '#/components/x~1y' } } },
  components: {
    'x/y': { $ref: '#/components/%7Bz%7D' },
    '{z}': { list: ['zero', { $ref: '#/components/x~1y/missing' }] },
    loop: { $ref: '#/components/loop' },
    far: { $ref: 'other.yaml#/Thing' },
  },
};

describe('readSpec', () => {
  it('reads the merged spec by default: the document the package exports', () => {
    expect(readSpec()).toEqual(spec);
  });

  it('fails in one line naming the file: unreadable, not JSON (line and column), not OpenAPI 3.x', () => {
    const fails = (at: string) => {
      try {
        readSpec(at);
      } catch (error) {
        expect(error).toBeInstanceOf(SpecError);
        return (error as Error).message;
      }
      throw new Error(`${at} was read`);
    };
    expect(fails(path.join(tmp, 'missing.json'))).toBe(`spec ${path.join(tmp, 'missing.json')}: cannot read it (ENOENT)`);
    expect(fails(file('broken.json', '{\n  "openapi": "3.1.0",\n  oops\n}'))).toMatch(
      /broken\.json:3:3: not JSON \(.*\); pass the merged spec/,
    );
    expect(fails(file('swagger.json', '{ "swagger": "2.0", "paths": {} }'))).toMatch(/swagger\.json: not an OpenAPI 3\.x document/);
    expect(fails(file('nopaths.json', '{ "openapi": "3.1.0" }'))).toMatch(/nopaths\.json: not an OpenAPI 3\.x document/);
    expect(jsonPath).toMatch(/dist[/\\]openapi\.json$/);
  });
});

describe('pointers and $refs', () => {
  it('walks JSON pointers with ~0 / ~1 escapes and array indexes', () => {
    expect(escapePointer('/a/{b}')).toBe('~1a~1{b}');
    expect(pointerGet(doc, `/paths/${escapePointer('/a/{b}')}/post`)).toEqual({ $ref: '#/components/x~1y' });
    expect(pointerGet(doc, '/components/{z}/list/0')).toBe('zero');
    expect(pointerGet(doc, '/components/{z}/list/0/deeper')).toBeUndefined();
    expect(pointerGet(doc, '')).toBe(doc);
  });

  it('follows a chain of local $refs (percent-encoded ones too) and says where it ended', () => {
    expect(followRefs(doc, '/paths/~1a~1{b}/post')).toEqual({ node: doc.components['{z}'], pointer: '/components/{z}' });
    expect(followRefs(doc, '/nothing/here')).toEqual({ node: undefined, pointer: '/nothing/here' });
    expect(deref(doc, { $ref: '#/components/x~1y' })).toBe(doc.components['{z}']);
    expect(deref(doc, 'plain')).toBe('plain');
  });

  it('refuses a $ref that points nowhere, is external or cycles, naming the file', () => {
    expect(() => deref(doc, { $ref: '#/components/x~1y/missing' }, 'f.json')).toThrow(
      new SpecError('spec f.json: $ref #/components/x~1y/missing points nowhere'),
    );
    expect(() => followRefs(doc, '/components/far', 'f.json')).toThrow(
      'spec f.json: external $ref other.yaml#/Thing at /components/far (pass the merged spec)',
    );
    expect(() => followRefs(doc, '/components/loop')).toThrow('spec (spec object): $ref cycle at /components/loop');
  });
});
