import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { escapePointer, isObject, type Spec } from './spec.js';
import { type Violation, violation } from './violations.js';

// ajv-formats is CommonJS: the imported value is either the plugin or its module object, and
// both carry the plugin as `.default`.
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default;

const SPEC_ID = 'urn:imagegen:openapi';
/** The spec's mark on an enum the API keeps extending: clients accept other values. */
export const OPEN_ENUM = 'x-imagegen-open-enum';
const DECLARED = 'x-imagegen-declared-values';

/**
 * Ajv (JSON Schema 2020-12) over the whole merged spec, so that a schema is compiled by its JSON
 * pointer and every `#/components/…` reference inside it resolves.
 */
export class SchemaValidator {
  readonly #ajv: Ajv2020;
  readonly #cache = new Map<string, ValidateFunction | Error>();
  /** Undeclared values met in open enums during the current `validate` call. */
  #openEnumHits: Array<{ path: string; value: unknown; declared: unknown[] }> = [];

  constructor(spec: Spec) {
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, logger: false, validateSchema: false });
    addFormats(this.#ajv);
    // OpenAPI's own formats for file parts; nothing to check on an already-decoded value.
    for (const format of ['binary', 'byte', 'unixtime']) this.#ajv.addFormat(format, true);
    // An open enum accepts any value (so Ajv does not fail it) but an undeclared one is still drift:
    // it is recorded here and reported as a warning with its path.
    this.#ajv.addKeyword({
      keyword: OPEN_ENUM,
      schemaType: 'boolean',
      validate: (open: boolean, data: unknown, parent?: Record<string, unknown>, context?: { instancePath: string }) => {
        const declared = Array.isArray(parent?.[DECLARED]) ? (parent[DECLARED] as unknown[]) : [];
        if (open && declared.length > 0 && !declared.includes(data))
          this.#openEnumHits.push({ path: context?.instancePath ?? '', value: data, declared });
        return true;
      },
    });
    this.#ajv.addSchema(
      { ...(openEnums(structuredClone(spec.doc)) as Record<string, unknown>), $id: SPEC_ID },
      undefined,
      undefined,
      false,
    );
  }

  /**
   * Validates `value` against the schema at `pointer` in the spec. `where` labels the violations
   * (`body`, `event[2]`, …). A schema that does not compile is itself reported as a violation.
   */
  validate(pointer: string, value: unknown, where: string): Violation[] {
    const validate = this.#compile(pointer);
    if (validate instanceof Error) return [violation(where, '', `schema at #${pointer} does not compile: ${validate.message}`)];
    this.#openEnumHits = [];
    const ok = validate(value);
    const warnings = this.#openEnumHits.map((hit) => ({
      ...violation(
        where,
        hit.path,
        `${JSON.stringify(hit.value)} is not a declared value (${hit.declared.map(String).join(', ')}); the spec marks this enum open, so clients accept it, but the spec is behind`,
        'ajv',
      ),
      severity: 'warning' as const,
    }));
    if (ok) return warnings;
    return [...(validate.errors ?? []).map((e) => toViolation(e, where)), ...warnings];
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

/**
 * Moves the `enum` of every schema marked open aside, so that only the keyword above judges it. An
 * `anyOf` of a free string and an enum says by its schema that other values are fine: not drift.
 */
function openEnums(node: unknown): unknown {
  if (Array.isArray(node)) for (const item of node) openEnums(item);
  else if (isObject(node)) {
    if (node[OPEN_ENUM] === true && Array.isArray(node.enum)) {
      node[DECLARED] = node.enum.filter((v) => v !== null);
      if (node.enum.includes(null) && node.type === undefined)
        node.type = [...new Set(node.enum.map((v) => (v === null ? 'null' : typeof v)))];
      delete node.enum;
    }
    for (const value of Object.values(node)) openEnums(value);
  }
  return node;
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
