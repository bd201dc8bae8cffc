import { isObject, type OperationInfo, type Spec } from './spec.js';

export const EVENT_STREAM = 'text/event-stream';

/** One member of a stream-event union, e.g. the partial-image event of generations. */
export interface EventBranch {
  /** The discriminator value, which is also the SSE `event:` name. */
  type: string;
  /** JSON pointer of the branch schema in the spec. */
  pointer: string;
  /** Partial-image events carry an index; the final (completed) event does not. */
  partial: boolean;
}

/** What the spec says about an operation's `text/event-stream` response, derived, not restated. */
export interface StreamSchema {
  /** The discriminator property (`type`). */
  discriminator: string;
  /** The integer property only partial events have (`partial_image_index`). */
  indexField: string;
  branches: Map<string, EventBranch>;
  /** The media type's examples, one event payload each. */
  examples: unknown[];
}

/**
 * Reads the stream-event union of an operation's 200 `text/event-stream` response: its branches,
 * the discriminator, and which branches are partial-image events (those with an integer property
 * the other branches lack). Returns a string explaining what is missing when the spec does not
 * have that shape.
 */
export function streamSchemaFor(spec: Spec, op: OperationInfo): StreamSchema | string {
  const media = op.responses.get('200')?.content.get(EVENT_STREAM);
  if (!media?.schemaPointer) return `${op.operationId} declares no ${EVENT_STREAM} schema for 200`;
  const union = spec.resolve(media.schemaPointer);
  if (!isObject(union.node)) return `${op.operationId}: ${EVENT_STREAM} schema is not an object`;
  const keyword = Array.isArray(union.node.oneOf) ? 'oneOf' : Array.isArray(union.node.anyOf) ? 'anyOf' : undefined;
  if (!keyword) return `${op.operationId}: ${EVENT_STREAM} schema at #${union.pointer} is not a oneOf/anyOf of event schemas`;
  const members = (union.node[keyword] as unknown[]).map((_, i) => spec.resolve(`${union.pointer}/${keyword}/${i}`));
  const objects = members.map((m) => (isObject(m.node) && isObject(m.node.properties) ? m.node.properties : {}));

  const declared = isObject(union.node.discriminator) ? union.node.discriminator : {};
  const discriminator =
    typeof declared.propertyName === 'string'
      ? declared.propertyName
      : Object.keys(objects[0] ?? {}).find((key) => objects.every((props) => constValue(props[key]) !== undefined));
  if (!discriminator) return `${op.operationId}: cannot find the discriminator of #${union.pointer}`;
  const mapping = isObject(declared.mapping) ? declared.mapping : {};

  const integerProps = objects.map(
    (props) => new Set(Object.keys(props).filter((key) => isObject(props[key]) && typeOf(props[key]).includes('integer'))),
  );
  const indexField = [...new Set(integerProps.flatMap((set) => [...set]))].find(
    (key) => integerProps.some((set) => set.has(key)) && !integerProps.every((set) => set.has(key)),
  );
  if (!indexField)
    return `${op.operationId}: cannot tell partial from final events in #${union.pointer} (no integer property only some events have)`;

  const branches = new Map<string, EventBranch>();
  members.forEach((member, i) => {
    const fromMapping = Object.entries(mapping).find(([, ref]) => ref === `#${member.pointer}`)?.[0];
    const type = fromMapping ?? constValue(objects[i]?.[discriminator]);
    if (typeof type === 'string') branches.set(type, { type, pointer: member.pointer, partial: integerProps[i]?.has(indexField) ?? false });
  });
  if (branches.size !== members.length)
    return `${op.operationId}: not every event schema in #${union.pointer} has a constant ${discriminator}`;
  return { discriminator, indexField, branches, examples: media.examples };
}

function constValue(schema: unknown): unknown {
  if (!isObject(schema)) return undefined;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length === 1) return schema.enum[0];
  return undefined;
}

function typeOf(schema: unknown): string[] {
  if (!isObject(schema)) return [];
  if (typeof schema.type === 'string') return [schema.type];
  return Array.isArray(schema.type) ? schema.type.map(String) : [];
}
