import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { escapePointer, isObject, type Spec } from './spec.js';
import { type Violation, violation } from './violations.js';

// ajv-formats is CommonJS: the imported value is either the plugin or its module object, and
// both carry the plugin as `.default`.
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default;

const SPEC_ID = 'urn:imagegen:openapi';

/**
 * Ajv (JSON Schema 2020-12) over the whole merged spec, so that a schema is compiled by its JSON
 * pointer and every `#/components/…` reference inside it resolves.
 */
export class SchemaValidator {
  readonly #ajv: Ajv2020;
  readonly #cache = new Map<string, ValidateFunction | Error>();

  constructor(spec: Spec) {
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, logger: false, validateSchema: false });
    addFormats(this.#ajv);
    // OpenAPI's own formats for file parts; nothing to check on an already-decoded value.
    for (const format of ['binary', 'byte', 'unixtime']) this.#ajv.addFormat(format, true);
    this.#ajv.addSchema({ ...spec.doc, $id: SPEC_ID }, undefined, undefined, false);
  }

  /**
   * Validates `value` against the schema at `pointer` in the spec. `where` labels the violations
   * (`body`, `event[2]`, …). A schema that does not compile is itself reported as a violation.
   */
  validate(pointer: string, value: unknown, where: string): Violation[] {
    const validate = this.#compile(pointer);
    if (validate instanceof Error) return [violation(where, '', `schema at #${pointer} does not compile: ${validate.message}`)];
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => toViolation(e, where));
  }

  #compile(pointer: string): ValidateFunction | Error {
    let fn = this.#cache.get(pointer);
    if (!fn) {
      try {
        fn = this.#ajv.compile({ $ref: `${SPEC_ID}#${encodeURI(pointer)}` });
      } catch (error) {
        fn = error instanceof Error ? error : new Error(String(error));
      }
      this.#cache.set(pointer, fn);
    }
    return fn;
  }
}

function toViolation(error: ErrorObject, where: string): Violation {
  const params: Record<string, unknown> = isObject(error.params) ? error.params : {};
  let path = error.instancePath;
  let message = error.message ?? error.keyword;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    path = `${path}/${escapePointer(params.missingProperty)}`;
    message = 'required property is missing';
  } else if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    path = `${path}/${escapePointer(params.additionalProperty)}`;
    message = 'property is not allowed by the schema (additionalProperties)';
  } else if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    message = `${message}: ${params.allowedValues.join(', ')}`;
  } else if (error.keyword === 'const') {
    message = `${message}: ${JSON.stringify(params.allowedValue)}`;
  }
  return violation(where, path, message, 'ajv');
}
