import { readSse } from '@imagegen/client/internal/sse';
import type { SchemaValidator } from './schema.js';
import { checkBase64Image, checkEcho, checkUsage, type Expectation } from './semantics.js';
import { escapePointer, isObject, type Spec } from './spec.js';
import type { StreamSchema } from './stream-schema.js';
import { type Violation, violation } from './violations.js';

export interface EventStreamCheckOptions {
  validator: SchemaValidator;
  schema: StreamSchema;
  /** The request's `partial_images`: more partial events than this is a violation. */
  requestedPartials: number;
  /** Completed events expected (the request's `n`). */
  expectedFinals: number;
  /** Fail the stream when no byte arrives for this long (keep-alive comments count). Default: no limit. */
  idleTimeoutMs?: number;
  /** Check each event's image, echoed fields and usage against what the request asked for. */
  semantics?: { spec: Spec; expected: Expectation };
}

export interface EventStreamCheckResult {
  violations: Violation[];
  /** The discriminator value of each event, in arrival order (`?` when unreadable). */
  types: string[];
  /** The semantic comparisons made. */
  checked: string[];
  /** The stream went silent for longer than `idleTimeoutMs`. */
  stalled: boolean;
}

class StallError extends Error {}

/** The body's chunks, failing with a StallError when the next one takes longer than `ms`. */
async function* idleGuard(body: ReadableStream<Uint8Array>, ms: number | undefined): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => {
        if (ms !== undefined) timer = setTimeout(() => reject(new StallError(`no data for ${ms / 1000} s`)), ms);
      });
      try {
        const next = await Promise.race([reader.read(), stalled]);
        if (next.done) return;
        yield next.value;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
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
  const checked = new Set<string>();
  let finals = 0;
  let partials = 0;
  let lastIndex = -1;
  let index = -1;

  try {
    for await (const message of readSse(idleGuard(body, options.idleTimeoutMs))) {
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
      if (options.semantics) violations.push(...eventSemantics(options.semantics, branch, payload, where, checked));
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
          violations.push(violation(where, '', `more partial images than the ${requestedPartials} requested (for one image)`));
        }
      } else {
        // With n > 1 each image streams its own partial images, indexes from 0 again.
        partials = 0;
        lastIndex = -1;
        finals++;
        if (finals === expectedFinals + 1)
          violations.push(violation(where, '', `more completed events than the ${expectedFinals} expected`));
      }
    }
  } catch (error) {
    const stalled = error instanceof StallError;
    const what = stalled ? 'stalled' : 'reading the stream failed';
    violations.push(
      violation('stream', '', `${what} after ${index + 1} events: ${error instanceof Error ? error.message : String(error)}`),
    );
    return { violations, types, checked: [...checked], stalled };
  }
  if (index === -1) violations.push(violation('stream', '', 'no events'));
  else if (finals < expectedFinals) {
    violations.push(violation('stream', '', `ended after ${index + 1} events with ${finals} of ${expectedFinals} completed events`));
  }
  if (options.semantics) checked.add(`completed events = ${expectedFinals}`);
  return { violations, types, checked: [...checked], stalled: false };
}

/** The image in an event, and for the completed event also the echoed fields and the usage. */
function eventSemantics(
  semantics: NonNullable<EventStreamCheckOptions['semantics']>,
  branch: { pointer: string; partial: boolean },
  payload: Record<string, unknown>,
  where: string,
  checked: Set<string>,
): Violation[] {
  const { spec, expected } = semantics;
  const relabel = (list: Violation[]) => list.map((v) => ({ ...v, where }));
  const out: Violation[] = [];
  for (const [name, prop] of spec.objectShape(branch.pointer).properties) {
    const value = payload[name];
    if (typeof value === 'string' && spec.variants(prop.pointer).some((v) => v.node.contentEncoding === 'base64'))
      out.push(...relabel(checkBase64Image(value, `/${escapePointer(name)}`, expected, payload, checked, !branch.partial)));
  }
  if (!branch.partial)
    out.push(...relabel(checkEcho(payload, expected, '', checked)), ...relabel(checkUsage(spec, branch.pointer, payload, '', checked)));
  return out;
}

function abbreviate(text: string): string {
  return text.length > 80 ? `${JSON.stringify(text.slice(0, 80))}…` : JSON.stringify(text);
}
