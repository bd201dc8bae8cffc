import { mulberry32 } from '@imagegen/mock';
import { isFilePart, materialize, type RequestCase, requestFacts, VOCABULARY } from './cases.js';
import { isObject, type JsonObject, type OperationInfo, type Spec } from './spec.js';

// Generated requests cost money in --live: image counts stay small whatever `maximum` allows.
const MAX_GENERATED_COUNT = 2;
const MAX_GENERATED_FILES = 3;

/**
 * `count` valid requests for `op`, property-based and seeded: each starts from one of the spec's
 * request examples and redraws some of its fields. Enum-like values come from the values the spec's
 * examples use with the same model (the spec states per-model limits only in prose, so the
 * examples are the valid combinations it vouches for); numbers are drawn within the schema's bounds;
 * upload arrays get 1…3 files, and a mask is added or dropped where the schema has one.
 */
export function generatedCases(spec: Spec, op: OperationInfo, examples: RequestCase[], count: number, seed: number): RequestCase[] {
  const bases = examples.filter((c) => c.origin === 'example' && !usesDeprecated(spec, op, c));
  if (bases.length === 0 || count <= 0) return [];
  const next = mulberry32(seed ^ hash(op.operationId));
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(next() * list.length)];
  const seen = valuesByModel(spec);
  const out: RequestCase[] = [];
  for (let i = 0; i < count; i++) {
    const base = pick(bases);
    if (!base) break;
    const props = requestFacts(spec, op, base.mediaType);
    const model = base.fields.model;
    const raw: JsonObject = structuredClone(rawOf(base.fields));
    for (const facts of props.values()) {
      if (facts.deprecated || facts.required || next() < 0.5) continue;
      const { name } = facts;
      if (facts.binary) {
        if (facts.binary.multiple && Array.isArray(raw[name])) {
          const limit = Math.min(facts.binary.maxItems ?? MAX_GENERATED_FILES, MAX_GENERATED_FILES);
          raw[name] = Array.from({ length: 1 + Math.floor(next() * limit) }, (_, k) => `${name}-${k}.png`);
        } else if (name === VOCABULARY.mask && base.mediaType.startsWith('multipart/')) {
          // Another single upload (an edit's markup) may exclude a mask: only add one beside image files.
          const otherUpload = [...props.values()].some(
            (f) => f.binary && !f.binary.multiple && f.name !== name && raw[f.name] !== undefined,
          );
          if (raw[name] !== undefined) delete raw[name];
          else if (!otherUpload) raw[name] = 'mask.png';
        }
        continue;
      }
      if (facts.numeric && name !== VOCABULARY.partialImages) {
        const min = facts.numeric.minimum ?? 0;
        const max =
          name === VOCABULARY.count
            ? Math.min(facts.numeric.maximum ?? MAX_GENERATED_COUNT, MAX_GENERATED_COUNT)
            : (facts.numeric.maximum ?? min + 10);
        if (max >= min) raw[name] = min + Math.floor(next() * (max - min + 1));
        continue;
      }
      if (facts.enumValues.length === 0 && !facts.openString && !facts.boolean) continue;
      const values = [...(seen.get(`${base.mediaType}\u0000${String(model)}\u0000${name}`) ?? [])].filter(
        (v) => v !== null && v !== raw[name],
      );
      const value = pick(values);
      if (value !== undefined) raw[name] = value;
    }
    const streams = raw[VOCABULARY.stream] === true;
    const partials = props.get(VOCABULARY.partialImages)?.numeric;
    if (streams && partials)
      raw[VOCABULARY.partialImages] =
        (partials.minimum ?? 0) + Math.floor(next() * ((partials.maximum ?? 1) - (partials.minimum ?? 0) + 1));
    const label = `generated #${i + 1} (seed ${seed}, from ${base.label})`;
    out.push({
      ...materialize(spec, op, base.mediaType, raw, label, 'generated'),
      notes: [`fields: ${describeFields(raw)}`],
      base: base.label,
    });
  }
  return out;
}

/** Smaller versions of a failing request, simplest first: one field dropped back to its example value, counts lowered. */
export function shrinkCandidates(spec: Spec, op: OperationInfo, failing: RequestCase, base: RequestCase | undefined): RequestCase[] {
  const raw = rawOf(failing.fields);
  const baseRaw = base ? rawOf(base.fields) : {};
  const required = new Set([...requestFacts(spec, op, failing.mediaType).values()].filter((f) => f.required).map((f) => f.name));
  const out: JsonObject[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (required.has(name)) continue;
    if (Array.isArray(value) && value.length > 1) out.push({ ...raw, [name]: value.slice(0, 1) });
    if (typeof value === 'number' && value > 1 && name === VOCABULARY.count) out.push({ ...raw, [name]: 1 });
    if (typeof value === 'number' && value > 0 && name === VOCABULARY.partialImages) out.push({ ...raw, [name]: 0 });
    if (name === VOCABULARY.stream) continue;
    const { [name]: _, ...without } = raw;
    if (JSON.stringify(baseRaw[name]) !== JSON.stringify(value)) out.push(without);
  }
  return out.map((fields) => ({
    ...materialize(spec, op, failing.mediaType, fields, failing.label, 'generated'),
    notes: [`fields: ${describeFields(fields)}`],
  }));
}

/** Spec-level fields of a materialised request (files back to their names), for labels and shrinking. */
function rawOf(fields: Record<string, unknown>): JsonObject {
  const plain = (v: unknown): unknown => (isFilePart(v) ? v.filename : Array.isArray(v) ? v.map(plain) : v);
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, plain(v)]));
}

export function describeFields(raw: Record<string, unknown>): string {
  return Object.entries(rawOf(raw))
    .filter(([, v]) => typeof v !== 'string' || v.length < 80)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.length}]` : isObject(v) ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

function usesDeprecated(spec: Spec, op: OperationInfo, request: RequestCase): boolean {
  const props = requestFacts(spec, op, request.mediaType);
  return Object.keys(request.fields).some((k) => props.get(k)?.deprecated);
}

/** For each media type and model named in a request example: the values each field takes in those examples. */
function valuesByModel(spec: Spec): Map<string, Set<unknown>> {
  const out = new Map<string, Set<unknown>>();
  for (const op of spec.operations.values()) {
    for (const [mediaType, media] of op.requestContent) {
      for (const example of media.examples) {
        if (!isObject(example)) continue;
        for (const [name, value] of Object.entries(example)) {
          if (typeof value !== 'string' && typeof value !== 'boolean') continue;
          const key = `${mediaType}\u0000${String(example.model)}\u0000${name}`;
          out.set(key, (out.get(key) ?? new Set()).add(value));
        }
      }
    }
  }
  return out;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
