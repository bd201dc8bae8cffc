import { beforeAll, describe, expect, it, vi } from 'vitest';
import { checkEventStream, loadSpec, SchemaValidator, type Spec, type StreamSchema, streamSchemaFor } from '../src/index.js';
import { isObject } from '../src/spec.js';

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
  const example = (partial: boolean) => {
    const found = schema.examples.filter(isObject).find((e) => schema.branches.get(String(e[schema.discriminator]))?.partial === partial);
    if (!found) throw new Error(`the spec has no ${partial ? 'partial' : 'completed'} stream example`);
    return found;
  };
  const partial = example(true);
  const final = example(false);
  return [
    ...Array.from({ length: partials }, (_, i) => ({
      type: String(partial[schema.discriminator]),
      payload: { ...partial, [schema.indexField]: i },
    })),
    { type: String(final[schema.discriminator]), payload: { ...final } },
  ];
}

const sse = (events: Array<{ type: string | undefined; payload: unknown }>) =>
  events.map((e) => `${e.type === undefined ? '' : `event: ${e.type}\n`}data: ${JSON.stringify(e.payload)}\n\n`).join('');

const check = (stream: ReadableStream<Uint8Array>, requestedPartials = 2) =>
  checkEventStream(stream, { validator, schema: generate, requestedPartials, expectedFinals: 1 });

beforeAll(() => {
  spec = loadSpec();
  validator = new SchemaValidator(spec);
  const [first] = streamingOperations();
  if (!first) throw new Error('the spec has no streaming operation');
  generate = schemaOf(first);
});

/** The operations whose 200 is (also) an event stream. */
function streamingOperations(): string[] {
  return [...spec.operations.values()]
    .filter((op) => op.responses.get('200')?.content.has('text/event-stream'))
    .map((op) => op.operationId);
}

describe('stream schema read from the merged spec', () => {
  it('finds both event kinds of each streaming operation, the discriminator and the index field', () => {
    expect(streamingOperations().length).toBeGreaterThan(0);
    for (const operationId of streamingOperations()) {
      const schema = schemaOf(operationId);
      expect(schema.branches.size).toBe(2);
      expect([...schema.branches.values()].filter((b) => b.partial)).toHaveLength(1);
      expect(schema.examples.length).toBeGreaterThanOrEqual(2);
      for (const branch of schema.branches.values()) {
        const props = spec.objectShape(branch.pointer).properties;
        expect(props.get(schema.discriminator)?.node.const ?? (props.get(schema.discriminator)?.node.enum as unknown[])?.[0]).toBe(
          branch.type,
        );
        expect(props.has(schema.indexField)).toBe(branch.partial);
      }
    }
  });
});

describe('checkEventStream', () => {
  it('accepts the events built from the spec examples, even split mid-line with CRLF line ends', async () => {
    const text = sse(specEvents(generate, 2)).replace(/\n/g, '\r\n');
    const result = await check(body(text.slice(0, 7), text.slice(7, 300), text.slice(300)));
    expect(result.violations).toEqual([]);
    expect(result.types).toHaveLength(3);
  });

  it('accepts bare-CR line ends (what the SSE standard allows), as the client does', async () => {
    const result = await check(body(sse(specEvents(generate, 2)).replace(/\n/g, '\r')));
    expect(result.violations).toEqual([]);
    expect(result.types).toHaveLength(3);
  });

  it('fails a stream that goes silent as stalled, at the idle timeout, but not one kept alive by comments', async () => {
    vi.useFakeTimers();
    try {
      const [p0, final] = specEvents(generate, 1);
      if (!p0 || !final) throw new Error('expected 2 events');
      const encoder = new TextEncoder();
      let push: ((text: string) => void) | undefined;
      const silent = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode(sse([p0])));
          push = (text) => controller.enqueue(encoder.encode(text));
        },
      });
      const pending = checkEventStream(silent, {
        validator,
        schema: generate,
        requestedPartials: 1,
        expectedFinals: 1,
        idleTimeoutMs: 5000,
      });
      await vi.advanceTimersByTimeAsync(4000);
      push?.(': keep-alive\n\n');
      await vi.advanceTimersByTimeAsync(4000);
      push?.(sse([final]).slice(0, 10));
      await vi.advanceTimersByTimeAsync(5001);
      const result = await pending;
      expect(result.stalled).toBe(true);
      expect(result.violations).toEqual([expect.objectContaining({ where: 'stream', message: 'stalled after 1 events: no data for 5 s' })]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails a schema-violating event with its index and JSON path', async () => {
    const events = specEvents(generate, 2);
    const second = events[1];
    if (!second) throw new Error('expected 3 events');
    const branch = generate.branches.get(second.type);
    const image = [...(branch ? spec.objectShape(branch.pointer).properties : [])].find(
      ([, p]) => p.node.contentEncoding === 'base64',
    )?.[0];
    if (!image) throw new Error('expected a base64 image property');
    second.payload[image] = 12345;
    const result = await check(body(sse(events)));
    expect(result.violations).toEqual([expect.objectContaining({ where: 'event[1]', path: `/${image}`, message: 'must be string' })]);
  });

  it('reports a missing required field and an unknown event type with their paths', async () => {
    const [partial, , final] = specEvents(generate, 2);
    if (!partial || !final) throw new Error('expected 3 events');
    const branch = generate.branches.get(partial.type);
    const required = [...(branch ? spec.objectShape(branch.pointer).required : [])].find((name) => name !== generate.discriminator);
    if (!required) throw new Error('expected a required property besides the discriminator');
    const { [required]: _, ...without } = partial.payload;
    const bogus = `${partial.type}.bogus`;
    const result = await check(
      body(
        sse([
          { type: partial.type, payload: without },
          { type: bogus, payload: { ...partial.payload, [generate.discriminator]: bogus } },
          final,
        ]),
      ),
    );
    expect(result.violations).toEqual([
      expect.objectContaining({ where: 'event[0]', path: `/${required}`, message: 'required property is missing' }),
      expect.objectContaining({
        where: 'event[1]',
        path: `/${generate.discriminator}`,
        message: expect.stringContaining('must be equal to one of the allowed values'),
      }),
    ]);
  });

  it('reports invalid JSON data with the event index', async () => {
    const [partial] = specEvents(generate, 1);
    const result = await check(
      body(`event: ${partial?.type}\ndata: {"${generate.discriminator}": "trunc\n\n`, sse(specEvents(generate, 0))),
    );
    expect(result.violations).toEqual([
      expect.objectContaining({ where: 'event[0]', message: expect.stringMatching(/^data is not valid JSON/) }),
    ]);
  });

  it('checks the order: partial indexes ascend, partials come before the completed event, no more than requested', async () => {
    const [p0, p1, final] = specEvents(generate, 2);
    if (!p0 || !p1 || !final) throw new Error('expected 3 events');
    const outOfOrder = await check(body(sse([p1, p0, final])));
    expect(outOfOrder.violations).toEqual([
      expect.objectContaining({
        where: 'event[1]',
        path: `/${generate.indexField}`,
        message: '0 does not ascend (previous partial had 1)',
      }),
    ]);
    const afterFinal = await check(body(sse([p0, final, p1])));
    expect(afterFinal.violations).toEqual([
      expect.objectContaining({ where: 'event[2]', message: 'partial image after the completed event' }),
    ]);
    const tooMany = await check(body(sse([p0, p1, final])), 1);
    expect(tooMany.violations).toEqual([
      expect.objectContaining({ where: 'event[1]', message: 'more partial images than the 1 requested (for one image)' }),
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
