import { describe, expect, it } from 'vitest';
import { OPEN_ENUM, SchemaValidator } from './schema.js';
import { undeclaredValue } from './schema-facts.js';
import { type JsonObject, loadSpec, Spec } from './spec.js';

/** The merged spec with the first enum property of the first 200 JSON response marked open (or closed). */
function withResponseEnum(open: boolean): { validator: SchemaValidator; pointer: string; name: string; values: unknown[] } {
  const spec = loadSpec();
  const doc = structuredClone(spec.doc);
  const edited = new Spec(spec.file, doc);
  const op = [...edited.operations.values()][0];
  const pointer = op?.responses.get('200')?.content.get('application/json')?.schemaPointer;
  if (!pointer) throw new Error('expected a JSON 200');
  const resolved = edited.resolve(pointer).pointer;
  for (const [name, prop] of edited.objectShape(resolved).properties) {
    const node = edited.at(prop.pointer) as JsonObject;
    if (!Array.isArray(node.enum)) continue;
    if (open) node[OPEN_ENUM] = true;
    else delete node[OPEN_ENUM];
    return { validator: new SchemaValidator(edited), pointer: resolved, name, values: node.enum };
  }
  throw new Error('expected an enum property in the response');
}

describe('undeclared values in response enums', () => {
  it('are drift with their path: an error in a closed enum', () => {
    const { validator, pointer, name, values } = withResponseEnum(false);
    const violations = validator.validate(pointer, { [name]: undeclaredValue(values) }, 'body');
    expect(violations).toContainEqual(expect.objectContaining({ path: `/${name}`, severity: 'error' }));
  });

  it('are still drift in an enum marked x-imagegen-open-enum, at warning level, and a declared value is fine', () => {
    const { validator, pointer, name, values } = withResponseEnum(true);
    const value = undeclaredValue(values);
    const violations = validator.validate(pointer, { [name]: value }, 'body').filter((v) => v.path === `/${name}`);
    expect(violations).toEqual([
      expect.objectContaining({
        path: `/${name}`,
        severity: 'warning',
        message: expect.stringContaining(`${JSON.stringify(value)} is not a declared value`),
      }),
    ]);
    expect(validator.validate(pointer, { [name]: values.find((v) => v !== null) }, 'body').filter((v) => v.path === `/${name}`)).toEqual(
      [],
    );
  });
});
