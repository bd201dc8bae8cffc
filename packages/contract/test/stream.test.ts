import { beforeAll, describe, expect, it } from 'vitest';
import { checkEventStream, loadSpec, SchemaValidator, type Spec, type StreamSchema, streamSchemaFor } from '../src/index.js';
import { buildEvents } from '../src/sse-mock.js';

let spec: Spec;
let validator: SchemaValidator;
let generate: StreamSchema;

function schemaOf(operationId: string): StreamSchema {
  const op = spec.operations.get(operationId);
  if (!op) throw new Error(`no ${operationId} in the spec`);
  const schema = streamSchemaFor(spec, op);
  if (typeof schema === 'string') throw new Error(schema);
  return schema;
}

/** An SSE body from raw text chunks (split wherever the test wants). */
function body(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

/** Events built from the spec's own stream examples: `partials` partial events, then the completed one. */
function specEvents(schema: StreamSchema, partials: number): Array<{ type: string; payload: Record<string, unknown> }> {
  const events = buildEvents(schema, partials);
  if (typeof events === 'string') throw new Error(events);
  return events;
}

const sse = (events: Array<{ type: string | undefined; payload: unknown }>) =>
  events.map((e) => `${e.type === undefined ? '' : `event: ${e.type}\n`}data: ${JSON.stringify(e.payload)}\n\n`).join('');

const check = (stream: ReadableStream<Uint8Array>, requestedPartials = 2) =>
  checkEventStream(stream, { validator, schema: generate, requestedPartials, expectedFinals: 1 });

beforeAll(() => {
  spec = loadSpec();
  validator = new SchemaValidator(spec);
  generate = schemaOf('createImage');
});

describe('stream schema read from the merged spec', () => {
  it('finds both event kinds of each streaming operation, the discriminator and the index field', () => {
    for (const operationId of ['createImage', 'createImageEdit']) {
      const schema = schemaOf(operationId);
      expect(schema.branches.size).toBe(2);
      expect([...schema.branches.values()].filter((b) => b.partial)).toHaveLength(1);
      expect(schema.examples.length).toBeGreaterThanOrEqual(2);
    }
    expect(generate.discriminator).toBe('type');
    expect(generate.indexField).toBe('partial_image_index');
  });
});

describe('checkEventStream', () => {
  it('accepts the events built from the spec examples, even split mid-line with CRLF line ends', async () => {
    const text = sse(specEvents(generate, 2)).replace(/\n/g, '\r\n');
    const result = await check(body(text.slice(0, 7), text.slice(7, 300), text.slice(300)));
    expect(result.violations).toEqual([]);
    expect(result.types).toHaveLength(3);
  });

  it('fails a schema-violating event with its index and JSON path', async () => {
    const events = specEvents(generate, 2);
    const second = events[1];
    if (!second) throw new Error('expected 3 events');
    second.payload.b64_json = 12345;
    const result = await check(body(sse(events)));
    expect(result.violations).toEqual([expect.objectContaining({ where: 'event[1]', path: '/b64_json', message: 'must be string' })]);
  });

  it('reports a missing required field and an unknown event type with their paths', async () => {
    const [partial, , final] = specEvents(generate, 2);
    if (!partial || !final) throw new Error('expected 3 events');
    const { created_at: _, ...withoutCreatedAt } = partial.payload;
    const result = await check(
      body(
        sse([
          { type: partial.type, payload: withoutCreatedAt },
          { type: 'image_generation.bogus', payload: { ...partial.payload, type: 'image_generation.bogus' } },
          final,
        ]),
      ),
    );
    expect(result.violations).toEqual([
      expect.objectContaining({ where: 'event[0]', path: '/created_at', message: 'required property is missing' }),
      expect.objectContaining({
        where: 'event[1]',
        path: '/type',
        message: expect.stringContaining('must be equal to one of the allowed values'),
      }),
    ]);
  });

  it('reports invalid JSON data with the event index', async () => {
    const result = await check(body('event: image_generation.partial_image\ndata: {"type": "image_gen\n\n', sse(specEvents(generate, 0))));
    expect(result.violations).toEqual([
      expect.objectContaining({ where: 'event[0]', message: expect.stringMatching(/^data is not valid JSON/) }),
    ]);
  });

  it('checks the order: partial indexes ascend, partials come before the completed event, no more than requested', async () => {
    const [p0, p1, final] = specEvents(generate, 2);
    if (!p0 || !p1 || !final) throw new Error('expected 3 events');
    const outOfOrder = await check(body(sse([p1, p0, final])));
    expect(outOfOrder.violations).toEqual([
      expect.objectContaining({ where: 'event[1]', path: '/partial_image_index', message: '0 does not ascend (previous partial had 1)' }),
    ]);
    const afterFinal = await check(body(sse([p0, final, p1])));
    expect(afterFinal.violations).toEqual([
      expect.objectContaining({ where: 'event[2]', message: 'partial image after the completed event' }),
    ]);
    const tooMany = await check(body(sse([p0, p1, final])), 1);
    expect(tooMany.violations).toEqual([
      expect.objectContaining({ where: 'event[1]', message: 'more partial images than the 1 requested' }),
    ]);
  });

  it('requires the SSE event name to equal the payload type', async () => {
    const [p0, final] = specEvents(generate, 1);
    if (!p0 || !final) throw new Error('expected 2 events');
    const result = await check(
      body(
        sse([
          { type: final.type, payload: p0.payload },
          { type: undefined, payload: final.payload },
        ]),
      ),
    );
    expect(result.violations).toEqual([
      expect.objectContaining({ where: 'event[0]', message: expect.stringContaining('differs from its type') }),
      expect.objectContaining({ where: 'event[1]', message: expect.stringContaining('has no "event:" line') }),
    ]);
  });

  it('fails a stream that ends without the completed event, and an error event', async () => {
    const [p0] = specEvents(generate, 1);
    if (!p0) throw new Error('expected an event');
    const truncated = await check(body(sse([p0])));
    expect(truncated.violations).toEqual([
      expect.objectContaining({ where: 'stream', message: 'ended after 1 events with 0 of 1 completed events' }),
    ]);
    const error = await check(body('event: error\ndata: {"error":{"message":"boom","type":"server_error","param":null,"code":null}}\n\n'));
    expect(error.violations[0]).toEqual(expect.objectContaining({ where: 'event[0]', message: 'the server sent an error event: boom' }));
  });
});
