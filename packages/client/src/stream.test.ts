import { describe, expect, it, vi } from 'vitest';
import { APIStreamError, errorFromBody } from './errors.js';
import { eventStream } from './stream.js';

const enc = new TextEncoder();

/** The events of `bytes` sent to a fresh stream cut into the given chunk sizes (bytes). */
async function decodeIn(bytes: Uint8Array, cut: (i: number) => number): Promise<unknown[]> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; ) {
        const end = Math.min(bytes.length, i + Math.max(1, cut(i)));
        controller.enqueue(bytes.slice(i, end));
        i = end;
      }
      controller.close();
    },
  });
  const fail = (payload: unknown, prefix?: string) => errorFromBody(undefined, payload, new Headers(), prefix);
  const out: unknown[] = [];
  for await (const event of eventStream(body, new AbortController(), 0, fail)) out.push(event);
  return out;
}

describe('eventStream parsing', () => {
  const body = 'event: a\ndata: {"x":1}\n\n: a comment\ndata: {"y":\ndata: 2}\n\nevent: b\ndata:{"z":3}\n\n';
  const expected = [{ x: 1 }, { y: 2 }, { z: 3 }];

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('parses events with %s line ends, whatever the chunking', async (_, eol) => {
    const bytes = enc.encode(body.replaceAll('\n', eol));
    expect(await decodeIn(bytes, () => bytes.length)).toEqual(expected);
    expect(await decodeIn(bytes, () => 1)).toEqual(expected);
    expect(await decodeIn(bytes, (i) => (i % 7) + 1)).toEqual(expected);
  });

  it("parses the same without Node's Buffer (as in browsers)", async () => {
    vi.stubGlobal('Buffer', undefined);
    try {
      const bytes = enc.encode(body.replaceAll('\n', '\r\n'));
      expect(await decodeIn(bytes, (i) => (i % 5) + 1)).toEqual(expected);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('takes a bare CR for a line end, as the SSE standard does (any OpenAI-compatible server)', async () => {
    const bytes = enc.encode(body.replaceAll('\n', '\r'));
    expect(await decodeIn(bytes, () => bytes.length)).toEqual(expected);
    expect(await decodeIn(bytes, () => 1)).toEqual(expected);
  });

  it('keeps UTF-8 characters split across chunks intact', async () => {
    const bytes = enc.encode('data: {"t":"héllo 🌊 ✓"}\n\n');
    expect(await decodeIn(bytes, () => 1)).toEqual([{ t: 'héllo 🌊 ✓' }]);
  });

  it('strips a leading BOM and ignores id, retry and unknown fields', async () => {
    const bytes = enc.encode('\uFEFFid: 1\nretry: 5\nfoo: bar\ndata: {"x":1}\n\n');
    expect(await decodeIn(bytes, () => 3)).toEqual([{ x: 1 }]);
  });

  it('ignores events without data and resets the event name after each event', async () => {
    expect(await decodeIn(enc.encode('event: error\n\ndata: {"y":1}\n\n'), () => 100)).toEqual([{ y: 1 }]);
  });

  it('delivers a last event that lacks the blank line at the end, and stops at [DONE]', async () => {
    expect(await decodeIn(enc.encode('data: {"last":1}'), () => 4)).toEqual([{ last: 1 }]);
    expect(await decodeIn(enc.encode('data: {"a":1}\n\ndata: [DONE]\n\ndata: {"b":2}\n\n'), () => 4)).toEqual([{ a: 1 }]);
  });

  it('fails a body without any event', async () => {
    for (const text of ['', ': just a comment\n\n', 'event: x\n\n']) {
      const error = await decodeIn(enc.encode(text), () => 4).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(APIStreamError);
      expect((error as Error).message).toBe('The stream ended without any event.');
    }
  });
});
