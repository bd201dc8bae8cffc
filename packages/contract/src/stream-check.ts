import { readSse } from '@imagegen/client/internal/sse';
import type { SchemaValidator } from './schema.js';
import { isObject } from './spec.js';
import type { StreamSchema } from './stream-schema.js';
import { type Violation, violation } from './violations.js';

export interface EventStreamCheckOptions {
  validator: SchemaValidator;
  schema: StreamSchema;
  /** The request's `partial_images`: more partial events than this is a violation. */
  requestedPartials: number;
  /** Completed events expected (the request's `n`). */
  expectedFinals: number;
}

export interface EventStreamCheckResult {
  violations: Violation[];
  /** The discriminator value of each event, in arrival order (`?` when unreadable). */
  types: string[];
}

/**
 * Reads an image SSE stream to its end and checks every event: its data is JSON, it validates
 * against the spec's schema for its `type` (violations are labelled `event[i]` with the JSON path
 * inside the event), the SSE `event:` name equals that `type`, partial images come first with
 * ascending indexes and no more than requested, and the stream ends with the expected number of
 * completed events.
 */
export async function checkEventStream(
  body: ReadableStream<Uint8Array>,
  options: EventStreamCheckOptions,
): Promise<EventStreamCheckResult> {
  const { validator, schema, requestedPartials, expectedFinals } = options;
  const { discriminator, indexField } = schema;
  const violations: Violation[] = [];
  const types: string[] = [];
  let finals = 0;
  let partials = 0;
  let lastIndex = -1;
  let index = -1;

  try {
    for await (const message of readSse(body)) {
      index++;
      const where = `event[${index}]`;
      let payload: unknown;
      try {
        payload = JSON.parse(message.data);
      } catch (error) {
        types.push('?');
        const reason = error instanceof Error ? error.message : String(error);
        violations.push(violation(where, '', `data is not valid JSON (${reason}): ${abbreviate(message.data)}`));
        continue;
      }
      if (message.event === 'error' || (isObject(payload) && payload.error !== undefined)) {
        types.push('error');
        const detail = isObject(payload) && isObject(payload.error) ? payload.error.message : undefined;
        violations.push(
          violation(where, '', `the server sent an error event: ${typeof detail === 'string' ? detail : abbreviate(message.data)}`),
        );
        continue;
      }
      const type = isObject(payload) ? payload[discriminator] : undefined;
      types.push(typeof type === 'string' ? type : '?');
      if (!isObject(payload)) {
        violations.push(violation(where, '', 'must be object'));
        continue;
      }
      const branch = typeof type === 'string' ? schema.branches.get(type) : undefined;
      if (!branch) {
        const allowed = [...schema.branches.keys()].join(', ');
        const message = type === undefined ? 'required property is missing' : `must be equal to one of the allowed values: ${allowed}`;
        violations.push(violation(where, `/${discriminator}`, message));
        continue;
      }
      violations.push(...validator.validate(branch.pointer, payload, where));
      if (message.event === undefined)
        violations.push(violation(where, '', `has no "event:" line (its ${discriminator} is "${branch.type}")`));
      else if (message.event !== branch.type) {
        violations.push(violation(where, '', `SSE event name "${message.event}" differs from its ${discriminator} "${branch.type}"`));
      }
      if (branch.partial) {
        partials++;
        if (finals >= expectedFinals) violations.push(violation(where, '', 'partial image after the completed event'));
        const at = payload[indexField];
        if (typeof at === 'number') {
          if (at <= lastIndex)
            violations.push(violation(where, `/${indexField}`, `${at} does not ascend (previous partial had ${lastIndex})`));
          lastIndex = Math.max(lastIndex, at);
        }
        if (partials === requestedPartials + 1) {
          violations.push(violation(where, '', `more partial images than the ${requestedPartials} requested`));
        }
      } else {
        finals++;
        if (finals === expectedFinals + 1)
          violations.push(violation(where, '', `more completed events than the ${expectedFinals} expected`));
      }
    }
  } catch (error) {
    violations.push(
      violation(
        'stream',
        '',
        `reading the stream failed after ${index + 1} events: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
    return { violations, types };
  }
  if (index === -1) violations.push(violation('stream', '', 'no events'));
  else if (finals < expectedFinals) {
    violations.push(violation('stream', '', `ended after ${index + 1} events with ${finals} of ${expectedFinals} completed events`));
  }
  return { violations, types };
}

function abbreviate(text: string): string {
  return text.length > 80 ? `${JSON.stringify(text.slice(0, 80))}…` : JSON.stringify(text);
}
